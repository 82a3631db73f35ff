// The data folder, from the environment or the build's default.
#include "data/data_dir.hpp"

#include <cstdlib>

#include "build_info.hpp"

namespace blindspot::host {

std::filesystem::path data_dir() {
  const char* env = std::getenv("BLINDSPOT_DATA_DIR");
  return env && *env ? std::filesystem::path(env)
                     : std::filesystem::path(BLINDSPOT_DEFAULT_DATA_DIR);
}

}  // namespace blindspot::host
