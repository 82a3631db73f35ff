// A guard against data that declares more bytes than the machine could hold.
#pragma once

#include <cstdint>
#include <string>

namespace blindspot::host {

/// Throws blindspot::Error naming `where` if `bytes` is more than half this machine's
/// physical memory: a header's giant dimensions are refused before anything is allocated.
void check_fits_in_memory(std::uint64_t bytes, const std::string& where);

}  // namespace blindspot::host
