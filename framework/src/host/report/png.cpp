// Reading and writing greyscale PNG files with libpng's simplified API.
#include "report/png.hpp"

#include <ATen/ATen.h>
#include <png.h>

#include "blindspot/error.hpp"

namespace blindspot::host {

void write_png(const std::filesystem::path& path, const at::Tensor& grey) {
  if (grey.dim() != 2) throw Error(path.string(), "a PNG figure needs a [height, width] image");
  const at::Tensor bytes =
      (grey.to(at::kFloat).clamp(0, 1) * 255).round().to(at::kByte).contiguous();
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(grey.size(1));
  image.height = static_cast<png_uint_32>(grey.size(0));
  image.format = PNG_FORMAT_GRAY;
  if (!png_image_write_to_file(&image, path.c_str(), 0, bytes.data_ptr<std::uint8_t>(), 0, nullptr))
    throw Error(path.string(), std::string("cannot write the PNG file: ") + image.message);
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
