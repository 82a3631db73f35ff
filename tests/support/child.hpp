// Running part of a test in a forked child: for code that ends the process (exit, a signal).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <utility>

namespace blindspot::test_support {

/// Runs `body` in a child process, then _exit(0); returns its exit code (minus the signal
/// number if a signal ended it) and what it wrote to stderr.
template <class F>
std::pair<int, std::string> run_in_child(F body) {
  int pipe_ends[2];
  if (pipe(pipe_ends) != 0) return {-1000, "pipe failed"};
  const pid_t child = fork();
  if (child == 0) {
    dup2(pipe_ends[1], STDERR_FILENO);
    close(pipe_ends[0]);
    body();
    _exit(0);
  }
  close(pipe_ends[1]);
  std::string text;
  char buffer[512];
  for (ssize_t n; (n = read(pipe_ends[0], buffer, sizeof buffer)) > 0;) text.append(buffer, n);
  close(pipe_ends[0]);
  int status = 0;
  waitpid(child, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status), text};
}

}  // namespace blindspot::test_support
