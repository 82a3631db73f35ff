// Running a checked experiment graph into an HDF5 archive, resuming from an earlier one.
#pragma once

#include <filesystem>

#include "graph/graph.hpp"

namespace blindspot::host {

/// How to run an experiment.
struct RunOptions {
  std::filesystem::path output;  // final archive path
  bool resume = false;           // reuse nodes whose key matches in OUT.partial or OUT
  int threads = 0;               // LibTorch threads; 0 = usable_cores()
  bool bars = false;             // draw progress bars (see progress_bars_wanted())
  bool quiet = false;            // print no node lines, summary or plugin log lines
};

/// Runs every node in order. Returns normally when the archive is complete; throws
/// blindspot::Error (bad input) or another exception (a failed run) after keeping every
/// finished node in OUT.partial.
void run_experiment(const Graph& graph, const RunOptions& options);

}  // namespace blindspot::host
