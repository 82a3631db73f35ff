// Encoding, writing and reading greyscale and RGB PNG images with libpng's simplified API.
#include "report/png.hpp"

#include <ATen/ATen.h>
#include <png.h>

#include <fstream>

#include "blindspot/error.hpp"

namespace blindspot::host {

std::vector<unsigned char> encode_png(const at::Tensor& image) {
  const bool colour = image.dim() == 3 && image.size(0) == 3;
  if (image.dim() != 2 && !colour)
    throw Error("", "a PNG figure needs a [height, width] or [3, height, width] image");
  // libpng takes an RGB pixel's three values together: [H, W, 3].
  const at::Tensor values = colour ? image.permute({1, 2, 0}) : image;
  const at::Tensor pixels =
      (values.to(at::kFloat).clamp(0, 1) * 255).round().to(at::kByte).contiguous();
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.size(-1));
  png.height = static_cast<png_uint_32>(image.size(-2));
  png.format = colour ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  png_alloc_size_t size = 0;  // first call: the size the PNG needs
  if (!png_image_write_to_memory(&png, nullptr, &size, 0, pixels.data_ptr<std::uint8_t>(), 0,
                                 nullptr))
    throw Error("", std::string("cannot encode the PNG image: ") + png.message);
  std::vector<unsigned char> bytes(size);
  if (!png_image_write_to_memory(&png, bytes.data(), &size, 0, pixels.data_ptr<std::uint8_t>(), 0,
                                 nullptr))
    throw Error("", std::string("cannot encode the PNG image: ") + png.message);
  bytes.resize(size);
  return bytes;
}

void write_file(const std::filesystem::path& path, const std::vector<unsigned char>& bytes) {
  std::ofstream stream(path, std::ios::binary);
  stream.write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  if (!stream) throw Error(path.string(), "cannot write the file");
}

void write_png(const std::filesystem::path& path, const at::Tensor& image) {
  write_file(path, encode_png(image));
}

at::Tensor read_png(const std::filesystem::path& path) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&png, path.c_str()))
    throw Error(path.string(), std::string("not a readable PNG file: ") + png.message);
  const bool colour = (png.format & PNG_FORMAT_FLAG_COLOR) != 0;
  png.format = colour ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  // libpng gives an RGB pixel's three values together: [H, W, 3].
  at::Tensor out = colour ? at::empty({png.height, png.width, 3}, at::kByte)
                          : at::empty({png.height, png.width}, at::kByte);
  if (!png_image_finish_read(&png, nullptr, out.data_ptr<std::uint8_t>(), 0, nullptr))
    throw Error(path.string(), std::string("cannot decode the PNG file: ") + png.message);
  return colour ? out.permute({2, 0, 1}).contiguous() : out;
}

}  // namespace blindspot::host
