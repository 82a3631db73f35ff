// Ctrl-C and SIGTERM during a run: stop between archive writes and say what was kept.
#pragma once

#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace blindspot::host {

/// What the run's archive holds so far, for the message of an interrupted run.
struct KeptNodes {
  std::filesystem::path archive;   // the partial while running, the final archive once finished
  std::vector<std::string> nodes;  // finished nodes in it, in order
  bool complete = false;           // the archive is finished and renamed
};

/// While alive, SIGINT and SIGTERM end the process once no archive write is under way: a
/// watcher thread calls `report(signal, kept)` and exits with 128 + signal. The running node is
/// abandoned, as a crash would abandon it; the partial keeps every node finished before it.
class StopOnSignal {
 public:
  explicit StopOnSignal(std::function<void(int, const KeptNodes&)> report);
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;
  ~StopOnSignal();
};

/// Held while the archive is written: a signal is acted on only once it is let go.
std::unique_lock<std::mutex> hold_signals();

/// Records what the archive holds now; call while holding hold_signals().
void set_kept(KeptNodes kept);

/// What the archive holds now; call while holding hold_signals().
const KeptNodes& kept_nodes();

/// "SIGINT", "SIGTERM", or "signal N".
std::string signal_name(int signal);

}  // namespace blindspot::host
