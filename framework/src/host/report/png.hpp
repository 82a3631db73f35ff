// Encoding, writing and reading greyscale PNG images with libpng's simplified API.
#pragma once

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <vector>

namespace blindspot::host {

/// `grey` (float [H, W], values in [0, 1], clamped) as the bytes of an 8-bit greyscale PNG.
std::vector<unsigned char> encode_png(const at::Tensor& grey);

/// Writes `bytes` to `path`; throws Error naming the path if it cannot.
void write_file(const std::filesystem::path& path, const std::vector<unsigned char>& bytes);

/// Writes `grey` as an 8-bit greyscale PNG file.
void write_png(const std::filesystem::path& path, const at::Tensor& grey);

/// Reads a PNG file as 8-bit greyscale: uint8 [H, W]. Throws Error if it cannot be decoded.
at::Tensor read_png(const std::filesystem::path& path);

}  // namespace blindspot::host
