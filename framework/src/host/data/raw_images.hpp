// Images and labels as a data source gives them, before they are split.
#pragma once

#include <ATen/core/Tensor.h>

namespace blindspot::host {

/// Images [N, C, H, W], uint8 (0..255, divided by 255 when split) or float32 (already in
/// [0, 1]), and their labels int64 [N], each >= 0.
struct RawImages {
  at::Tensor images, labels;
};

}  // namespace blindspot::host
