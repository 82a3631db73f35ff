// Reading and writing IDX files of unsigned bytes; zlib reads plain and gzipped files alike.
#include "data/idx.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "blindspot/error.hpp"

namespace blindspot::host {
namespace {

constexpr std::uint8_t kUnsignedByte = 0x08;
constexpr int kMaxDims = 4;
// Data is read in chunks so that a header claiming more data than the file holds is reported
// as truncated instead of allocating its claimed size up front.
constexpr std::size_t kChunk = std::size_t{1} << 24;
// Deflate's largest possible compression ratio (a run of one byte): a gzip file of n bytes
// holds at most about 1032 n bytes, which bounds the data a gzipped header may declare.
constexpr std::uint64_t kMaxDeflateRatio = 1032;

/// An open zlib file, closed when it goes out of scope.
class GzReader {
 public:
  explicit GzReader(const std::filesystem::path& path) : path_(path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw Error(path.string(), "no such file");
    if (!std::filesystem::is_regular_file(path, ec))
      throw Error(path.string(), "not a regular file, expected an IDX file");
    file_ = gzopen(path.c_str(), "rb");
    if (!file_) throw Error(path.string(), fmt::format("cannot open: {}", std::strerror(errno)));
  }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;
  ~GzReader() {
    if (file_) gzclose(file_);
  }

  /// Whether the file is gzip-compressed; known once something was read.
  bool compressed() { return gzdirect(file_) == 0; }

  /// Reads up to `size` bytes; fewer only at the end of the data. Throws on corrupt gzip data.
  std::size_t read(std::uint8_t* out, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
      const auto want = static_cast<unsigned>(std::min(size - done, kChunk));
      const int got = gzread(file_, out + done, want);
      if (got < 0) fail();
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    if (done < size) {
      int code = Z_OK;
      gzerror(file_, &code);
      if (code != Z_OK) fail();
    }
    return done;
  }

  /// Checks that the data ends after the `expected` bytes read so far and, for gzip, that the
  /// stream ends with its trailer and that its CRC and length match (zlib checks them when a
  /// read reaches the end of the stream; gzclose reports a stream cut short).
  void expect_end(std::uint64_t expected) {
    std::array<std::uint8_t, 4096> extra{};
    const bool more = read(extra.data(), 1) != 0;
    if (more && compressed()) {
      // A corrupt stream often decodes to more data: read it to its end so that zlib's CRC
      // check names the corruption rather than the length.
      while (read(extra.data(), extra.size()) != 0) continue;
    }
    if (more)
      throw Error(path_.string(), fmt::format("holds more than the {} bytes of data its header "
                                              "declares",
                                              expected));
    const int closed = gzclose(file_);
    file_ = nullptr;
    if (closed != Z_OK)
      throw Error(path_.string(),
                  fmt::format("corrupt or unreadable gzip data: {}",
                              closed == Z_BUF_ERROR ? "unexpected end of file" : zError(closed)));
  }

 private:
  [[noreturn]] void fail() {
    int code = Z_OK;
    std::string message = gzerror(file_, &code);
    if (code == Z_ERRNO) message = std::strerror(errno);
    const std::string prefix = path_.string() + ": ";  // zlib starts its messages with the path
    if (message.compare(0, prefix.size(), prefix) == 0) message.erase(0, prefix.size());
    throw Error(path_.string(), fmt::format("corrupt or unreadable gzip data: {}", message));
  }

