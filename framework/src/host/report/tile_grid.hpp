// Image tiles in labelled rows as one greyscale or colour figure: Figure 5's triplets, top-k grids.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "blindspot/report.hpp"

namespace blindspot::host {

using blindspot::TileRow;

/// Gaps of a tile grid in pixels: between tiles, and above a row that starts a group (with a
/// black rule of kRule pixels in its middle); a label column is its longest line in GD's small
/// font (kCharWidth pixels a character) plus kLabelMargin on each side.
constexpr std::int64_t kGap = 2, kGroupGap = 10, kRule = 2, kCharWidth = 6, kLabelMargin = 3;

/// The rows as one image, white background: float [H, W] when every tile is greyscale [h, w],
/// else [3, H, W] (RGB tiles [3, h, w]; greyscale tiles, labels, gaps and rules the same in all
/// three channels). Every tile pixel is drawn `zoom` times larger (the first tile's last two
/// dimensions set the size of all), white gaps between tiles and rows, and a label column on the
/// left when any row has a label.
at::Tensor tile_grid(const std::vector<TileRow>& rows, int zoom = 2);

}  // namespace blindspot::host
