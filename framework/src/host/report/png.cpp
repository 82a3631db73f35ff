// Encoding, writing and reading greyscale PNG images with libpng's simplified API.
#include "report/png.hpp"

#include <ATen/ATen.h>
#include <png.h>

#include <fstream>

#include "blindspot/error.hpp"

namespace blindspot::host {

std::vector<unsigned char> encode_png(const at::Tensor& grey) {
  if (grey.dim() != 2) throw Error("", "a PNG figure needs a [height, width] image");
  const at::Tensor pixels =
      (grey.to(at::kFloat).clamp(0, 1) * 255).round().to(at::kByte).contiguous();
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(grey.size(1));
  image.height = static_cast<png_uint_32>(grey.size(0));
  image.format = PNG_FORMAT_GRAY;
  png_alloc_size_t size = 0;  // first call: the size the PNG needs
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data_ptr<std::uint8_t>(), 0,
                                 nullptr))
    throw Error("", std::string("cannot encode the PNG image: ") + image.message);
  std::vector<unsigned char> bytes(size);
  if (!png_image_write_to_memory(&image, bytes.data(), &size, 0, pixels.data_ptr<std::uint8_t>(), 0,
                                 nullptr))
    throw Error("", std::string("cannot encode the PNG image: ") + image.message);
  bytes.resize(size);
  return bytes;
}

void write_file(const std::filesystem::path& path, const std::vector<unsigned char>& bytes) {
  std::ofstream stream(path, std::ios::binary);
  stream.write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  if (!stream) throw Error(path.string(), "cannot write the file");
}

void write_png(const std::filesystem::path& path, const at::Tensor& grey) {
  write_file(path, encode_png(grey));
}

at::Tensor read_png(const std::filesystem::path& path) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str()))
    throw Error(path.string(), std::string("not a readable PNG file: ") + image.message);
  image.format = PNG_FORMAT_GRAY;
  at::Tensor out = at::empty({image.height, image.width}, at::kByte);
  if (!png_image_finish_read(&image, nullptr, out.data_ptr<std::uint8_t>(), 0, nullptr))
    throw Error(path.string(), std::string("cannot decode the PNG file: ") + image.message);
  return out;
}

}  // namespace blindspot::host
