// StopOnSignal: the handler only writes the signal's number to a pipe (async-signal-safe); a
// watcher thread reads it, waits until no archive write is under way, reports and exits.
#include "runner/stop_on_signal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <thread>

namespace blindspot::host {
namespace {

std::mutex writing;  // held by the runner around archive writes
KeptNodes kept_now;  // guarded by `writing`
int pipe_ends[2] = {-1, -1};
std::thread watcher;
struct sigaction old_int {
}, old_term{};

void on_signal(int signal) {
  const int saved = errno;
  const unsigned char number = static_cast<unsigned char>(signal);
  [[maybe_unused]] const ssize_t written = ::write(pipe_ends[1], &number, 1);
  errno = saved;
}

// Waits for a signal (0: the run is over, stop watching); reports it once no write is under way.
void watch(const std::function<void(int, const KeptNodes&)>& report) {
  unsigned char number = 0;
  while (::read(pipe_ends[0], &number, 1) < 0 && errno == EINTR) {
  }
  if (number == 0) return;
  const std::lock_guard<std::mutex> hold(writing);
  std::fflush(stdout);
  report(number, kept_now);
  std::fflush(stderr);
  ::_exit(128 + number);
}

}  // namespace

StopOnSignal::StopOnSignal(std::function<void(int, const KeptNodes&)> report) {
  if (::pipe2(pipe_ends, O_CLOEXEC) != 0) return;  // no pipe: signals keep their default action
  kept_now = {};
  watcher = std::thread(watch, std::move(report));
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &old_int);
  sigaction(SIGTERM, &action, &old_term);
}

StopOnSignal::~StopOnSignal() {
  if (pipe_ends[0] < 0) return;
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  on_signal(0);  // wakes the watcher, which returns
  watcher.join();
  ::close(pipe_ends[0]);
  ::close(pipe_ends[1]);
  pipe_ends[0] = pipe_ends[1] = -1;
}

std::unique_lock<std::mutex> hold_signals() {
  return std::unique_lock<std::mutex>(writing);
}

void set_kept(KeptNodes kept) {
  kept_now = std::move(kept);
}

const KeptNodes& kept_nodes() {
  return kept_now;
}

std::string signal_name(int signal) {
  if (signal == SIGINT) return "SIGINT";
  if (signal == SIGTERM) return "SIGTERM";
  return "signal " + std::to_string(signal);
}

}  // namespace blindspot::host
