// Figures of archived products as greyscale images: Figure 5 triplets, saliency, top-k grids.
#pragma once

#include <ATen/core/Tensor.h>

#include <optional>

#include "blindspot/record.hpp"

namespace blindspot::host {

/// A grid of equally sized tiles (float [H, W] in [0, 1]), 2 white pixels between tiles, each
/// pixel drawn `zoom` times larger.
at::Tensor tile_grid(const std::vector<std::vector<at::Tensor>>& rows, int zoom = 2);

/// The figure of one archived product, if its kind has one: an AdversarialSet gives Figure 5's
/// triplets (original | difference magnified 10x around mid-grey | adversarial) for the samples
/// at `positions`; Arrays with saliency maps give image | |saliency| pairs for them; Arrays of a
/// unit inspection give the top images of the first 4 units and 4 random directions.
std::optional<at::Tensor> figure_of(const Record& record,
                                    const std::vector<std::int64_t>& positions);

/// How many samples a product has for figure_of's `positions` to choose from; 0 for none.
std::int64_t figure_samples(const Record& record);

}  // namespace blindspot::host
