// Parsing .npy headers (a Python dict literal) and converting the data to a tensor.
#include "data/npy.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <vector>

#include "blindspot/error.hpp"
#include "data/memory_limit.hpp"

namespace blindspot::host {
namespace {

constexpr std::uint64_t kMaxHeaderBytes = 1 << 20;  // numpy writes a few hundred at most

/// What a .npy header says: the element type, the order and the shape.
struct NpyHeader {
  std::string descr;  // "<f4", "|u1", ...
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
};

/// A recursive-descent reader of the header's dict literal: string keys, and string, boolean
/// or tuple-of-integers values, as numpy's own writer produces.
class HeaderParser {
 public:
  HeaderParser(std::string text, std::string where)
      : text_(std::move(text)), where_(std::move(where)) {}

  NpyHeader parse() {
    expect('{');
    std::map<std::string, bool> seen;
    NpyHeader header;
    while (!peek('}')) {
      const std::string key = string();
      expect(':');
      if (seen[key]) fail(fmt::format("key '{}' appears twice", key));
      seen[key] = true;
      if (key == "descr") {
        if (!peek('\'') && !peek('"'))
          fail(
              "the dtype is not a simple type (a structured array?); save a plain numeric "
              "array");
        header.descr = string();
      } else if (key == "fortran_order") {
        header.fortran_order = boolean();
      } else if (key == "shape") {
        header.shape = tuple();
      } else {
        fail(fmt::format("unknown key '{}'", key));
      }
      if (!peek('}')) expect(',');
    }
    expect('}');
    for (const char* key : {"descr", "fortran_order", "shape"})
      if (!seen[key]) fail(fmt::format("the key '{}' is missing", key));
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(where_, "not a valid .npy header: " + what);
  }
  void skip_space() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  bool peek(char c) {
    skip_space();
    return at_ < text_.size() && text_[at_] == c;
  }
  void expect(char c) {
    if (!peek(c)) fail(fmt::format("expected '{}' at character {}", c, at_));
    ++at_;
  }
  std::string string() {
    skip_space();
    if (at_ >= text_.size() || (text_[at_] != '\'' && text_[at_] != '"'))
      fail(fmt::format("expected a quoted string at character {}", at_));
    const char quote = text_[at_++];
    const std::size_t end = text_.find(quote, at_);
    if (end == std::string::npos) fail("a string is not closed");
    std::string out = text_.substr(at_, end - at_);
    at_ = end + 1;
    return out;
  }
  bool boolean() {
    skip_space();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}})
      if (text_.compare(at_, std::strlen(word), word) == 0) {
        at_ += std::strlen(word);
        return value;
      }
    fail("fortran_order is neither True nor False");
  }
  std::vector<std::int64_t> tuple() {
    expect('(');
    std::vector<std::int64_t> dims;
    while (!peek(')')) {
      skip_space();
      std::int64_t value = 0;
      std::size_t digits = 0;
      while (at_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at_]))) {
        if (++digits > 18) fail("a dimension is too large");
        value = value * 10 + (text_[at_++] - '0');
      }
      if (digits == 0) fail(fmt::format("expected a dimension at character {}", at_));
      dims.push_back(value);
      if (dims.size() > 32) fail("more than 32 dimensions");
      if (!peek(')')) expect(',');
    }
    expect(')');
    return dims;
  }

  std::string text_, where_;
  std::size_t at_ = 0;
};

/// The tensor type an element type is read into, and its size in the file.
struct ElementType {
  at::ScalarType stored;     // the type of the file's bytes, when torch has it
  at::ScalarType read_as;    // what the tensor holds (wider for uint16/32/64)
  std::size_t size;          // bytes per element in the file
  bool is_unsigned = false;  // an unsigned integer torch lacks, widened by hand
};

ElementType element_type(const std::string& descr, const std::string& where) {
  const std::string kind = descr.size() >= 2 ? descr.substr(1) : descr;
  static const std::map<std::string, ElementType> types{
      {"u1", {at::kByte, at::kByte, 1}},      {"i1", {at::kChar, at::kChar, 1}},
      {"i2", {at::kShort, at::kShort, 2}},    {"i4", {at::kInt, at::kInt, 4}},
      {"i8", {at::kLong, at::kLong, 8}},      {"u2", {at::kShort, at::kInt, 2, true}},
      {"u4", {at::kInt, at::kLong, 4, true}}, {"u8", {at::kLong, at::kLong, 8, true}},
      {"f2", {at::kHalf, at::kHalf, 2}},      {"f4", {at::kFloat, at::kFloat, 4}},
      {"f8", {at::kDouble, at::kDouble, 8}},  {"b1", {at::kBool, at::kBool, 1}}};
  auto found = types.find(kind);
  if (descr.size() < 2 || std::string("<>|=").find(descr[0]) == std::string::npos ||
      found == types.end())
    throw Error(where, fmt::format("unsupported dtype '{}'; expected unsigned or signed "
                                   "integers, float16/32/64 or bool",
                                   descr));
  return found->second;
}

/// Reverses the bytes of each `size`-byte element of `data` (big-endian to little-endian).
void swap_bytes(char* data, std::uint64_t count, std::size_t size) {
  for (std::uint64_t i = 0; i < count; ++i) std::reverse(data + i * size, data + (i + 1) * size);
}

