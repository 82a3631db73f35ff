// Where blindspot keeps data it converts itself (the MNIST digits made by scripts/setup).
#pragma once

#include <filesystem>

namespace blindspot::host {

/// The data folder: $BLINDSPOT_DATA_DIR if set and not empty, else data/ in the source tree.
std::filesystem::path data_dir();

}  // namespace blindspot::host
