// ExperimentInfo and NodeInfo as attributes of /experiment and /nodes/NAME.
#include "archive/info_io.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "blindspot/error.hpp"

#include "archive/h5_attribute.hpp"
#include "archive/h5_group.hpp"

namespace blindspot::host {
namespace {

// Each entry of ExperimentInfo::versions is the attribute "version_<key>".
const std::string kVersionPrefix = "version_";
const char* const kExperiment = "experiment";
const char* const kOrder = "order";
const char* const kFormatVersion = "format_version";
// A node's edges: one line "PORT=NODE.PORT" per connection, "PORT=" for an empty list port.
const char* const kInputs = "inputs";

std::string inputs_text(const std::map<std::string, std::vector<std::string>>& inputs) {
  std::string text;
  for (const auto& [port, sources] : inputs) {
    if (sources.empty()) text += port + "=\n";
    for (const std::string& source : sources) text += port + "=" + source + "\n";
  }
  return text;
}

std::map<std::string, std::vector<std::string>> parse_inputs(const std::string& text) {
  std::map<std::string, std::vector<std::string>> inputs;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string line = text.substr(start, end - start);
    const std::size_t equals = line.find('=');
    if (equals == std::string::npos || equals == 0)
      throw Error("", fmt::format("its inputs hold the line '{}'; expected PORT=NODE.PORT", line));
    std::vector<std::string>& sources = inputs[line.substr(0, equals)];
    if (equals + 1 < line.size()) sources.push_back(line.substr(equals + 1));
    start = end + 1;
  }
  return inputs;
}

}  // namespace

void write_experiment(const H5Handle& file, const ExperimentInfo& info) {
  if (has_link(file, kExperiment)) remove_link(file, kExperiment);
  const H5Handle group = create_group(file, kExperiment);
  write_attribute(group, "name", info.name);
  write_attribute(group, "yaml", info.yaml);
  write_attribute(group, "yaml_hash", info.yaml_hash);
  write_attribute(group, "seed", info.seed);
  write_attribute(group, "started", info.started);
  write_attribute(group, "finished", info.finished);
  write_attribute(group, "status", info.status);
  write_attribute(group, "host", info.host);
  write_attribute(group, "threads", info.threads);
  write_attribute(group, "ranks", info.ranks);
  write_attribute(group, kFormatVersion, std::int64_t{kArchiveFormat});
  for (const auto& [key, version] : info.versions)
    write_attribute(group, kVersionPrefix + key, version);
}

std::int64_t read_format(const H5Handle& file) {
  const H5Handle group = open_group(file, kExperiment);
  const std::vector<std::string> names = attribute_names(group);
  return std::find(names.begin(), names.end(), kFormatVersion) == names.end()
             ? 1
             : read_attribute<std::int64_t>(group, kFormatVersion);
}

ExperimentInfo read_experiment(const H5Handle& file) {
  const H5Handle group = open_group(file, kExperiment);
  ExperimentInfo info;
  info.name = read_attribute<std::string>(group, "name");
  info.yaml = read_attribute<std::string>(group, "yaml");
  info.yaml_hash = read_attribute<std::string>(group, "yaml_hash");
  info.seed = read_attribute<std::uint64_t>(group, "seed");
  info.started = read_attribute<std::string>(group, "started");
  info.finished = read_attribute<std::string>(group, "finished");
  info.status = read_attribute<std::string>(group, "status");
  info.host = read_attribute<std::string>(group, "host");
  info.threads = read_attribute<std::int64_t>(group, "threads");
  info.format = read_format(file);
  const std::vector<std::string> names = attribute_names(group);
  if (std::find(names.begin(), names.end(), "ranks") != names.end())
    info.ranks = read_attribute<std::int64_t>(group, "ranks");
  for (const std::string& name : names)
    if (name.compare(0, kVersionPrefix.size(), kVersionPrefix) == 0)
      info.versions[name.substr(kVersionPrefix.size())] = read_attribute<std::string>(group, name);
  return info;
}

void write_node_info(const H5Handle& node, const NodeInfo& info, std::int64_t order) {
  write_attribute(node, "plugin", info.plugin);
  write_attribute(node, "plugin_version", info.plugin_version);
  write_attribute(node, "parameters", info.parameters);
  write_attribute(node, "key", info.key);
  write_attribute(node, "status", info.status);
  write_attribute(node, "seed", info.seed);
  write_attribute(node, "duration", info.duration);
  if (info.inputs) write_attribute(node, kInputs, inputs_text(*info.inputs));
  write_node_order(node, order);
}

NodeInfo read_node_info(const H5Handle& node, const std::string& name) {
  NodeInfo info;
  info.name = name;
  info.plugin = read_attribute<std::string>(node, "plugin");
  info.plugin_version = read_attribute<std::string>(node, "plugin_version");
  info.parameters = read_attribute<std::string>(node, "parameters");
  info.key = read_attribute<std::string>(node, "key");
  info.status = read_attribute<std::string>(node, "status");
  info.seed = read_attribute<std::uint64_t>(node, "seed");
  info.duration = read_attribute<double>(node, "duration");
  const std::vector<std::string> names = attribute_names(node);
  if (std::find(names.begin(), names.end(), kInputs) != names.end())
    info.inputs = parse_inputs(read_attribute<std::string>(node, kInputs));
  return info;
}

std::int64_t read_node_order(const H5Handle& node) {
  return read_attribute<std::int64_t>(node, kOrder);
}

void write_node_order(const H5Handle& node, std::int64_t order) {
  write_attribute(node, kOrder, order);
}

}  // namespace blindspot::host
