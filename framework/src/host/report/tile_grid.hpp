// Image tiles in labelled rows as one greyscale figure: Figure 5's triplets, top-k grids.
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

/// The rows as one image (float [H, W], white background): every tile pixel drawn `zoom` times
/// larger (the first tile sets the size of all), white gaps between tiles and rows, and a label
/// column on the left when any row has a label.
at::Tensor tile_grid(const std::vector<TileRow>& rows, int zoom = 2);

}  // namespace blindspot::host
