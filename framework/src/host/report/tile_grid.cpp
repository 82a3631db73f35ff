// Image tiles in labelled rows as one greyscale or colour figure: Figure 5's triplets, top-k grids.
#include "report/tile_grid.hpp"

#include <ATen/ATen.h>
#include <gd.h>
#include <gdfonts.h>

#include <algorithm>
#include <memory>

#include "blindspot/error.hpp"

namespace blindspot::host {

namespace {

struct ImageDeleter {
  void operator()(gdImagePtr image) const { gdImageDestroy(image); }
};

/// `lines` in black on white, top-left aligned in a [height, width] greyscale tile.
at::Tensor text_tile(const std::vector<std::string>& lines, std::int64_t height,
                     std::int64_t width) {
  const gdFontPtr font = gdFontGetSmall();
  std::unique_ptr<gdImage, ImageDeleter> image(
      gdImageCreateTrueColor(static_cast<int>(width), static_cast<int>(height)));
  if (!image)
    throw Error("figure", "cannot allocate a label of " + std::to_string(width) + "x" +
                              std::to_string(height) + " pixels");
  gdImageFilledRectangle(image.get(), 0, 0, static_cast<int>(width) - 1,
                         static_cast<int>(height) - 1, gdTrueColor(255, 255, 255));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const int y = static_cast<int>(i) * font->h;
    if (y + font->h > height) break;  // only the lines that fit beside the row
    std::string line = lines[i];
    gdImageString(image.get(), font, static_cast<int>(kLabelMargin), y,
                  reinterpret_cast<unsigned char*>(line.data()), gdTrueColor(0, 0, 0));
  }
  at::Tensor out = at::empty({height, width});
  auto pixels = out.accessor<float, 2>();
  for (std::int64_t y = 0; y < height; ++y)
    for (std::int64_t x = 0; x < width; ++x)
      pixels[y][x] = static_cast<float>(gdTrueColorGetRed(gdImageGetTrueColorPixel(
                         image.get(), static_cast<int>(x), static_cast<int>(y)))) /
                     255.0f;
  return out;
}

}  // namespace

at::Tensor tile_grid(const std::vector<TileRow>& rows, int zoom) {
  const at::Tensor& first = rows.front().tiles.front();
  const std::int64_t h = first.size(-2) * zoom, w = first.size(-1) * zoom;
  std::size_t columns = 0, longest = 0;
  bool labelled = false, colour = false;
  for (const TileRow& row : rows) {
    columns = std::max(columns, row.tiles.size());
    for (const std::string& line : row.label) longest = std::max(longest, line.size());
    labelled = labelled || !row.label.empty();
    for (const at::Tensor& tile : row.tiles) colour = colour || tile.dim() != 2;
  }
  const std::int64_t label_width =
      labelled ? static_cast<std::int64_t>(longest) * kCharWidth + 2 * kLabelMargin : 0;
  std::vector<std::int64_t> tops;  // the first pixel row of each row of tiles
  std::int64_t height = 0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (r > 0) height += rows[r].starts_group ? kGroupGap : kGap;
    tops.push_back(height);
    height += h;
  }
  const auto n_columns = static_cast<std::int64_t>(columns);
  std::vector<std::int64_t> size = {height, label_width + n_columns * (w + kGap) - kGap};
  if (colour) size.insert(size.begin(), 3);
  // Rows and columns are the last two dimensions; a greyscale label or tile copied into a
  // colour figure is repeated into its three channels.
  at::Tensor out = at::ones(size);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::int64_t top = tops[r];
    if (r > 0 && rows[r].starts_group)
      out.narrow(-2, top - (kGroupGap + kRule) / 2, kRule).fill_(0);
    if (labelled)
      out.narrow(-2, top, h)
          .narrow(-1, 0, label_width)
          .copy_(text_tile(rows[r].label, h, label_width));
    for (std::size_t c = 0; c < rows[r].tiles.size(); ++c) {
      const at::Tensor big =
          rows[r].tiles[c].to(at::kFloat).repeat_interleave(zoom, -2).repeat_interleave(zoom, -1);
      out.narrow(-2, top, h)
          .narrow(-1, label_width + static_cast<std::int64_t>(c) * (w + kGap), w)
          .copy_(big);
    }
  }
  return out;
}

}  // namespace blindspot::host
