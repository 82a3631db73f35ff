// `blindspot run` and `blindspot validate`: read, check, then run an experiment.
#include <fmt/format.h>

#include "archive/archive.hpp"
#include "cli/commands.hpp"
#include "graph/graph.hpp"
#include "runner/progress.hpp"
#include "runner/runner.hpp"

namespace blindspot::host {

namespace {

/// Prints every problem on its own line; true if there were none.
bool report_problems(const Problems& problems) {
  for (const Problem& p : problems) fmt::print(stderr, "{}\n", p.text());
  return problems.empty();
}

void load_plugins(Registry& registry, const PluginOptions& options) {
  registry.load_default_locations(options.plugin_paths);
  for (const RefusedLibrary& refused : registry.refused())
    fmt::print(stderr, "warning: {}: {}\n", refused.path.string(), refused.reason);
}

/// After a failed run: points at the partial if it holds finished nodes, else removes it.
void keep_or_remove_partial(const std::filesystem::path& output) {
  std::filesystem::path partial = partial_path_for(output);
  std::size_t finished = 0;
  try {
    finished = ArchiveReader(partial).nodes().size();
  } catch (const Error&) {
    return;  // no readable partial: nothing to keep or remove
  }
  if (finished == 0) {
    std::filesystem::remove(partial);
    return;
  }
  fmt::print(stderr, "{} finished node(s) are kept in {}; rerun with --resume\n", finished,
             partial.string());
}

}  // namespace

int command_validate(const std::string& file, const PluginOptions& options) {
  Registry registry;
  load_plugins(registry, options);
  Problems problems;
  Experiment exp = read_experiment(file, problems);
  check_graph(exp, registry, problems);
  if (!report_problems(problems)) return 2;
  fmt::print("{}: experiment '{}' is valid ({} nodes)\n", file, exp.name, exp.nodes.size());
  return 0;
}

int command_run(const std::string& file, const std::string& output, bool resume, int threads,
                const PluginOptions& options) {
  Registry registry;  // declared first: outlives every node and product the run creates
  load_plugins(registry, options);
  Problems problems;
  Experiment exp = read_experiment(file, problems);
  Graph graph = check_graph(exp, registry, problems);
  if (!report_problems(problems)) return 2;
  RunOptions run;
  run.output = output.empty() ? exp.name + ".h5" : output;
  run.resume = resume;
  run.threads = threads;
  run.bars = stderr_is_terminal();
  fmt::print("running '{}' ({} nodes) into {}\n", exp.name, graph.nodes.size(),
             run.output.string());
  std::fflush(stdout);
  try {
    run_experiment(graph, run);
  } catch (...) {
    keep_or_remove_partial(run.output);
    throw;
  }
  fmt::print("archive written: {}\n", run.output.string());
  return 0;
}

}  // namespace blindspot::host
