// Collecting version facts: compile-time macros and the BLAS library actually mapped.
#include "runner/versions.hpp"

#include <H5public.h>
#include <dlfcn.h>
#include <fmt/format.h>
#include <torch/version.h>
#include <unistd.h>
#include <boost/version.hpp>

#include <ctime>
#include <fstream>

#include "build_info.hpp"
#include "git_commit.hpp"

namespace blindspot::host {

namespace {

// The BLAS shared object this process has mapped (OpenBLAS is required; see README).
std::string blas_library() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::size_t slash = line.find('/');
    if (slash == std::string::npos) continue;
    std::string path = line.substr(slash);
    if (path.find("openblas") != std::string::npos || path.find("libblas") != std::string::npos)
      return path;
  }
  return "unknown";
}

// The kernels OpenBLAS chose for this CPU (OPENBLAS_CORETYPE's names, such as "Haswell"):
// with the library, they decide the last bits of every float result.
std::string blas_kernels() {
  using CoreName = const char* (*)();
  const auto core_name = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  const char* name = core_name ? core_name() : nullptr;
  return name && *name ? name : "unknown";
}

}  // namespace

std::map<std::string, std::string> versions() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return {
      {"blindspot", BLINDSPOT_VERSION},
      {"git_commit", BLINDSPOT_GIT_COMMIT},
      {"libtorch", TORCH_VERSION},
      {"hdf5", fmt::format("{}.{}.{}", major, minor, release)},
      {"boost", fmt::format("{}.{}.{}", BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000,
                            BOOST_VERSION % 100)},
      {"compiler", __VERSION__},
      {"blas", blas_library()},
      {"blas_kernels", blas_kernels()},
  };
}

std::string host_name() {
  char buffer[256] = {};
  gethostname(buffer, sizeof buffer - 1);
  return buffer;
}

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

}  // namespace blindspot::host
