// ReadWatchdog: one thread, alive while some read is watched, checks the time of last progress.
#include "archive/read_watchdog.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

namespace blindspot::host {
namespace {

using Clock = std::chrono::steady_clock;

std::atomic<Clock::rep> last_progress{0};
std::mutex state;  // guards everything below
std::condition_variable changed;
int watched = 0;
std::string watched_file;
std::thread watcher;

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
      fmt::print(stderr,
                 "blindspot: {}: damaged archive (reading it did not finish in {} s); move it "
                 "aside\n",
                 watched_file, limit);
      std::fflush(stderr);
      ::_exit(2);
    }
  }
}

}  // namespace

void note_progress() noexcept {
  last_progress.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
}

ReadWatchdog::ReadWatchdog(const std::filesystem::path& file) {
  note_progress();
  const std::lock_guard<std::mutex> lock(state);
  watched_file = file.string();
  if (watched++ == 0) watcher = std::thread(watch, limit_seconds());
}

ReadWatchdog::~ReadWatchdog() {
  std::unique_lock<std::mutex> lock(state);
  if (--watched > 0) return;
  changed.notify_all();
  lock.unlock();
  watcher.join();
}

}  // namespace blindspot::host
