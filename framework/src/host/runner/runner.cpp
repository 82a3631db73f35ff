// The runner: keys, seeds, resume, execution order and one archive write per finished node.
#include "runner/runner.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "archive/archive.hpp"
#include "cluster/record_bytes.hpp"
#include "cluster/tags.hpp"
#include "cluster/world.hpp"
#include "cluster/world_ranks.hpp"
#include "graph/params.hpp"
#include "graph/value_json.hpp"
#include "runner/context.hpp"
#include "runner/cores.hpp"
#include "runner/hash.hpp"
#include "runner/out_of_memory.hpp"
#include "runner/rank_plan.hpp"
#include "runner/resume.hpp"
#include "runner/stop_on_signal.hpp"
#include "runner/versions.hpp"

namespace blindspot::host {

namespace fs = std::filesystem;

namespace {

/// Digest of a file's bytes, or of a folder's files (names and bytes, in name order).
std::string content_digest(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    // With error codes: a symlink loop or an unreadable subfolder must not end the run here.
    for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code entry_ec;
      if (it->is_regular_file(entry_ec)) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    std::string text;
    for (const fs::path& file : files)
      text += fs::relative(file, path).string() + ":" + content_digest(file) + "\n";
    return digest(text);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return "missing";
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return digest(bytes.str());
}

/// Digests of the files a node's parameters name (`.file()`), or of those a built-in says it
/// reads, so a changed file changes the key.
std::string file_digests(const GraphNode& node) {
  std::string text;
  if (node.plugin->files_read) {
    for (const fs::path& file : node.plugin->files_read(node.params))
      text += fmt::format("{}={}\n", file.string(), content_digest(file));
    return text;
  }
  for (const ParamSpec& spec : node.plugin->schema.params()) {
    auto value = node.params.find(spec.name);
    if (!spec.names_file || value == node.params.end() || value->second.string.empty()) continue;
    text += fmt::format("{}={}\n", spec.name, content_digest(value->second.string));
  }
  return text;
}

/// Cache key of every node, in graph order: plugin, version, parameters, input keys, seed.
std::vector<std::string> node_keys(const Graph& graph, std::uint64_t seed) {
  std::vector<std::string> keys(graph.nodes.size());
  for (std::size_t i : graph.order) {
    const GraphNode& node = graph.nodes[i];
    if (node.from) {  // loaded, not computed: the source node's key identifies the products
      keys[i] = digest(
          fmt::format("from\n{}\n{}\n{}", node.from->archive, node.from->node, node.from->key));
      continue;
    }
    std::string text =
        fmt::format("{}\n{}\n{}\n{}", node.plugin->entry->name, node.plugin->entry->version,
                    node.plugin->schema.tracked_text(node.params), file_digests(node));
    text += component_versions(*graph.registry, node.plugin->schema, node.params);
    for (const auto& [port, connections] : node.inputs)
      for (const Connection& c : connections) text += fmt::format("{}={}\n", port, keys[c.node]);
    text += std::to_string(node_seed(seed, node.decl->name));
    keys[i] = digest(text);
  }
  return keys;
}

/// A plugin that breaks its own declaration: a failed run (exit 1), not bad input.
std::runtime_error plugin_bug(const GraphNode& node, const std::string& what) {
  return std::runtime_error(
      fmt::format("node '{}': plugin '{}' {}", node.decl->name, node.decl->plugin, what));
}

/// Checks that every declared output is present with its declared kind.
void check_outputs(const GraphNode& node, const Outputs& out) {
  for (const PortSpec& port : node.plugin->schema.outputs()) {
    std::shared_ptr<const Product> product = out.find(port.name);
    if (!product) throw plugin_bug(node, fmt::format("produced no output '{}'", port.name));
    if (product->kind() != port.kind)
      throw plugin_bug(node, fmt::format("made output '{}' a {}, declared as {}", port.name,
                                         kind_name(product->kind()), kind_name(port.kind)));
  }
}

/// The archive records of a node's checked outputs, each tagged with its kind.
StoredProducts records(const GraphNode& node, const Outputs& out) {
  check_outputs(node, out);
  StoredProducts stored;
  for (const PortSpec& port : node.plugin->schema.outputs()) {
    std::shared_ptr<const Product> product = out.find(port.name);
    Record record = product->save();
    for (const auto& [name, tensor] : record.tensors)
      if (!tensor.defined())
        throw plugin_bug(node, fmt::format("left '{}' of output '{}' empty", name, port.name));
    record.attributes["kind"] = kind_name(product->kind());
    stored[port.name] = std::move(record);
  }
  return stored;
}

/// One line of the run's closing summary.
struct NodeTiming {
  std::string name, plugin, how;
  double seconds = 0.0;
  std::int64_t examples = 0;  // samples of the adversarial sets it made
};

/// Time per node and, for nodes that make adversarial sets, examples per second.
void print_summary(const std::vector<NodeTiming>& timings) {
  std::size_t width = 4;
  double total = 0.0;
  for (const NodeTiming& t : timings) {
    width = std::max(width, t.name.size() + t.plugin.size() + 3);
    total += t.seconds;
  }
  fmt::print("summary:\n");
  for (const NodeTiming& t : timings) {
    std::string line =
        fmt::format("  {:<{}} {:>8.1f} s", t.name + " (" + t.plugin + ")", width, t.seconds);
    if (!t.how.empty()) line += "  " + t.how;
    if (t.examples > 0 && t.how.empty())
      line += fmt::format("  {} examples, {:.0f}/s", t.examples,
                          t.examples / std::max(t.seconds, 1e-9));
    fmt::print("{}\n", line);
  }
  fmt::print("  {:<{}} {:>8.1f} s\n", "total", width, total);
}

/// Writes a finished node while signals wait, and records that the archive now holds it.
void add_node(ArchiveWriter& writer, const NodeInfo& node, const StoredProducts& products,
              KeptNodes& kept) {
  const auto hold = hold_signals();
  writer.add_node(node, products);
  kept.nodes.push_back(node.name);
  set_kept(kept);
}

/// The archive's record of a node: what made it, its key and seed, and the graph's edges into it.
NodeInfo node_info(const Graph& graph, const GraphNode& node, const std::string& key,
                   std::uint64_t seed) {
  NodeInfo info;
  info.name = node.decl->name;
  info.plugin = node.decl->plugin;
  info.plugin_version = node.plugin->entry->version;
  info.parameters = to_json_text(Value::of(node.params));
  info.key = key;
  info.seed = seed;
  info.inputs.emplace();
  for (const auto& [port, connections] : node.inputs) {
    std::vector<std::string>& sources = (*info.inputs)[port];
    for (const Connection& c : connections)
      sources.push_back(graph.nodes[c.node].decl->name + "." + c.port);
  }
  return info;
}

/// Returns once every rank of the run has called it: the others tell rank 0, which then tells
/// them all.
void wait_for_every_rank() {
  if (world::rank() != 0) {
    world::post(0, tags::kGathered, "");
    world::wait(0, tags::kGathered);
    return;
  }
  for (int r = 1; r < world::size(); ++r) world::wait(r, tags::kGathered);
  for (int r = 1; r < world::size(); ++r) world::post(r, tags::kGathered, "");
}

/// What the run needs to know of the nodes before any of them runs.
struct Plan {
  std::vector<std::string> keys;  // each node's cache key, by graph index
  Reusable reusable;              // what --resume takes from an earlier archive (rank 0)
  int threads = 1;
  RankPlan ranks;  // where each node runs (all on rank 0 outside mpirun)
};

/// Every node's products on this rank, by graph index (empty for a node it does not hold).
using Products = std::vector<std::map<std::string, std::shared_ptr<const Product>>>;

/// One node's run, restore or load, and its line of the closing summary.
class NodeRun {
 public:
  NodeRun(const Graph& graph, const Plan& plan, const RunOptions& options)
      : graph_(graph), plan_(plan), options_(options) {}

