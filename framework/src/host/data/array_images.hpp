// Images and labels from named arrays: the Keras naming convention, layouts and value checks.
#pragma once

#include <string>

#include "data/array_store.hpp"
#include "data/raw_images.hpp"

namespace blindspot::host {

/// The arrays a data set is read from: train (or a single pool) and, optionally, test.
struct ArrayNames {
  std::string images, labels;            // the train images and labels, or the pool's
  std::string test_images, test_labels;  // empty: images/labels are one pool to split
};

/// The arrays to read: those named in `given` (images and labels at least), or else the Keras
/// convention x_train, y_train, x_test, y_test, or else a pool x, y. Throws blindspot::Error
/// naming `where` and the arrays that are there when a name is missing.
ArrayNames choose_arrays(const ArrayStore& store, const ArrayNames& given,
                         const std::string& where);

/// Reads an images array laid out as `layout` ("nhwc", "nchw", "nhw", or "auto": nhwc for 4
/// dimensions, nhw for 3) and its labels, and
/// checks them: images uint8, or float in [0, 1] without NaN or infinity; labels integers >= 0
/// of shape [N] or [N, 1], one per image. Images come back as [N, C, H, W].
RawImages read_labelled_images(const ArrayStore& store, const std::string& images,
                               const std::string& labels, const std::string& layout);

}  // namespace blindspot::host