  std::filesystem::path path_;
  gzFile file_ = nullptr;
};

std::uint32_t big_endian(const std::uint8_t* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
         (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
}

/// Reads exactly `size` bytes of the header or throws a "truncated" error.
void read_header_part(GzReader& in, std::uint8_t* out, std::size_t size, const std::string& what,
                      const std::filesystem::path& path) {
  const std::size_t got = in.read(out, size);
  if (got != size)
    throw Error(path.string(),
                fmt::format("truncated: expected {} bytes of {}, found {}", size, what, got));
}

/// Refuses a header declaring more `total` bytes of data than the file can hold, before any
/// of it is allocated: exactly the file's size after the header, or a gzip file's bound.
void check_fits(GzReader& in, const std::filesystem::path& path, std::uint64_t total,
                std::uint64_t header) {
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return;  // the reads that follow report what is wrong
  if (!in.compressed()) {
    if (total > size - std::min(size, header))
      throw Error(path.string(), fmt::format("truncated: expected {} bytes of data, found {}",
                                             total, size - std::min(size, header)));
    return;
  }
  if (total / kMaxDeflateRatio > size)
    throw Error(path.string(),
                fmt::format("truncated: the header declares {} bytes of data, more than a gzip "
                            "file of {} bytes can hold",
                            total, size));
}

}  // namespace

at::Tensor read_idx(const std::filesystem::path& file) {
  GzReader in(file);
  std::array<std::uint8_t, 4> magic{};
  read_header_part(in, magic.data(), magic.size(), "IDX header", file);
  const std::uint32_t value = big_endian(magic.data());
  const int dims = magic[3];
  if (magic[0] != 0 || magic[1] != 0 || dims < 1 || dims > kMaxDims)
    throw Error(file.string(),
                fmt::format("not an IDX file: magic {:#010x}, expected 0x0000080N (N = 1 to {})",
                            value, kMaxDims));
  if (magic[2] != kUnsignedByte)
    throw Error(file.string(),
                fmt::format("unsupported IDX element type {:#04x}: only unsigned bytes (0x08) "
                            "are supported",
                            magic[2]));

  std::array<std::uint8_t, 4 * kMaxDims> size_bytes{};
  read_header_part(in, size_bytes.data(), 4 * static_cast<std::size_t>(dims), "dimension sizes",
                   file);
  std::vector<std::int64_t> shape;
  std::uint64_t total = 1;
  bool huge = false;
  for (int d = 0; d < dims; ++d) {
    const std::uint32_t size = big_endian(size_bytes.data() + 4 * d);
    shape.push_back(size);
    huge = huge || (size != 0 && total > (std::uint64_t{1} << 48) / size);
    total *= size;
  }
  if (huge) throw Error(file.string(), "dimension sizes too large for an IDX file");
  check_fits(in, file, total, 4 + 4 * static_cast<std::uint64_t>(dims));

  std::vector<std::uint8_t> data;
  while (data.size() < total) {
    const std::size_t start = data.size();
    data.resize(start + std::min<std::uint64_t>(total - start, kChunk));
    const std::size_t got = in.read(data.data() + start, data.size() - start);
    if (start + got < data.size()) {
      throw Error(file.string(), fmt::format("truncated: expected {} bytes of data, found {}",
                                             total, start + got));
    }
  }
  in.expect_end(total);
  at::Tensor out = at::empty(shape, at::kByte);
  if (total) std::memcpy(out.data_ptr<std::uint8_t>(), data.data(), total);
  return out;
}

void write_idx(const std::filesystem::path& file, const at::Tensor& data) {
  if (data.scalar_type() != at::kByte || data.dim() < 1 || data.dim() > kMaxDims)
    throw Error(file.string(), fmt::format("cannot write a {} tensor of {} dimensions as IDX: "
                                           "expected uint8 with 1 to {} dimensions",
                                           at::toString(data.scalar_type()), data.dim(), kMaxDims));
  std::vector<char> header{0, 0, static_cast<char>(kUnsignedByte), static_cast<char>(data.dim())};
  for (std::int64_t size : data.sizes()) {
    const auto s = static_cast<std::uint32_t>(size);
    for (int shift = 24; shift >= 0; shift -= 8) header.push_back(static_cast<char>(s >> shift));
  }
  const at::Tensor bytes = data.contiguous();
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(bytes.data_ptr<std::uint8_t>()), bytes.numel());
  out.close();
  if (!out) throw Error(file.string(), fmt::format("cannot write: {}", std::strerror(errno)));
}

}  // namespace blindspot::host