  /// Runs (or restores, or loads) node `i` on its inputs' products into `out`; returns what the
  /// archive records of it.
  FinishedNode operator()(std::size_t i, const Products& products, Outputs& out,
                          NodeTiming& timing) {
    const GraphNode& node = graph_.nodes[i];
    const std::string& name = node.decl->name;
    const Inputs in = inputs(i, products);
    HostContext ctx = context(i);
    torch::manual_seed(ctx.seed());
    std::unique_ptr<Node> instance = create(node.plugin->entry->create, node.params, name);
    // A node shared out across ranks starts once every rank has come to it, so that its time is
    // its own and not the wait for a rank still busy with other nodes.
    if (plan_.ranks.owner[i] == kEveryRank) wait_for_every_rank();
    const auto start = std::chrono::steady_clock::now();
    const std::vector<std::string>& restored = plan_.reusable.nodes;
    timing = {name, node.decl->plugin, "", 0.0, 0};
    FinishedNode made;
    if (std::find(restored.begin(), restored.end(), name) != restored.end()) {
      restore(
          node, *instance, *plan_.reusable.source, name,
          [&] { return plan_.reusable.products.at(name); }, in, out, ctx);
      made = {"restored", 0.0, plan_.reusable.products.at(name)};
      timing.how = "restored";
    } else if (node.from) {
      restore(
          node, *instance, node.from->archive, node.from->node,
          [&] { return ArchiveReader(node.from->archive).products(node.from->node); }, in, out,
          ctx);
      made = {"loaded from " + node.decl->from, 0.0, records(node, out)};
      timing.how = "loaded";
    } else {
      guard_memory(node, [&] { instance->execute(name, in, out, ctx); });
      made = {"complete", seconds_since(start), records(node, out)};
    }
    timing.seconds = seconds_since(start);
    for (const auto& [port, product] : out.all()) timing.examples += product->examples();
    return made;
  }

