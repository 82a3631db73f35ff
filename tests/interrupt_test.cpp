// Ctrl-C and SIGTERM stop a run saying what was kept; a second run on the same output is refused.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "archive/archive.hpp"
#include "support/idx_pool.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::host::ArchiveReader;
using blindspot::test_support::run_blindspot;
using blindspot::test_support::TempDir;

namespace {

/// A quick node, then one that trains for long enough to be interrupted.
fs::path write_experiment(const fs::path& dir) {
  blindspot::test_support::write_random_pool(dir, 2000, 7);
  const fs::path yaml = dir / "stop.yaml";
  std::ofstream(yaml) << "experiment: stop\nseed: 5\nnodes:\n"
                      << "  data:\n    plugin: dataset\n    with: {source: idx, path: "
                      << (dir / "pool").string() << ", train: 1500, test: 500}\n"
                      << "  quick:\n    plugin: softmax\n    inputs: {data: data}\n"
                      << "    with: {epochs: 1}\n"
                      << "  slow:\n    plugin: softmax\n    inputs: {data: data}\n"
                      << "    with: {epochs: 10000, batch: 1}\n";
  return yaml;
}

/// A `blindspot run` in the background, its stdout and stderr read line by line.
class BackgroundRun {
 public:
  BackgroundRun(const fs::path& yaml, const fs::path& out) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      dup2(fds[1], STDERR_FILENO);
      close(fds[0]);
      execl(BLINDSPOT_EXE, BLINDSPOT_EXE, "run", yaml.c_str(), "-o", out.c_str(), "--threads", "1",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    lines_ = fdopen(fds[0], "r");
  }
  ~BackgroundRun() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    std::fclose(lines_);
  }
  pid_t pid() const { return pid_; }
  /// Reads until a line containing `text`; returns everything read.
  std::string read_until(const std::string& text) {
    std::string printed;
    char line[4096];
    while (std::fgets(line, sizeof line, lines_)) {
      printed += line;
      if (std::string(line).find(text) != std::string::npos) break;
    }
    return printed;
  }
  /// Sends `signal`, then returns the exit code (128 + signal if killed by one) and the rest.
  std::pair<int, std::string> stop(int signal) {
    kill(pid_, signal);
    std::string rest = read_until("\x01");  // to the end
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), rest};
  }

 private:
  pid_t pid_ = -1;
  FILE* lines_ = nullptr;
};

/// Checks the line an interrupted run ends with (after any progress lines of the running node).
void check_interrupted(const std::string& rest, const std::string& signal, const fs::path& yaml,
                       const fs::path& out) {
  INFO(rest);
  const std::string partial = blindspot::host::partial_path_for(out).string();
  REQUIRE(rest.size() > 1);
  const std::string last = rest.substr(rest.rfind('\n', rest.size() - 2) + 1);
  CHECK(last == "blindspot: interrupted by " + signal + "; 2 finished node(s) are kept in " +
                    partial + " (data, quick); resume with `blindspot run " + yaml.string() +
                    " -o " + out.string() + " --resume`\n");
}

}  // namespace

TEST_CASE("Ctrl-C says what was kept and how to resume, exit 130; the partial stays valid") {
  TempDir tmp("sigint");
  const fs::path yaml = write_experiment(tmp.path()), out = tmp.path() / "out.h5";
  BackgroundRun run(yaml, out);
  run.read_until("] quick (");
  const auto [code, rest] = run.stop(SIGINT);
  CHECK(code == 130);
  check_interrupted(rest, "SIGINT", yaml, out);
  const auto nodes = ArchiveReader(blindspot::host::partial_path_for(out)).nodes();
  REQUIRE(nodes.size() == 2);
  CHECK(nodes[1].name == "quick");
  CHECK_FALSE(fs::exists(out.string() + ".lock"));
}

TEST_CASE("a second run on the same output is refused naming the first; SIGTERM is exit 143") {
  TempDir tmp("lock");
  const fs::path yaml = write_experiment(tmp.path()), out = tmp.path() / "out.h5";
  BackgroundRun first(yaml, out);
  first.read_until("] quick (");
  const auto second = run_blindspot("run " + yaml.string() + " -o " + out.string());
  INFO(second.output);
  CHECK(second.exit_code == 2);
  CHECK(second.output == "blindspot: " + out.string() + ": another blindspot run (process " +
                             std::to_string(first.pid()) +
                             ") is writing this archive; wait for it to finish or choose "
                             "another -o\n");
  const auto [code, rest] = first.stop(SIGTERM);
  CHECK(code == 143);
  check_interrupted(rest, "SIGTERM", yaml, out);
  CHECK_FALSE(fs::exists(out.string() + ".lock"));
}