/// Unsigned elements of `size` bytes as the wider signed `out` (int32 or int64).
at::Tensor widen_unsigned(const at::Tensor& raw, std::size_t size, at::ScalarType out,
                          const std::string& where) {
  const std::int64_t n = raw.numel();
  at::Tensor wide = at::empty({n}, out);
  const char* bytes = static_cast<const char*>(raw.data_ptr());
  for (std::int64_t i = 0; i < n; ++i) {
    std::uint64_t value = 0;
    if (size == 2) {
      std::uint16_t v;
      std::memcpy(&v, bytes + i * 2, 2);
      value = v;
    } else if (size == 4) {
      std::uint32_t v;
      std::memcpy(&v, bytes + i * 4, 4);
      value = v;
    } else {
      std::memcpy(&value, bytes + i * 8, 8);
      if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        throw Error(where,
                    fmt::format("holds the uint64 value {}, above the largest int64", value));
    }
    if (out == at::kInt)
      wide.data_ptr<std::int32_t>()[i] = static_cast<std::int32_t>(value);
    else
      wide.data_ptr<std::int64_t>()[i] = static_cast<std::int64_t>(value);
  }
  return wide.view(raw.sizes());
}

/// The header's text, read after the magic string, the version and the text's length; `used`
/// becomes the number of bytes read.
std::string header_text(const ByteStream& bytes, const std::string& where, std::uint64_t& used) {
  char magic[8];
  if (bytes.size < 10) throw Error(where, "not a .npy array: too short for its header");
  bytes.read(magic, 8);
  if (std::memcmp(magic, "\x93NUMPY", 6) != 0)
    throw Error(where, "not a .npy array: the magic string \\x93NUMPY is missing");
  const int major = static_cast<unsigned char>(magic[6]);
  if (major < 1 || major > 3)
    throw Error(where, fmt::format(".npy format version {} is not supported (1 to 3 are)", major));
  std::uint64_t length = 0;
  unsigned char field[4] = {};
  const std::size_t field_size = major == 1 ? 2 : 4;
  bytes.read(reinterpret_cast<char*>(field), field_size);
  for (std::size_t i = field_size; i-- > 0;) length = length * 256 + field[i];
  if (length > kMaxHeaderBytes || 8 + field_size + length > bytes.size)
    throw Error(where, fmt::format("not a .npy array: a header of {} bytes does not fit", length));
  std::string text(length, '\0');
  bytes.read(text.data(), length);
  used = 8 + field_size + length;
  return text;
}

}  // namespace

at::Tensor read_npy(const ByteStream& bytes, const std::string& where) {
  std::uint64_t header_bytes = 0;
  const std::string text = header_text(bytes, where, header_bytes);
  const NpyHeader header = HeaderParser(text, where).parse();
  const ElementType type = element_type(header.descr, where);
  std::uint64_t count = 1;
  for (std::int64_t dim : header.shape) {
    if (dim != 0 && count > std::numeric_limits<std::uint64_t>::max() / 16 / dim)
      throw Error(where, fmt::format("the shape {} is too large", fmt::join(header.shape, "x")));
    count *= static_cast<std::uint64_t>(dim);
  }
  const std::uint64_t data_bytes = count * type.size, available = bytes.size - header_bytes;
  if (data_bytes != available)
    throw Error(where,
                fmt::format("{}: the header declares {} bytes of data ({} {}), but {} "
                            "follow it",
                            data_bytes < available ? "trailing bytes" : "truncated", data_bytes,
                            fmt::join(header.shape, "x"), header.descr, available));
  check_fits_in_memory(data_bytes, where);
  std::vector<std::int64_t> stored_shape = header.shape;
  if (header.fortran_order) std::reverse(stored_shape.begin(), stored_shape.end());
  at::Tensor raw = at::empty(stored_shape, type.stored);
  bytes.read(static_cast<char*>(raw.data_ptr()), data_bytes);
  if (header.descr[0] == '>' && type.size > 1)
    swap_bytes(static_cast<char*>(raw.data_ptr()), count, type.size);
  if (type.is_unsigned) raw = widen_unsigned(raw, type.size, type.read_as, where);
  if (header.fortran_order) {
    std::vector<std::int64_t> reverse(stored_shape.size());
    for (std::size_t i = 0; i < reverse.size(); ++i)
      reverse[i] = static_cast<std::int64_t>(reverse.size() - 1 - i);
    raw = raw.permute(reverse).contiguous();
  }
  return raw;
}

at::Tensor read_npy_file(const std::filesystem::path& file) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec) throw Error(file.string(), fmt::format("cannot read: {}", ec.message()));
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file.string(), "cannot open the file");
  const std::string where = file.string();
  ByteStream bytes{size, [&](char* buffer, std::size_t count) {
                     in.read(buffer, static_cast<std::streamsize>(count));
                     if (static_cast<std::size_t>(in.gcount()) != count)
                       throw Error(where, "truncated: the file ends inside the array");
                   }};
  return read_npy(bytes, where);
}

}  // namespace blindspot::host
