// Running one plugin node on its own, through the real loader, for a plugin's tests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "blindspot/node.hpp"

namespace blindspot::testing {

/// Products connected by port name, e.g. {{"model", model}, {"data", data}}.
using Connections = std::vector<std::pair<std::string, std::shared_ptr<const Product>>>;

/// Loads `plugin` from the build's plugin folder, validates `with_yaml` (a YAML map such as
/// "{epsilon: 0.25}") against its schema, runs it on `inputs` and returns its outputs.
/// Validation problems and plugin failures are thrown as blindspot::Error.
Outputs run_node(const std::string& plugin, const std::string& with_yaml, const Connections& inputs,
                 std::uint64_t seed = 1);

/// Saves every output as the archive would and restores it through the plugin's restore().
Outputs round_trip(const std::string& plugin, const std::string& with_yaml,
                   const Connections& inputs, const Outputs& outputs);

/// The built-in dataset node on a small, generated, deterministic data set: `count` images of
/// 28x28 in two separable classes, split into train/test halves. No files are read.
std::shared_ptr<const Dataset> tiny_dataset(std::int64_t count = 64, std::uint64_t seed = 1);

}  // namespace blindspot::testing
