// Crash safety: a run killed with SIGKILL and resumed equals an uninterrupted run.
#include <ATen/ATen.h>
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "archive/archive.hpp"
#include "data/idx.hpp"
#include "support/idx_pool.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::host::ArchiveReader;
using blindspot::test_support::run_blindspot;
using blindspot::test_support::TempDir;

namespace {

/// A pool of 2,000 random 28x28 images with labels 0..9, and an experiment on it.
fs::path write_experiment(const fs::path& dir, int slow_epochs) {
  blindspot::test_support::write_random_pool(dir, 2000, 7);
  fs::path yaml = dir / "resume.yaml";
  std::ofstream(yaml) << "experiment: resume\nseed: 5\nnodes:\n"
                      << "  data:\n    plugin: dataset\n    with: {source: idx, path: "
                      << (dir / "pool").string() << ", train: 1500, test: 500}\n"
                      << "  quick:\n    plugin: softmax\n    inputs: {data: data}\n"
                      << "    with: {epochs: 2}\n"
                      << "  slow:\n    plugin: softmax\n    inputs: {data: data}\n"
                      << "    with: {epochs: " << slow_epochs << ", lambda: 0.001}\n"
                      << "  errors:\n    plugin: evaluate\n    inputs: {model: slow, data: data}\n";
  return yaml;
}

/// Starts `blindspot run`, kills it with SIGKILL once node `after` has finished; returns the
/// lines it printed.
std::string run_and_kill(const fs::path& yaml, const fs::path& out, const std::string& after) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t child = fork();
  if (child == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    execl(BLINDSPOT_EXE, BLINDSPOT_EXE, "run", yaml.c_str(), "-o", out.c_str(), "--threads", "2",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  FILE* lines = fdopen(fds[0], "r");
  std::string printed;
  char line[1024];
  while (std::fgets(line, sizeof line, lines)) {
    printed += line;
    if (std::string(line).find("] " + after + " (") != std::string::npos) break;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  std::fclose(lines);
  CHECK(WIFSIGNALED(status));
  return printed;
}

/// Every product tensor of every node, and every node's key, are identical in both archives.
void check_same_contents(const fs::path& a, const fs::path& b) {
  ArchiveReader left(a), right(b);
  auto left_nodes = left.nodes(), right_nodes = right.nodes();
  REQUIRE(left_nodes.size() == right_nodes.size());
  for (std::size_t i = 0; i < left_nodes.size(); ++i) {
    INFO("node ", left_nodes[i].name);
    CHECK(left_nodes[i].name == right_nodes[i].name);
    CHECK(left_nodes[i].key == right_nodes[i].key);
    CHECK(left_nodes[i].parameters == right_nodes[i].parameters);
    auto lp = left.products(left_nodes[i].name), rp = right.products(right_nodes[i].name);
    REQUIRE(lp.size() == rp.size());
    for (const auto& [port, record] : lp) {
      REQUIRE(rp.count(port) == 1);
      CHECK((record.attributes == rp.at(port).attributes));  // variants have no operator<<
      CHECK(record.strings == rp.at(port).strings);
      REQUIRE(record.tensors.size() == rp.at(port).tensors.size());
      for (const auto& [name, tensor] : record.tensors) {
        INFO("tensor ", port, "/", name);
        CHECK(at::equal(tensor, rp.at(port).tensors.at(name)));
      }
    }
  }
}

}  // namespace

TEST_CASE("a run killed with SIGKILL and resumed gives the same archive as an uninterrupted run") {
  TempDir tmp("resume");
  fs::path yaml = write_experiment(tmp.path(), 400);
  fs::path whole = tmp.path() / "whole.h5", resumed = tmp.path() / "resumed.h5";
  auto uninterrupted =
      run_blindspot("run " + yaml.string() + " -o " + whole.string() + " --threads 2");
  REQUIRE(uninterrupted.exit_code == 0);

  std::string before = run_and_kill(yaml, resumed, "quick");
  CHECK(before.find("quick (softmax) done") != std::string::npos);
  CHECK_FALSE(fs::exists(resumed));
  REQUIRE(fs::exists(resumed.string() + ".partial"));
  auto partial_nodes = ArchiveReader(resumed.string() + ".partial").nodes();
  REQUIRE(partial_nodes.size() == 2);  // data and quick finished; slow was running
  CHECK(partial_nodes[1].name == "quick");

  auto after =
      run_blindspot("run " + yaml.string() + " -o " + resumed.string() + " --threads 2 --resume");
  INFO(after.output);
  REQUIRE(after.exit_code == 0);
  CHECK(after.output.find("quick (softmax) restored from archive") != std::string::npos);
  CHECK(after.output.find("slow (softmax) done") != std::string::npos);
  CHECK_FALSE(fs::exists(resumed.string() + ".partial"));
  check_same_contents(whole, resumed);
}

TEST_CASE("resume recomputes exactly the nodes whose key changed, and what depends on them") {
  TempDir tmp("rekey");
  fs::path yaml = write_experiment(tmp.path(), 3);
  fs::path out = tmp.path() / "out.h5";
  REQUIRE(run_blindspot("run " + yaml.string() + " -o " + out.string()).exit_code == 0);

  auto again = run_blindspot("run " + yaml.string() + " -o " + out.string() + " --resume");
  REQUIRE(again.exit_code == 0);
  CHECK(again.output.find("slow (softmax) restored") != std::string::npos);
  CHECK(again.output.find("errors (evaluate) restored") != std::string::npos);

  std::ifstream in(yaml);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("epochs: 3"), 9, "epochs: 4");
  std::ofstream(yaml) << text;
  auto changed = run_blindspot("run " + yaml.string() + " -o " + out.string() + " --resume");
  INFO(changed.output);
  REQUIRE(changed.exit_code == 0);
  CHECK(changed.output.find("quick (softmax) restored") != std::string::npos);
  CHECK(changed.output.find("slow (softmax) done") != std::string::npos);
  CHECK(changed.output.find("errors (evaluate) done") != std::string::npos);

  // New data under the same path changes the dataset's key: everything is recomputed.
  blindspot::host::write_idx(tmp.path() / "pool/labels-idx1-ubyte",
                             at::arange(2000, at::kLong).remainder(7).to(at::kByte));
  auto new_data = run_blindspot("run " + yaml.string() + " -o " + out.string() + " --resume");
  INFO(new_data.output);
  REQUIRE(new_data.exit_code == 0);
  CHECK(new_data.output.find("restored") == std::string::npos);
  CHECK(new_data.output.find("quick (softmax) done") != std::string::npos);
}
