// `blindspot reproduce`: re-runs an archived experiment and compares every product with it.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>

#include "archive/archive.hpp"
#include "cli/commands.hpp"
#include "cli/print_json.hpp"
#include "cli/ranked_run.hpp"
#include "cli/reproduction.hpp"
#include "cluster/world.hpp"
#include "graph/graph.hpp"
#include "runner/cores.hpp"
#include "runner/progress.hpp"
#include "runner/runner.hpp"

namespace fs = std::filesystem;

namespace blindspot::host {

namespace {

/// A fresh temporary folder of its own (mkdtemp), removed with everything in it when this goes
/// out of scope.
class ScratchFolder {
 public:
  ScratchFolder() {
    std::string pattern = (fs::temp_directory_path() / "blindspot-reproduce-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw Error(pattern, std::string("cannot create a scratch folder: ") + std::strerror(errno));
    path_ = pattern;
  }
  ~ScratchFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// The thread count a run is repeated with: the archived one, for bit-identical results, even
/// above this machine's cores (with a note unless quiet); a count no machine runs is a damaged
/// archive.
int archived_threads(const ExperimentInfo& info, const std::string& archive, bool quiet) {
  constexpr std::int64_t kMostThreads = 1024;
  if (info.threads < 1 || info.threads > kMostThreads)
    throw Error(archive, fmt::format("damaged archive: /experiment records {} threads, expected "
                                     "1 to {}",
                                     info.threads, kMostThreads));
  const int threads = static_cast<int>(info.threads);
  if (const int cores = usable_cores(); threads > cores && !quiet)
    fmt::print(stderr,
               "note: the archive was made with {} threads and this process may use {} cores; "
               "re-running with {} threads, as results depend on the count (slower)\n",
               threads, cores, threads);
  return threads;
}

/// A note, unless quiet, when this launch has another rank count than the archived run: the
/// nodes it shared out across ranks can then differ in the last bits.
void note_other_ranks(const ExperimentInfo& info, const Graph& graph, bool quiet) {
  if (quiet || info.ranks == world::size()) return;
  std::string shared;
  for (const GraphNode& node : graph.nodes)
    if (node.plugin->schema.across_ranks())
      shared += (shared.empty() ? "" : ", ") + node.decl->name;
  if (shared.empty()) return;
  fmt::print(stderr,
             "note: the archive was made on {} MPI rank(s) and this run has {}; nodes shared "
             "out across ranks ({}) repeat bit for bit only on as many ranks (`mpirun -n {} "
             "blindspot reproduce ...`)\n",
             info.ranks, world::size(), shared, info.ranks);
}

}  // namespace

int command_reproduce(const std::string& archive, const PluginOptions& options,
                      const OutputOptions& print) {
  std::optional<ArchiveReader> original;
  ExperimentInfo info;
  Registry registry;  // declared first: outlives every node and product the run creates
  Experiment exp;
  Graph graph;  // points into `exp`
  const int ready = prepare_on_every_rank([&] {
    original.emplace(archive);
    info = original->experiment();
    if (info.status != "complete")
      throw Error(archive, fmt::format("the archive's run is {}, not complete; finish it with "
                                       "`blindspot run --resume` first",
                                       info.status));
    registry.load_default_locations(options.plugin_paths);
    Problems problems;
    exp = parse_experiment(info.yaml, archive + "#/experiment", problems);
    graph = check_graph(exp, registry, problems);
    if (problems.empty()) return 0;
    if (world::rank() != 0) throw Error("", problems.front().text());
    for (const Problem& p : problems) fmt::print(stderr, "{}\n", p.text());
    return 2;
  });
  if (ready != 0) return ready;

  ScratchFolder scratch;
  RunOptions run;
  run.output = scratch.path() / "reproduced.h5";  // a fixed name: nothing archived is a path
  run.threads = archived_threads(info, archive, print.quiet || world::rank() != 0);
  run.quiet = print.quiet || print.json || world::rank() != 0;  // --json: stdout holds it alone
  run.bars = !run.quiet && progress_bars_wanted(print.quiet);
  if (!run.quiet) {
    fmt::print("re-running '{}' ({} nodes, seed {}, {} threads as archived{})\n", info.name,
               graph.nodes.size(), info.seed, run.threads,
               world::size() > 1 ? fmt::format(", on {} ranks", world::size()) : "");
    std::fflush(stdout);
  }
  note_other_ranks(info, graph, run.quiet);
  run_on_every_rank(graph, run, archive, false);
  if (world::rank() != 0) return 0;  // rank 0 holds the archive and compares it

  const ArchiveReader again(run.output);
  std::map<std::string, NodeInfo> rerun;
  for (const NodeInfo& node : again.nodes()) rerun[node.name] = node;
  const std::vector<NodeInfo> nodes = original->nodes();
  std::vector<Verdict> verdicts;
  std::size_t failures = 0;
  for (const NodeInfo& node : nodes) {
    auto found = rerun.find(node.name);
    verdicts.push_back(
        judge(node, found == rerun.end() ? nullptr : &found->second, *original, again, registry));
    failures += verdicts.back().reproduced() ? 0 : 1;
  }
  if (print.json) {
    print_json(reproduction_json(archive, nodes, verdicts, info.versions));
    return failures == 0 ? 0 : 1;
  }
  std::size_t width = 0;
  for (const NodeInfo& node : nodes) width = std::max(width, node.name.size());
  for (std::size_t i = 0; i < nodes.size(); ++i)
    fmt::print("  {:<{}}  {}\n", nodes[i].name, width, verdicts[i].text());
  const auto version = [&](const char* what) {
    auto it = info.versions.find(what);
    return it == info.versions.end() ? std::string("?") : it->second;
  };
  fmt::print("{}: {} of {} nodes reproduced (archived by blindspot {}, commit {}, LibTorch {})\n",
             archive, nodes.size() - failures, nodes.size(), version("blindspot"),
             version("git_commit"), version("libtorch"));
  return failures == 0 ? 0 : 1;
}

}  // namespace blindspot::host
