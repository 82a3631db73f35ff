// Reading NumPy's .npy format (versions 1-3) from a file or from bytes in a zip entry.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace blindspot::host {

/// Bytes to parse: `size` of them in all, delivered in order by `read(buffer, count)`, which
/// throws blindspot::Error if it cannot deliver `count` bytes.
struct ByteStream {
  std::uint64_t size;
  std::function<void(char* buffer, std::size_t count)> read;
};

/// Reads one .npy array from `bytes` into a tensor of its shape (C order), named `where` in
/// errors. Integer types torch lacks are widened (uint16 to int32, uint32 and uint64 to int64;
/// a uint64 above 2^63 - 1 is refused); big-endian and Fortran-ordered arrays are converted.
/// Throws blindspot::Error for a malformed header, an unsupported dtype (structured, object,
/// complex, strings) or data that does not match the header; checks the size before allocating.
at::Tensor read_npy(const ByteStream& bytes, const std::string& where);

/// Reads the .npy file `file`.
at::Tensor read_npy_file(const std::filesystem::path& file);

}  // namespace blindspot::host
