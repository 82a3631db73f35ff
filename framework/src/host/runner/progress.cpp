// Drawing a progress bar with rate and ETA.
#include "runner/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace blindspot::host {

bool progress_bars_wanted(bool quiet) {
  const char* term = std::getenv("TERM");
  const bool dumb = term != nullptr && std::strcmp(term, "dumb") == 0;
  return !quiet && !dumb && isatty(STDERR_FILENO) == 1;
}

TerminalProgress::TerminalProgress(std::string label, std::int64_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled), start_(Clock::now()) {}

TerminalProgress::~TerminalProgress() {
  if (drawn_) std::fprintf(stderr, "\r\033[2K");
}

void TerminalProgress::advance(std::int64_t steps) {
  done_ += steps;
  draw(false);
}

void TerminalProgress::status(const std::string& text) {
  status_ = text;
  draw(false);
}

void TerminalProgress::draw(bool force) {
  if (!enabled_) return;
  Clock::time_point now = Clock::now();
  double elapsed = std::chrono::duration<double>(now - start_).count();
  if (!force && (elapsed < 1.0 || now - last_draw_ < std::chrono::milliseconds(100))) return;
  last_draw_ = now;
  constexpr int kWidth = 24;
  double fraction = total_ > 0 ? std::min(1.0, double(done_) / double(total_)) : 0.0;
  int filled = static_cast<int>(fraction * kWidth);
  double rate = elapsed > 0 ? done_ / elapsed : 0.0;
  double eta = rate > 0 ? (total_ - done_) / rate : 0.0;
  std::fprintf(stderr, "\r\033[2K  %s [%s%s] %lld/%lld  %.1f/s  ETA %.0fs  %s", label_.c_str(),
               std::string(filled, '#').c_str(), std::string(kWidth - filled, ' ').c_str(),
               static_cast<long long>(done_), static_cast<long long>(total_), rate, eta,
               status_.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace blindspot::host
