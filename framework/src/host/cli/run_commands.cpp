// `blindspot run` and `blindspot validate`: read, check, then run an experiment.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <thread>

#include "archive/archive.hpp"
#include "cli/commands.hpp"
#include "cli/print_json.hpp"
#include "cli/validate_json.hpp"
#include "cluster/tags.hpp"
#include "cluster/world.hpp"
#include "graph/graph.hpp"
#include "graph/printable.hpp"
#include "runner/cores.hpp"
#include "runner/output_lock.hpp"
#include "runner/progress.hpp"
#include "runner/runner.hpp"
#include "runner/stop_on_signal.hpp"

namespace blindspot::host {

namespace {

/// Prints every problem on its own line; true if there were none.
bool report_problems(const Problems& problems) {
  for (const Problem& p : problems) fmt::print(stderr, "{}\n", p.text());
  return problems.empty();
}

/// The thread count to run with: `threads` (0: the default), refused when negative and capped,
/// with a note unless quiet, at the cores this process may use.
int checked_threads(int threads, bool quiet) {
  if (threads < 0) throw Error("--threads", "expected a positive number of threads");
  const int cores = usable_cores();
  if (threads <= cores) return threads;
  // More threads than cores only slows LibTorch down; 100,000 of them never finish starting.
  if (!quiet)
    fmt::print(stderr,
               "note: --threads {} is more than the {} cores this process may use; using {}\n",
               threads, cores, cores);
  return cores;
}

/// Loads the plugins, warning on stderr (rank 0's) of every library refused.
void load_plugins(Registry& registry, const PluginOptions& options) {
  registry.load_default_locations(options.plugin_paths);
  if (world::rank() != 0) return;
  for (const RefusedLibrary& refused : registry.refused())
    fmt::print(stderr, "warning: {}: {}\n", refused.path.string(), refused.reason);
}

/// After a failed run: what became of the finished nodes, to end its one-line message. An
/// unreadable or empty partial is removed.
std::string keep_or_remove_partial(const std::string& file, const std::filesystem::path& output) {
  const std::filesystem::path partial = partial_path_for(output);
  std::size_t finished = 0;
  try {
    finished = ArchiveReader(partial).nodes().size();
  } catch (const Error&) {
    return "";  // no readable partial: nothing to keep or remove
  }
  if (finished == 0) {
    std::error_code ignored;
    std::filesystem::remove(partial, ignored);
    return "";
  }
  return fmt::format(
      "; {} finished node(s) are kept in {}; resume with `blindspot run {} -o {} "
      "--resume`",
      finished, partial.string(), file, output.string());
}

/// The end of the line of a run stopped early: what the archive keeps and how to go on. An
/// archive that holds no finished node is removed.
std::string kept_text(const KeptNodes& kept, const std::string& file,
                      const std::filesystem::path& output) {
  if (kept.complete)
    return fmt::format(" after the archive was written: {}", kept.archive.string());
  if (kept.archive.empty()) return " before the run's archive was started; no file was changed";
  if (kept.nodes.empty()) {
    std::error_code ignored;
    std::filesystem::remove(kept.archive, ignored);
    return " before any node finished; nothing was kept";
  }
  std::string names;
  for (const std::string& node : kept.nodes) names += (names.empty() ? "" : ", ") + node;
  return fmt::format(
      "; {} finished node(s) are kept in {} ({}); resume with `blindspot run {} -o {} --resume`",
      kept.nodes.size(), kept.archive.string(), names, file, output.string());
}

/// The line an interrupted run ends with: what the archive keeps and how to go on.
void report_interrupt(int signal, const KeptNodes& kept, const std::string& file,
                      const std::filesystem::path& output) {
  fmt::print(stderr, "blindspot: interrupted by {}{}\n", signal_name(signal),
             kept_text(kept, file, output));
}

/// A failure reported by another rank: its exit code, then its line.
std::string failure_message(int code, const std::string& line) {
  return std::to_string(code) + "\n" + line;
}

/// On rank 0 of a run across ranks: when another rank reports that a node failed there, says
/// so in one line with what the archive keeps, once no archive write is under way, and ends
/// every rank with that rank's exit code.
void end_run_when_a_rank_fails(const std::string& file, const std::filesystem::path& output) {
  world::watch(tags::kFailure, [file, output](const Message& message) {
    const std::size_t newline = message.bytes.find('\n');
    const int code = newline == std::string::npos ? 1 : std::atoi(message.bytes.c_str());
    const std::string line =
        newline == std::string::npos ? message.bytes : message.bytes.substr(newline + 1);
    const auto hold = hold_signals();
    std::fflush(stdout);
    fmt::print(stderr, "blindspot: {}{}\n", printable(line), kept_text(kept_nodes(), file, output));
    std::fflush(stderr);
    world::abort(code == 2 ? 2 : 1);
  });
}

/// On rank 0 of a run across ranks, when the run failed here: says so in one line and ends
/// every rank.
[[noreturn]] void end_every_rank(int code, const std::string& line) {
  std::fflush(stdout);
  fmt::print(stderr, "blindspot: {}\n", printable(line));
  std::fflush(stderr);
  world::abort(code);
}

/// On a rank other than 0: tells rank 0 that the run failed here, and waits to be ended.
[[noreturn]] void report_failure_to_rank_0(int code, const std::string& what) {
  world::post(0, tags::kFailure,
              failure_message(code, fmt::format("run failed on rank {} of {}: {}", world::rank(),
                                                world::size(), what)));
  while (true) std::this_thread::sleep_for(std::chrono::seconds(1));
}

}  // namespace

int command_validate(const std::string& file, const PluginOptions& options,
                     const OutputOptions& print) {
  Registry registry;
  load_plugins(registry, options);
  Problems problems;
  Experiment exp = read_experiment(file, problems);
  check_graph(exp, registry, problems);
  if (print.json) {
    print_json(validation_json(file, exp, problems));
    return problems.empty() ? 0 : 2;
  }
  if (!report_problems(problems)) return 2;
  if (!print.quiet)
    fmt::print("{}: experiment '{}' is valid ({} nodes)\n", file, exp.name, exp.nodes.size());
  return 0;
}

int command_run(const std::string& file, const std::string& output, bool resume, int threads,
                const PluginOptions& options, const OutputOptions& print) {
  // In a run across MPI ranks, rank 0 prints and writes the archive; the others stay silent.
  const bool first = world::rank() == 0;
  const int run_threads = checked_threads(threads, print.quiet || !first);
  Registry registry;  // declared first: outlives every node and product the run creates
  load_plugins(registry, options);
  Problems problems;
  Experiment exp = read_experiment(file, problems);
  Graph graph = check_graph(exp, registry, problems);
  if (!problems.empty()) {
    if (first) report_problems(problems);
    return 2;
  }
  RunOptions run;
  run.output = output.empty() ? exp.name + ".h5" : output;
  run.resume = resume;
  run.threads = run_threads;
  run.quiet = print.quiet || !first;
  run.bars = !run.quiet && progress_bars_wanted(print.quiet);
  std::optional<OutputLock> lock;  // one run per archive: a second is refused, naming this one
  std::optional<StopOnSignal> stop;
  if (first) {
    lock.emplace(run.output);
    stop.emplace([&](int signal, const KeptNodes& kept) {
      report_interrupt(signal, kept, file, run.output);
      lock->release();
    });
  }
  std::signal(SIGXFSZ, SIG_IGN);  // past a file size limit, a write fails instead of killing us
  if (!run.quiet) {
    fmt::print("running '{}' ({} nodes) into {}{}\n", exp.name, graph.nodes.size(),
               run.output.string(),
               world::size() > 1 ? fmt::format(" on {} ranks", world::size()) : "");
    std::fflush(stdout);
  }
  if (first && world::size() > 1) end_run_when_a_rank_fails(file, run.output);
  try {
    run_experiment(graph, run);
  } catch (const Error& e) {
    if (!first) report_failure_to_rank_0(2, e.what());
    Error error(e.where(), e.message() + keep_or_remove_partial(file, run.output));
    if (world::size() > 1)
      end_every_rank(2, fmt::format("{} (rank 0 of {})", error.what(), world::size()));
    throw error;
  } catch (const std::exception& e) {
    if (!first) report_failure_to_rank_0(1, e.what());
    const std::string what = e.what() + keep_or_remove_partial(file, run.output);
    if (world::size() > 1)
      end_every_rank(1, fmt::format("run failed on rank 0 of {}: {}", world::size(), what));
    throw std::runtime_error(what);
  }
  if (!run.quiet) fmt::print("archive written: {}\n", run.output.string());
  return 0;
}

}  // namespace blindspot::host
