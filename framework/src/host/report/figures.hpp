// Figures of archived products as greyscale images: Figure 5 triplets, saliency, top-k grids.
#pragma once

#include <ATen/core/Tensor.h>

#include <optional>
#include <string>
#include <vector>

#include "blindspot/record.hpp"

namespace blindspot::host {

/// A product's figure: the image and a caption saying what it draws.
struct ProductFigure {
  at::Tensor image;  // float [H, W] in [0, 1]
  std::string caption;
};

/// The figure of one archived product, if its kind has one, each row labelled in the image: an
/// AdversarialSet gives Figure 5's triplets (original | difference magnified around mid-grey,
/// by magnification() of the rows drawn | adversarial) for the samples at `positions`, a row
/// that is not a success marked so; Arrays with saliency maps give image | |saliency| pairs for
/// them; Arrays of a unit inspection give the top images of the first 4 units and the first 4
/// random directions, a rule between the two groups.
std::optional<ProductFigure> figure_of(const Record& record,
                                       const std::vector<std::int64_t>& positions);

/// How many samples a product has for figure_of's `positions`; 0 for none.
std::int64_t figure_samples(const Record& record);

/// The samples (ascending positions) a figure chooses among unless it is given a list: an
/// AdversarialSet's successes, every sample of another product with sample images.
std::vector<std::int64_t> figure_candidates(const Record& record);

/// How many times Figure 5 magnifies a difference `r` around mid-grey: 0.5 / (the 99th
/// percentile of |r|, nearest rank), rounded down to one significant digit, so that at most 1%
/// of its pixels saturate; 1 when r is all zeros or empty.
double magnification(const at::Tensor& r);

}  // namespace blindspot::host
