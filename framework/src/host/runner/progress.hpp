// Progress bars on a terminal: shown for work over a second, silent when not a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "blindspot/node.hpp"

namespace blindspot::host {

/// A bar with count, rate and ETA, redrawn on stderr at most ten times a second.
class TerminalProgress final : public Progress {
 public:
  TerminalProgress(std::string label, std::int64_t total, bool enabled);
  ~TerminalProgress() override;
  void advance(std::int64_t steps) override;
  void status(const std::string& text) override;

 private:
  using Clock = std::chrono::steady_clock;
  void draw(bool force);

  std::string label_, status_;
  std::int64_t total_, done_ = 0;
  bool enabled_, drawn_ = false;
  Clock::time_point start_, last_draw_;
};

/// True when progress bars are worth drawing: stderr is a terminal that can redraw a line (TERM
/// is not "dumb") and the user did not ask for quiet (--quiet).
bool progress_bars_wanted(bool quiet);

}  // namespace blindspot::host
