// `blindspot run` and `blindspot validate`: read, check, then run an experiment.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdlib>
#include <optional>

#include "cli/commands.hpp"
#include "cli/print_json.hpp"
#include "cli/ranked_run.hpp"
#include "cli/validate_json.hpp"
#include "cluster/world.hpp"
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

/// Loads the plugins, warning on stderr (rank 0's) of every library refused.
void load_plugins(Registry& registry, const PluginOptions& options) {
  registry.load_default_locations(options.plugin_paths);
  if (world::rank() != 0) return;
  for (const RefusedLibrary& refused : registry.refused())
    fmt::print(stderr, "warning: {}: {}\n", refused.path.string(), refused.reason);
}

/// A note when Slurm's srun started this process as one of several tasks that are not MPI
/// ranks (srun without `--mpi=pmix`, or a build without MPI): each task runs alone.
void note_lone_srun_task() {
  const char* tasks = std::getenv("SLURM_STEP_NUM_TASKS");
  if (world::size() > 1 || tasks == nullptr || std::atoi(tasks) < 2) return;
  fmt::print(stderr,
             "note: srun started {} tasks, but not as MPI ranks, so each runs the whole "
             "experiment alone; {}\n",
             tasks,
             world::built_with_mpi() ? "for one run across them, use `srun --mpi=pmix` "
                                       "(`srun --mpi=list` shows what your site offers)"
                                     : "this blindspot was built without MPI");
}

/// The line an interrupted run ends with: what the archive keeps and how to go on.
void report_interrupt(int signal, const KeptNodes& kept, const std::string& file,
                      const std::filesystem::path& output) {
  fmt::print(stderr, "blindspot: interrupted by {}{}\n", signal_name(signal),
             kept_text(kept, file, output));
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
  Registry registry;  // declared first: outlives every node and product the run creates
  Experiment exp;
  Graph graph;  // points into `exp`
  RunOptions run;
  std::optional<OutputLock> lock;  // one run per archive: a second is refused, naming this one
  std::optional<StopOnSignal> stop;
  if (!print.quiet) note_lone_srun_task();
  const int ready = prepare_on_every_rank([&] {
    run.threads = checked_threads(threads, print.quiet || !first);
    load_plugins(registry, options);
    Problems problems;
    exp = read_experiment(file, problems);
    graph = check_graph(exp, registry, problems);
    if (!problems.empty()) {
      if (!first) throw Error("", problems.front().text());
      report_problems(problems);
      return 2;
    }
    run.output = output.empty() ? exp.name + ".h5" : output;
    run.resume = resume;
    run.quiet = print.quiet || !first;
    run.bars = !run.quiet && progress_bars_wanted(print.quiet);
    if (first) {
      lock.emplace(run.output);
      stop.emplace([&](int signal, const KeptNodes& kept) {
        report_interrupt(signal, kept, file, run.output);
        lock->release();
      });
    }
    return 0;
  });
  if (ready != 0) return ready;
  std::signal(SIGXFSZ, SIG_IGN);  // past a file size limit, a write fails instead of killing us
  if (!run.quiet) {
    fmt::print("running '{}' ({} nodes) into {}{}\n", exp.name, graph.nodes.size(),
               run.output.string(),
               world::size() > 1 ? fmt::format(" on {} ranks", world::size()) : "");
    std::fflush(stdout);
  }
  run_on_every_rank(graph, run, file, true);
  if (!run.quiet) fmt::print("archive written: {}\n", run.output.string());
  return 0;
}

}  // namespace blindspot::host