  /// Rebuilds node `i`'s outputs on this rank from the products another rank `made`.
  void rebuild(std::size_t i, const Products& products, const FinishedNode& made, Outputs& out) {
    const GraphNode& node = graph_.nodes[i];
    const Inputs in = inputs(i, products);
    HostContext ctx = context(i);
    std::unique_ptr<Node> instance =
        create(node.plugin->entry->create, node.params, node.decl->name);
    guard_memory(node, [&] { instance->restore(made.products, in, out, ctx); });
    check_outputs(node, out);
  }

 private:
  /// The products connected to node `i`'s input ports.
  Inputs inputs(std::size_t i, const Products& products) const {
    Inputs in;
    for (const auto& [port, connections] : graph_.nodes[i].inputs) {
      if (connections.empty()) in.add_empty(port);
      for (const Connection& c : connections)
        in.add(port, {graph_.nodes[c.node].decl->name, products[c.node].at(c.port)});
    }
    return in;
  }
  /// Node `i`'s context: its seed, the run's threads, and the ranks it shares its work with.
  HostContext context(std::size_t i) const {
    const GraphNode& node = graph_.nodes[i];
    const std::string& name = node.decl->name;
    std::function<void(const std::string&)> log_line;  // none when quiet
    if (!options_.quiet) log_line = [](const std::string& line) { fmt::print("  {}\n", line); };
    static const WorldRanks every_rank;
    const Ranks& ranks =
        plan_.ranks.owner[i] == kEveryRank ? static_cast<const Ranks&>(every_rank) : single_rank();
    return HostContext(*graph_.registry, name, node_seed(graph_.experiment->seed, name),
                       plan_.threads, options_.bars, log_line, ranks);
  }
  /// The plugin's node for `params`; an Error of its constructor names the node it was for.
  template <class Create>
  static std::unique_ptr<Node> create(const Create& make, const ValidatedParams& params,
                                      const std::string& name) {
    try {
      return make(params);
    } catch (const Error& e) {
      throw Error(e.where().empty() ? "node '" + name + "'" : e.where(), e.message());
    }
  }
  static double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  /// Rebuilds a node's outputs from the products `stored()` reads from node `name` of `archive`
  /// instead of running it.
  static void restore(const GraphNode& node, Node& instance, const fs::path& archive,
                      const std::string& name, const std::function<StoredProducts()>& stored,
                      const Inputs& in, Outputs& out, HostContext& ctx) {
    restoring(archive, name, [&] {
      guard_memory(node, [&] { instance.restore(stored(), in, out, ctx); });
      check_outputs(node, out);
    });
  }

