// The RunContext the host gives each node: its seed, generator, threads and progress bars.
#pragma once

#include <functional>
#include <random>
#include <string>

#include "blindspot/node.hpp"
#include "loader/registry.hpp"

namespace blindspot::host {

/// RunContext of one node run by the host.
class HostContext final : public RunContext {
 public:
  /// `log_line` receives log() lines; `bars` says whether progress bars are drawn; `ranks` are
  /// those the node shares its work with.
  HostContext(const Registry& registry, std::string node, std::uint64_t seed, int threads,
              bool bars, std::function<void(const std::string&)> log_line,
              const Ranks& ranks = single_rank());
  std::uint64_t seed() const override { return seed_; }
  std::mt19937_64& rng() override { return rng_; }
  int threads() const override { return threads_; }
  std::unique_ptr<Progress> progress(const std::string& what, std::int64_t total) override;
  void log(const std::string& line) override;
  std::unique_ptr<Node> component(const Value& spec, PluginKind kind) override;
  const Ranks& ranks() const override { return ranks_; }

 private:
  const Registry& registry_;
  std::string node_;
  std::uint64_t seed_;
  std::mt19937_64 rng_;
  int threads_;
  bool bars_;
  std::function<void(const std::string&)> log_line_;
  const Ranks& ranks_;
};

}  // namespace blindspot::host
