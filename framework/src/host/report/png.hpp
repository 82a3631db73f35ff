// Encoding, writing and reading greyscale and RGB PNG images with libpng's simplified API.
#pragma once

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <vector>

namespace blindspot::host {

/// `image` (float [H, W] greyscale or [3, H, W] RGB, values in [0, 1], clamped) as the bytes of
/// an 8-bit greyscale or RGB PNG; throws Error for any other shape.
std::vector<unsigned char> encode_png(const at::Tensor& image);

/// Writes `bytes` to `path`; throws Error naming the path if it cannot.
void write_file(const std::filesystem::path& path, const std::vector<unsigned char>& bytes);

/// Writes `image` ([H, W] or [3, H, W], as encode_png takes it) as an 8-bit PNG file.
void write_png(const std::filesystem::path& path, const at::Tensor& image);

/// Reads a PNG file as 8-bit values: uint8 [H, W] for a greyscale PNG, [3, H, W] (RGB) for a
/// colour or palette one. Throws Error if it cannot be decoded.
at::Tensor read_png(const std::filesystem::path& path);

}  // namespace blindspot::host
