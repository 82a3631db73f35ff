// The version facts, as `blindspot --version` prints them.
#include "cli/version_text.hpp"

#include <fmt/format.h>

#include <map>
#include <utility>

#include "runner/versions.hpp"

namespace blindspot::host {

std::string version_text() {
  const std::map<std::string, std::string> facts = versions();
  const auto fact = [&](const char* key) {
    const auto found = facts.find(key);
    return found == facts.end() ? std::string("unknown") : found->second;
  };
  std::string text =
      fmt::format("blindspot {} (commit {})\n", fact("blindspot"), fact("git_commit"));
  const std::pair<const char*, const char*> lines[] = {
      {"LibTorch", "libtorch"}, {"BLAS", "blas"},   {"BLAS core", "blas_kernels"},
      {"HDF5", "hdf5"},         {"Boost", "boost"}, {"compiler", "compiler"},
  };
  for (const auto& [label, key] : lines) text += fmt::format("{:<9} {}\n", label, fact(key));
  return text;
}

}  // namespace blindspot::host
