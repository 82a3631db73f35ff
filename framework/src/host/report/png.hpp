// Reading and writing greyscale PNG files with libpng's simplified API.
#pragma once

#include <ATen/core/Tensor.h>

#include <filesystem>

namespace blindspot::host {

/// Writes `grey` (float [H, W], values in [0, 1], clamped) as an 8-bit greyscale PNG.
void write_png(const std::filesystem::path& path, const at::Tensor& grey);

/// Reads a PNG file as 8-bit greyscale: uint8 [H, W]. Throws Error if it cannot be decoded.
at::Tensor read_png(const std::filesystem::path& path);

}  // namespace blindspot::host