  const Graph& graph_;
  const Plan& plan_;
  const RunOptions& options_;
};

/// The nodes of a run on this rank: those it computes, those it receives from the ranks that
/// computed them, and (on rank 0) the archive every node is written to.
class RankRun {
 public:
  RankRun(const Graph& graph, const Plan& plan, const RunOptions& options, ArchiveWriter* writer,
          KeptNodes& kept)
      : graph_(graph),
        plan_(plan),
        options_(options),
        writer_(writer),
        kept_(kept),
        run_node_(graph, plan, options),
        products_(graph.nodes.size()),
        held_(graph.nodes.size(), false),
        arrived_(graph.nodes.size()),
        written_(graph.nodes.size(), false) {}

  /// Computes the nodes this rank computes, in the plan's sequence; rank 0 writes each node as
  /// soon as it is finished here or has arrived from another rank.
  void run() {
    const int me = world::rank();
    for (std::size_t i : plan_.ranks.sequence) {
      if (!plan_.ranks.computes(me, i)) continue;
      for (const auto& [port, connections] : graph_.nodes[i].inputs)
        for (const Connection& c : connections) obtain(c.node);
      NodeTiming timing;
      Outputs out;
      const FinishedNode made = run_node_(i, products_, out, timing);
      products_[i] = out.all();
      held_[i] = true;
      // Written before it is sent: a failure it leads to elsewhere finds it in the archive.
      if (writer_) write(i, made, timing);
      if (!plan_.ranks.receivers[i].empty()) {
        const std::string bytes = finished_to_bytes(made);
        for (int r : plan_.ranks.receivers[i]) world::post(r, tags::node(i), bytes);
      }
      if (writer_) write_arrived(false);
    }
    if (writer_) write_arrived(true);
  }

  /// Every node's line of the closing summary, in the order they were written (rank 0).
  const std::vector<NodeTiming>& timings() const { return timings_; }

 private:
  /// Makes node `j`'s products available here, receiving them (and what they were made from).
  void obtain(std::size_t j) {
    if (held_[j]) return;
    for (const auto& [port, connections] : graph_.nodes[j].inputs)
      for (const Connection& c : connections) obtain(c.node);
    Outputs out;
    run_node_.rebuild(j, products_, receive(j), out);
    products_[j] = out.all();
    held_[j] = true;
  }

  /// Node `j` as its rank sent it, waiting for it if it has not arrived yet.
  const FinishedNode& receive(std::size_t j) {
    if (!arrived_[j])
      arrived_[j] = finished_from_bytes(world::wait(plan_.ranks.owner[j], tags::node(j)).bytes);
    return *arrived_[j];
  }

  /// Writes every node computed on another rank that has arrived, in the plan's sequence; with
  /// `all`, waits for each one still on its way.
  void write_arrived(bool all) {
    for (std::size_t j : plan_.ranks.sequence) {
      if (written_[j] || plan_.ranks.computes(0, j)) continue;
      if (!arrived_[j]) {
        std::optional<Message> message = all ? world::wait(plan_.ranks.owner[j], tags::node(j))
                                             : world::poll(plan_.ranks.owner[j], tags::node(j));
        if (!message) continue;
        arrived_[j] = finished_from_bytes(message->bytes);
      }
      const GraphNode& node = graph_.nodes[j];
      NodeTiming timing{node.decl->name, node.decl->plugin,
                        fmt::format("on rank {}", plan_.ranks.owner[j]), arrived_[j]->duration, 0};
      write(j, *arrived_[j], timing);
    }
  }

  /// Writes node `i` into the archive (unless --resume took it from there) and prints its line.
  void write(std::size_t i, const FinishedNode& made, const NodeTiming& timing) {
    const GraphNode& node = graph_.nodes[i];
    written_[i] = true;
    if (made.status != "restored") {
      NodeInfo info = node_info(graph_, node, plan_.keys[i],
                                node_seed(graph_.experiment->seed, node.decl->name));
      info.duration = made.duration;
      info.status = made.status;
      add_node(*writer_, info, made.products, kept_);
    }
    if (!options_.quiet) {
      std::string how = timing.how == "restored" ? "restored from archive"
                        : node.from              ? "loaded from " + node.decl->from
                                                 : fmt::format("done in {:.1f} s", timing.seconds);
      if (timing.how.rfind("on rank", 0) == 0) how += " " + timing.how;
      fmt::print("[{}/{}] {} ({}) {}\n", timings_.size() + 1, graph_.order.size(), node.decl->name,
                 node.decl->plugin, how);
      std::fflush(stdout);
    }
    timings_.push_back(timing);
  }

