// The host's RunContext.
#include "runner/context.hpp"

#include <fmt/format.h>

#include "runner/progress.hpp"

namespace blindspot::host {

HostContext::HostContext(const Registry& registry, std::string node, std::uint64_t seed,
                         int threads, bool bars, std::function<void(const std::string&)> log_line,
                         const Ranks& ranks)
    : registry_(registry),
      node_(std::move(node)),
      seed_(seed),
      rng_(seed),
      threads_(threads),
      bars_(bars),
      log_line_(std::move(log_line)),
      ranks_(ranks) {}

std::unique_ptr<Progress> HostContext::progress(const std::string& what, std::int64_t total) {
  return std::make_unique<TerminalProgress>(node_ + ": " + what, total, bars_);
}

void HostContext::log(const std::string& line) {
  if (log_line_) log_line_(node_ + ": " + line);
}

std::unique_ptr<Node> HostContext::component(const Value& spec, PluginKind kind) {
  auto name = spec.map.find("plugin");
  const LoadedPlugin* plugin =
      name == spec.map.end() ? nullptr : registry_.find(name->second.string);
  if (!plugin || plugin->entry->kind != kind)
    throw Error("", fmt::format("no {} plugin named in {}", kind_name(kind), spec.to_yaml()));
  ValidatedParams params = spec.map;
  params.erase("plugin");
  return plugin->entry->create(params);
}

}  // namespace blindspot::host
