// The IDX files of a data folder: a train and a test pair, or a single pool pair.
#pragma once

#include <filesystem>
#include <optional>

#include "data/raw_images.hpp"

namespace blindspot::host {

/// An images file and the labels file that goes with it.
struct IdxPair {
  std::filesystem::path images, labels;
};

/// The files found in a data folder: `pool` alone, or `train` and `test` together.
struct IdxFolder {
  std::optional<IdxPair> train, test, pool;
};

/// Finds train-*/t10k-* or images-*/labels-* files (each plain or .gz) in `folder`; throws
/// blindspot::Error naming the folder and the expected files if it holds neither layout.
IdxFolder find_idx_files(const std::filesystem::path& folder);

/// Reads a pair and checks its shapes: images [N, H, W] in the file, returned as uint8
/// [N, 1, H, W]; labels [N].
RawImages read_pair(const IdxPair& pair);

}  // namespace blindspot::host
