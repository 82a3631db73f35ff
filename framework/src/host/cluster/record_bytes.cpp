// Records and tensors as length-prefixed bytes, in this machine's byte order (every rank of a
// run runs this same program).
#include "cluster/record_bytes.hpp"

#include <ATen/ATen.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <variant>

namespace blindspot::host {

namespace {

/// Appends values to a byte string.
class Writer {
 public:
  void number(std::uint64_t n) { raw(&n, sizeof n); }
  void signed_number(std::int64_t n) { raw(&n, sizeof n); }
  void real(double d) { raw(&d, sizeof d); }
  void text(const std::string& s) {
    number(s.size());
    raw(s.data(), s.size());
  }
  void texts(const std::vector<std::string>& list) {
    number(list.size());
    for (const std::string& s : list) text(s);
  }
  void tensor(const at::Tensor& t) {
    const at::Tensor values = t.contiguous();
    number(static_cast<std::uint64_t>(values.scalar_type()));
    number(values.dim());
    for (std::int64_t size : values.sizes()) signed_number(size);
    const std::size_t bytes = values.numel() * values.element_size();
    number(bytes);
    raw(values.data_ptr(), bytes);
  }
  void raw(const void* data, std::size_t n) { bytes_.append(static_cast<const char*>(data), n); }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

/// Reads back what Writer wrote, refusing to read past the end.
class Reader {
 public:
  explicit Reader(const std::string& bytes) : bytes_(bytes) {}
  std::uint64_t number() {
    std::uint64_t n = 0;
    raw(&n, sizeof n);
    return n;
  }
  std::int64_t signed_number() {
    std::int64_t n = 0;
    raw(&n, sizeof n);
    return n;
  }
  double real() {
    double d = 0;
    raw(&d, sizeof d);
    return d;
  }
  std::string text() {
    const std::uint64_t n = length();
    std::string s(bytes_.data() + at_, n);
    at_ += n;
    return s;
  }
  std::vector<std::string> texts() {
    std::vector<std::string> list(count());
    for (std::string& s : list) s = text();
    return list;
  }
  at::Tensor tensor() {
    const auto type = static_cast<at::ScalarType>(number());
    std::vector<std::int64_t> sizes(count());
    for (std::int64_t& size : sizes) size = signed_number();
    at::Tensor t = at::empty(sizes, at::TensorOptions().dtype(type));
    const std::uint64_t n = length();
    if (n != static_cast<std::uint64_t>(t.numel()) * t.element_size()) fail();
    raw(t.data_ptr(), n);
    return t;
  }
  /// A count of items that each take at least one byte.
  std::uint64_t count() { return length(); }
  bool done() const { return at_ == bytes_.size(); }

 private:
  std::uint64_t length() {
    const std::uint64_t n = number();
    if (n > bytes_.size() - at_) fail();
    return n;
  }
  void raw(void* out, std::size_t n) {
    if (n > bytes_.size() - at_) fail();
    std::memcpy(out, bytes_.data() + at_, n);
    at_ += n;
  }
  [[noreturn]] static void fail() {
    throw std::runtime_error("a message between ranks is corrupt");
  }

  const std::string& bytes_;
  std::size_t at_ = 0;
};

enum class AttributeType : std::uint64_t { text, integer, real };

void write_products(Writer& out, const StoredProducts& products) {
  out.number(products.size());
  for (const auto& [port, record] : products) {
    out.text(port);
    out.number(record.tensors.size());
    for (const auto& [name, tensor] : record.tensors) {
      out.text(name);
      out.tensor(tensor);
    }
    out.number(record.strings.size());
    for (const auto& [name, list] : record.strings) {
      out.text(name);
      out.texts(list);
    }
    out.number(record.attributes.size());
    for (const auto& [name, value] : record.attributes) {
      out.text(name);
      if (const auto* s = std::get_if<std::string>(&value)) {
        out.number(static_cast<std::uint64_t>(AttributeType::text));
        out.text(*s);
      } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
        out.number(static_cast<std::uint64_t>(AttributeType::integer));
        out.signed_number(*i);
      } else {
        out.number(static_cast<std::uint64_t>(AttributeType::real));
        out.real(std::get<double>(value));
      }
    }
    out.number(record.dimensions.size());
    for (const auto& [name, dims] : record.dimensions) {
      out.text(name);
      out.texts(dims);
    }
  }
}

StoredProducts read_products(Reader& in) {
  StoredProducts products;
  for (std::uint64_t ports = in.count(); ports > 0; --ports) {
    Record& record = products[in.text()];
    for (std::uint64_t n = in.count(); n > 0; --n) {
      std::string name = in.text();
      record.tensors[name] = in.tensor();
    }
    for (std::uint64_t n = in.count(); n > 0; --n) {
      std::string name = in.text();
      record.strings[name] = in.texts();
    }
    for (std::uint64_t n = in.count(); n > 0; --n) {
      std::string name = in.text();
      switch (static_cast<AttributeType>(in.number())) {
        case AttributeType::text:
          record.attributes[name] = in.text();
          break;
        case AttributeType::integer:
          record.attributes[name] = in.signed_number();
          break;
        case AttributeType::real:
          record.attributes[name] = in.real();
          break;
        default:
          throw std::runtime_error("a message between ranks is corrupt");
      }
    }
    for (std::uint64_t n = in.count(); n > 0; --n) {
      std::string name = in.text();
      record.dimensions[name] = in.texts();
    }
  }
  return products;
}

/// Throws unless every byte was read.
void check_done(const Reader& in) {
  if (!in.done()) throw std::runtime_error("a message between ranks is corrupt");
}

}  // namespace

std::string products_to_bytes(const StoredProducts& products) {
  Writer out;
  write_products(out, products);
  return out.take();
}

StoredProducts products_from_bytes(const std::string& bytes) {
  Reader in(bytes);
  StoredProducts products = read_products(in);
  check_done(in);
  return products;
}

std::string finished_to_bytes(const FinishedNode& node) {
  Writer out;
  out.text(node.status);
  out.real(node.duration);
  write_products(out, node.products);
  return out.take();
}

FinishedNode finished_from_bytes(const std::string& bytes) {
  Reader in(bytes);
  FinishedNode node;
  node.status = in.text();
  node.duration = in.real();
  node.products = read_products(in);
  check_done(in);
  return node;
}

std::string tensor_to_bytes(const at::Tensor& tensor) {
  Writer out;
  out.tensor(tensor);
  return out.take();
}

at::Tensor tensor_from_bytes(const std::string& bytes) {
  Reader in(bytes);
  at::Tensor t = in.tensor();
  check_done(in);
  return t;
}

}  // namespace blindspot::host
