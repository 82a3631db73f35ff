// What `blindspot --version` prints.
#pragma once

#include <string>

namespace blindspot::host {

/// "blindspot VERSION (commit C)" and, one per line, LibTorch, the BLAS library this process
/// loaded, HDF5, Boost and the compiler: the facts every archive records.
std::string version_text();

}  // namespace blindspot::host
