// The versions and machine facts recorded in every archive.
#pragma once

#include <map>
#include <string>

namespace blindspot::host {

/// blindspot and its git commit, LibTorch, HDF5, Boost, the compiler and the BLAS library.
std::map<std::string, std::string> versions();

/// This machine's host name.
std::string host_name();

/// Current UTC time as ISO 8601 ("2026-11-23T22:01:24Z").
std::string utc_now();

}  // namespace blindspot::host
