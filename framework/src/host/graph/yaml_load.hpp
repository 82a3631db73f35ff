// Loading an experiment's YAML within bounds, so a small hostile file cannot exhaust the machine.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <string>

#include "graph/problem.hpp"

namespace blindspot::host {

/// Largest experiment file read (the paper's largest experiment is under 10 KB).
constexpr std::size_t kMaxExperimentBytes = std::size_t{1} << 20;
/// Most YAML values (scalars, lists, maps, alias uses) a file may hold or expand to through
/// aliases; an experiment of a thousand nodes needs about 20,000.
constexpr std::size_t kMaxYamlValues = 100000;
/// Deepest nesting of lists and maps (the experiments use 5).
constexpr int kMaxYamlDepth = 64;

/// The problem of a file over kMaxExperimentBytes; `bytes` is its size as text.
std::string too_large(const std::string& bytes);

/// Parses the one document of `text`. Appends a problem and returns nothing for invalid YAML, a
/// file over the bounds above (checked while parsing, before any tree is built) or an expansion
/// over them; appends problems for a second document, duplicate keys and keys that are not names,
/// yet returns the tree so the rest of the file is checked too.
std::optional<YAML::Node> load_bounded(const std::string& text, const std::string& file,
                                       Problems& problems);

}  // namespace blindspot::host
