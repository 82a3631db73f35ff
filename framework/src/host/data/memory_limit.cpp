// Refusing allocations larger than half the machine's memory, with one clear line.
#include "data/memory_limit.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include "blindspot/error.hpp"

namespace blindspot::host {

void check_fits_in_memory(std::uint64_t bytes, const std::string& where) {
  const long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return;  // unknown: let the allocation decide
  const double memory = static_cast<double>(pages) * static_cast<double>(page_size);
  if (static_cast<double>(bytes) <= memory / 2) return;
  throw Error(where, fmt::format("declares {:.1f} GB of data, more than half this machine's "
                                 "memory ({:.1f} GB)",
                                 static_cast<double>(bytes) / 1e9, memory / 1e9));
}

}  // namespace blindspot::host
