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
/// triplets (original | difference magnified 10x around mid-grey | adversarial) for its first
/// `samples` samples; Arrays with saliency maps give image | |saliency| pairs; Arrays of a
/// unit inspection give the top images of the first units and random directions.
std::optional<at::Tensor> figure_of(const Record& record, std::int64_t samples = 8);

}  // namespace blindspot::host
