// Figures of sample images as tile grids: Figure 5's triplets, saliency pairs, top-k grids.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "blindspot/record.hpp"
#include "blindspot/report.hpp"

namespace blindspot {

/// Tile rows and what they draw: the caption, or for Arrays the text after its title.
struct SampleFigure {
  std::vector<TileRow> rows;
  std::string caption;
};

/// Figure 5's triplets of an AdversarialSet record for the samples at `positions` (original |
/// difference magnified around mid-grey, per channel for RGB images, by magnification() of the
/// rows drawn | adversarial), each row labelled, a row that is not a success marked so.
SampleFigure triplets(const Record& set, const std::vector<std::int64_t>& positions);

/// Image | |saliency| pairs of Arrays holding `images` and `saliency` [N, C, H, W]; the map a
/// greyscale tile, the largest |saliency| over the channels.
SampleFigure saliency_pairs(const Record& record, const std::vector<std::int64_t>& positions);

/// The top images of the first 4 units and the first 4 random directions of Arrays holding
/// `images` [2K, top, C, H, W] (and `units`), a rule between the two groups.
SampleFigure top_images(const Record& record);

}  // namespace blindspot
