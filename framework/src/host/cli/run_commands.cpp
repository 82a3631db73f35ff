// `blindspot run` and `blindspot validate`: read, check, then run an experiment.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <csignal>
#include <stdexcept>

#include "archive/archive.hpp"
#include "cli/commands.hpp"
#include "cli/print_json.hpp"
#include "cli/validate_json.hpp"
#include "graph/graph.hpp"
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

/// Loads the plugins, warning on stderr of every library refused.
void load_plugins(Registry& registry, const PluginOptions& options) {
  registry.load_default_locations(options.plugin_paths);
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

/// The line an interrupted run ends with: what the archive keeps and how to go on.
void report_interrupt(int signal, const KeptNodes& kept, const std::string& file,
                      const std::filesystem::path& output) {
  std::string line = fmt::format("blindspot: interrupted by {}", signal_name(signal));
  if (kept.complete) {
    line += fmt::format(" after the archive was written: {}", kept.archive.string());
  } else if (kept.archive.empty()) {
    line += " before the run's archive was started; no file was changed";
  } else if (kept.nodes.empty()) {
    std::error_code ignored;
    std::filesystem::remove(kept.archive, ignored);
    line += " before any node finished; nothing was kept";
  } else {
    std::string names;
    for (const std::string& node : kept.nodes) names += (names.empty() ? "" : ", ") + node;
    line += fmt::format(
        "; {} finished node(s) are kept in {} ({}); resume with `blindspot run {} "
        "-o {} --resume`",
        kept.nodes.size(), kept.archive.string(), names, file, output.string());
  }
  fmt::print(stderr, "{}\n", line);
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
  const int run_threads = checked_threads(threads, print.quiet);
  Registry registry;  // declared first: outlives every node and product the run creates
  load_plugins(registry, options);
  Problems problems;
  Experiment exp = read_experiment(file, problems);
  Graph graph = check_graph(exp, registry, problems);
  if (!report_problems(problems)) return 2;
  RunOptions run;
  run.output = output.empty() ? exp.name + ".h5" : output;
  run.resume = resume;
  run.threads = run_threads;
  run.bars = progress_bars_wanted(print.quiet);
  run.quiet = print.quiet;
  OutputLock lock(run.output);  // one run per archive: a second is refused, naming this one
  StopOnSignal stop([&](int signal, const KeptNodes& kept) {
    report_interrupt(signal, kept, file, run.output);
    lock.release();
  });
  std::signal(SIGXFSZ, SIG_IGN);  // past a file size limit, a write fails instead of killing us
  if (!print.quiet) {
    fmt::print("running '{}' ({} nodes) into {}\n", exp.name, graph.nodes.size(),
               run.output.string());
    std::fflush(stdout);
  }
  try {
    run_experiment(graph, run);
  } catch (const Error& e) {
    throw Error(e.where(), e.message() + keep_or_remove_partial(file, run.output));
  } catch (const std::exception& e) {
    throw std::runtime_error(e.what() + keep_or_remove_partial(file, run.output));
  }
  if (!print.quiet) fmt::print("archive written: {}\n", run.output.string());
  return 0;
}

}  // namespace blindspot::host
