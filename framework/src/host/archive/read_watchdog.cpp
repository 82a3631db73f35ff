// ReadWatchdog: one thread, alive while some read is watched, checks the time of last progress;
// signal handlers, installed meanwhile, turn a crash inside HDF5 into one line and exit 2.
#include "archive/read_watchdog.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace blindspot::host {
namespace {

using Clock = std::chrono::steady_clock;

std::atomic<Clock::rep> last_progress{0};
std::mutex state;  // guards everything below but the crash line
std::condition_variable changed;
int watched = 0;
std::string timeout_text;  // "FILE: damaged archive (reading WHAT" of the innermost watchdog
std::thread watcher;

// The crash handler's line; read inside a signal handler, so only swapped, never rebuilt.
std::atomic<const std::string*> crash_line{nullptr};

constexpr std::array<int, 5> kCrashSignals = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
std::array<struct sigaction, kCrashSignals.size()> previous_actions;
// Room for the handler when the crash is a stack overflow (HDF5 recursing through a loop).
alignas(16) std::array<char, 64 * 1024> crash_stack;
stack_t previous_stack;

extern "C" void on_crash(int) {
  if (const std::string* line = crash_line.load()) {
    const ssize_t ignored = ::write(STDERR_FILENO, line->data(), line->size());
    (void)ignored;
  }
  ::_exit(2);
}

void install_crash_handlers() {
  stack_t stack{};
  stack.ss_sp = crash_stack.data();
  stack.ss_size = crash_stack.size();
  ::sigaltstack(&stack, &previous_stack);
  struct sigaction action {};
  action.sa_handler = on_crash;
  action.sa_flags = SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  for (std::size_t i = 0; i < kCrashSignals.size(); ++i)
    ::sigaction(kCrashSignals[i], &action, &previous_actions[i]);
}

void restore_crash_handlers() {
  for (std::size_t i = 0; i < kCrashSignals.size(); ++i)
    ::sigaction(kCrashSignals[i], &previous_actions[i], nullptr);
  ::sigaltstack(&previous_stack, nullptr);
}

// Seconds a read may go without progress: BLINDSPOT_ARCHIVE_TIMEOUT, else 60.
int limit_seconds() {
  const char* text = std::getenv("BLINDSPOT_ARCHIVE_TIMEOUT");
  const int value = text != nullptr ? std::atoi(text) : 0;
  return value > 0 ? value : 60;
}

void watch(int limit) {
  std::unique_lock<std::mutex> lock(state);
  while (watched > 0) {
    changed.wait_for(lock, std::chrono::milliseconds(200));
    const auto idle = Clock::now() - Clock::time_point(Clock::duration(last_progress.load()));
    if (watched > 0 && idle > std::chrono::seconds(limit)) {
      fmt::print(stderr, "blindspot: {} did not finish in {} s); move it aside\n", timeout_text,
                 limit);
      std::fflush(stderr);
      ::_exit(2);
    }
  }
}

}  // namespace

void note_progress() noexcept {
  last_progress.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
}

ReadWatchdog::ReadWatchdog(const std::filesystem::path& file, const std::string& what)
    : crash_line_(
          fmt::format("blindspot: {}: damaged archive (reading {} crashed HDF5); move it aside\n",
                      file.string(), what)) {
  note_progress();
  const std::lock_guard<std::mutex> lock(state);
  outer_timeout_text_ = timeout_text;
  timeout_text = fmt::format("{}: damaged archive (reading {}", file.string(), what);
  outer_crash_line_ = crash_line.exchange(&crash_line_);
  if (watched++ == 0) {
    install_crash_handlers();
    watcher = std::thread(watch, limit_seconds());
  }
}

ReadWatchdog::~ReadWatchdog() {
  std::unique_lock<std::mutex> lock(state);
  crash_line.store(outer_crash_line_);
  timeout_text = outer_timeout_text_;
  if (--watched > 0) return;
  restore_crash_handlers();
  changed.notify_all();
  lock.unlock();
  watcher.join();
}

}  // namespace blindspot::host
