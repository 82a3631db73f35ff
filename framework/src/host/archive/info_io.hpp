// ExperimentInfo and NodeInfo as attributes of /experiment and /nodes/NAME.
#pragma once

#include <cstdint>
#include <string>

#include "archive/archive.hpp"
#include "archive/h5_handle.hpp"

namespace blindspot::host {

/// Creates /experiment in `file` holding `info`; an existing /experiment is replaced.
void write_experiment(const H5Handle& file, const ExperimentInfo& info);

/// The archive's format: /experiment's format_version, 1 when it has none.
std::int64_t read_format(const H5Handle& file);

/// Reads /experiment of `file`.
ExperimentInfo read_experiment(const H5Handle& file);

/// Writes a node's attributes, and `order`, its position among the archive's nodes.
void write_node_info(const H5Handle& node, const NodeInfo& info, std::int64_t order);

/// Reads a node's attributes; `name` is its group's name.
NodeInfo read_node_info(const H5Handle& node, const std::string& name);

/// The position of a node among the archive's nodes (its `order` attribute).
std::int64_t read_node_order(const H5Handle& node);

/// Sets the position of a node among the archive's nodes.
void write_node_order(const H5Handle& node, std::int64_t order);

}  // namespace blindspot::host
