// Running an experiment on every rank of a launch, and ending them all when one fails.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "graph/graph.hpp"
#include "runner/runner.hpp"
#include "runner/stop_on_signal.hpp"

namespace blindspot::host {

/// The end of the line of a run stopped early: what the archive keeps and how to go on (`file`
/// is the experiment file to resume). An archive that holds no finished node is removed.
std::string kept_text(const KeptNodes& kept, const std::string& file,
                      const std::filesystem::path& output);

/// Runs `prepare`, which readies a run on this rank (reads the experiment, takes the output's
/// lock) and returns 0 or an exit code. Across MPI ranks every rank then waits until all have
/// prepared, so that none waits for ever on a rank that stopped: if any failed, every rank
/// returns the exit code of the first that did (rank 0 throws its own failure again), and rank
/// 0, when it was ready itself, prints the failed rank's line. Alone, returns what `prepare` does.
int prepare_on_every_rank(const std::function<int()>& prepare);

/// Runs `graph` as `run` says, on this process's rank. Alone, a failure is thrown as it came,
/// its message ending with what the partial keeps when `resumable` (with `file`, the experiment
/// to resume). Across MPI ranks, a failure on any rank ends every rank at once with one line on
/// rank 0 naming the rank: exit 2 for bad input (an Error), 1 for anything else.
void run_on_every_rank(const Graph& graph, const RunOptions& run, const std::string& file,
                       bool resumable);

}  // namespace blindspot::host
