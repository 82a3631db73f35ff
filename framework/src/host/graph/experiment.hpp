// An experiment file read into plain data with the location of every key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "blindspot/value.hpp"
#include "graph/problem.hpp"

namespace blindspot::host {

/// A reference from an input port to another node ("node" or "node.port").
struct InputRef {
  std::string node;
  std::string port;  // empty: the node's single output of the needed kind
  Mark mark;
};

/// One node as declared: plugin, inputs and parameters, with locations.
struct NodeDecl {
  std::string name;
  Mark mark;
  std::string plugin;
  Mark plugin_mark;
  std::map<std::string, std::vector<InputRef>> inputs;
  std::map<std::string, Mark> input_marks;
  std::map<std::string, bool> input_lists;  // port written as a YAML list
  std::map<std::string, Value> with;
  std::map<std::string, Mark> with_marks;
  Mark with_mark;
  std::string from;  // "ARCHIVE.h5#/nodes/NAME": load the products instead of running
  Mark from_mark;
};

/// A table an experiment declares it reproduces (`reproduces:`), with its location.
struct ReproducedTable {
  std::string id;  // one a report plugin provides (Schema::provides)
  Mark mark;
};

/// A whole experiment file.
struct Experiment {
  std::string file;  // as given on the command line, for messages
  std::string text;  // the file's bytes, archived verbatim
  std::string name;
  std::string description;
  std::vector<ReproducedTable> reproduces;  // the tables a report plugin builds from the archive
  std::uint64_t seed = 0;
  std::vector<NodeDecl> nodes;  // in declaration order
};

/// Reads `path`; appends a problem for every structural error (bad YAML, unknown or missing
/// keys, wrong shapes). Nothing is checked against plugins here.
Experiment read_experiment(const std::filesystem::path& path, Problems& problems);
/// Same, from text (for tests); `file` is used in messages.
Experiment parse_experiment(const std::string& text, const std::string& file, Problems& problems);

}  // namespace blindspot::host
