// Resume: reuse what an earlier archive holds, after checking it, and say where a failure lies.
#include "runner/resume.hpp"

#include <c10/util/Exception.h>
#include <fmt/format.h>

#include "archive/archive.hpp"
#include "blindspot/error.hpp"

namespace blindspot::host {

namespace fs = std::filesystem;

namespace {

/// The partial of an interrupted run, else the finished archive. The new partial replaces the
/// old one only once it holds the reused nodes.
std::optional<fs::path> resume_source(const fs::path& output) {
  const fs::path partial = partial_path_for(output);
  if (fs::exists(partial)) return partial;
  if (fs::exists(output)) return output;
  return std::nullopt;
}

[[noreturn]] void refuse(const fs::path& archive, const std::string& node,
                         const std::string& what) {
  throw Error(archive.string(),
              fmt::format("node '{}' cannot be restored: {}; move {} aside (or rerun without "
                          "--resume) to compute the node again",
                          node, what, archive.string()));
}

}  // namespace

Reusable find_reusable(const Graph& graph, const std::vector<std::string>& keys,
                       const fs::path& output, bool quiet) {
  Reusable reusable;
  reusable.source = resume_source(output);
  if (!reusable.source) return reusable;
  const ArchiveReader old(*reusable.source);
  if (const std::int64_t format = old.experiment().format; format != kArchiveFormat) {
    if (!quiet)
      fmt::print(stderr, "note: {} is in archive format {}; every node is computed again\n",
                 reusable.source->string(), format);
    reusable.source.reset();
    return reusable;
  }
  std::map<std::string, std::string> old_keys;
  for (const NodeInfo& node : old.nodes()) old_keys[node.name] = node.key;
  for (std::size_t i : graph.order) {
    const std::string& name = graph.nodes[i].decl->name;
    auto it = old_keys.find(name);
    if (it == old_keys.end() || it->second != keys[i]) continue;
    reusable.nodes.push_back(name);
    reusable.products[name] = old.products(name);  // checked before it goes into the new partial
  }
  return reusable;
}

void restoring(const fs::path& archive, const std::string& node,
               const std::function<void()>& restore) {
  try {
    restore();
  } catch (const Error& e) {
    if (e.where() == archive.string()) throw;  // the archive's reader already said it all
    refuse(archive, node, e.message());
  } catch (const c10::Error& e) {
    refuse(archive, node, e.what_without_backtrace());
  } catch (const std::exception& e) {
    refuse(archive, node, e.what());
  }
}

}  // namespace blindspot::host