  const Graph& graph_;
  const Plan& plan_;
  const RunOptions& options_;
  ArchiveWriter* writer_;  // rank 0's; null on the other ranks
  KeptNodes& kept_;
  NodeRun run_node_;
  Products products_;
  std::vector<bool> held_;
  std::vector<std::optional<FinishedNode>> arrived_;
  std::vector<bool> written_;
  std::vector<NodeTiming> timings_;
};

/// The seconds each node of `graph` took in the run that wrote `output` (or its partial) before,
/// by graph index; 0 for a node it did not record, all 0 without a readable earlier archive.
std::vector<double> earlier_seconds(const Graph& graph, const fs::path& output) {
  std::vector<double> seconds(graph.nodes.size(), 0.0);
  for (const fs::path& path : {output, partial_path_for(output)}) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) continue;
    try {
      std::map<std::string, double> recorded;
      for (const NodeInfo& node : ArchiveReader(path).nodes()) recorded[node.name] = node.duration;
      for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
        auto it = recorded.find(graph.nodes[i].decl->name);
        if (it != recorded.end()) seconds[i] = it->second;
      }
      return seconds;
    } catch (const Error&) {
      // An unreadable earlier archive only means that no node's time is known.
    }
  }
  return seconds;
}

/// What rank 0 alone reads before a run across ranks, sent to every rank as lines: the nodes
/// --resume takes from the archive, and the seconds each node took in an earlier run.
void share_from_rank_0(Reusable& reusable, std::vector<double>& seconds) {
  if (world::size() == 1) return;
  if (world::rank() == 0) {
    std::string lines = std::to_string(reusable.nodes.size()) + '\n';
    for (const std::string& name : reusable.nodes) lines += name + '\n';
    for (double s : seconds) lines += fmt::format("{}\n", s);
    for (int r = 1; r < world::size(); ++r) world::post(r, tags::kReused, lines);
    return;
  }
  std::istringstream lines(world::wait(0, tags::kReused).bytes);
  std::string line;
  std::getline(lines, line);
  for (std::size_t reused = std::stoul(line); reused > 0 && std::getline(lines, line); --reused)
    reusable.nodes.push_back(line);
  for (double& s : seconds)
    if (std::getline(lines, line)) s = std::stod(line);
}

}  // namespace

void run_experiment(const Graph& graph, const RunOptions& options) {
  const Experiment& exp = *graph.experiment;
  const bool writes = world::rank() == 0;  // rank 0 alone writes the archive
  Plan plan;
  plan.threads = options.threads > 0 ? options.threads : usable_cores();
  torch::set_num_threads(plan.threads);
  ExperimentInfo info{exp.name, exp.text,  digest(exp.text), exp.seed,    utc_now(),
                      "",       "running", versions(),       host_name(), plan.threads};
  info.ranks = world::size();
  plan.keys = node_keys(graph, exp.seed);
  if (options.resume && writes)
    plan.reusable = find_reusable(graph, plan.keys, options.output, options.quiet);
  // Across ranks, the times of an earlier run at the same path balance the ranks' work.
  std::vector<double> seconds(graph.nodes.size(), 0.0);
  if (world::size() > 1 && writes) seconds = earlier_seconds(graph, options.output);
  share_from_rank_0(plan.reusable, seconds);
  plan.ranks = plan_ranks(graph, world::size(), plan.reusable.nodes, seconds);

  std::optional<ArchiveWriter> writer;
  KeptNodes kept{partial_path_for(options.output), plan.reusable.nodes, false};
  if (writes) {
    const auto hold = hold_signals();
    writer.emplace(options.output, info,
                   ReusedNodes{plan.reusable.source.value_or(fs::path()), plan.reusable.nodes});
    set_kept(kept);
  }

  RankRun rank_run(graph, plan, options, writer ? &*writer : nullptr, kept);
  rank_run.run();
  if (!writes) return;
  if (!options.quiet) print_summary(rank_run.timings());
  info.finished = utc_now();
  info.status = "complete";
  const auto hold = hold_signals();
  writer->finish(info);
  set_kept({options.output, kept.nodes, true});
}

}  // namespace blindspot::host
