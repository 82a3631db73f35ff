// Reading IDX files (the MNIST format), plain or gzipped.
#pragma once

#include <ATen/core/Tensor.h>

#include <filesystem>

namespace blindspot::host {

/// Reads an IDX file of unsigned bytes (magic 0x0000080N), gzipped or not, into a uint8 tensor
/// with the file's dimensions. Throws blindspot::Error naming the file for a missing, truncated
/// or malformed file.
at::Tensor read_idx(const std::filesystem::path& file);

/// Writes a uint8 tensor as an uncompressed IDX file (used by tests and by data conversion).
void write_idx(const std::filesystem::path& file, const at::Tensor& data);

}  // namespace blindspot::host
