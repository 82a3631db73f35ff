// The host's RunContext.
#include "runner/context.hpp"

#include "runner/progress.hpp"

namespace blindspot::host {

HostContext::HostContext(std::string node, std::uint64_t seed, int threads, bool bars,
                         std::function<void(const std::string&)> log_line)
    : node_(std::move(node)),
      seed_(seed),
      rng_(seed),
      threads_(threads),
      bars_(bars),
      log_line_(std::move(log_line)) {}

std::unique_ptr<Progress> HostContext::progress(const std::string& what, std::int64_t total) {
  return std::make_unique<TerminalProgress>(node_ + ": " + what, total, bars_);
}

void HostContext::log(const std::string& line) {
  if (log_line_) log_line_(node_ + ": " + line);
}

}  // namespace blindspot::host
