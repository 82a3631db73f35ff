// Running an experiment on every rank of a launch, and ending them all when one fails.
#include "cli/ranked_run.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <thread>

#include "archive/archive.hpp"
#include "cluster/tags.hpp"
#include "cluster/world.hpp"
#include "graph/printable.hpp"

namespace blindspot::host {

namespace {

/// After a failed run: what became of the finished nodes, to end its one-line message. An
/// unreadable or empty partial is removed.
std::string keep_or_remove_partial(const std::string& file, const std::filesystem::path& output) {
  const std::filesystem::path partial = partial_path_for(output);
  std::size_t finished = 0;
  try {
    finished = ArchiveReader(partial).nodes().size();
  } catch (const Error&) {
    return "";  // no readable partial: nothing to keep or remove
  }
  if (finished == 0) {
    std::error_code ignored;
    std::filesystem::remove(partial, ignored);
    return "";
  }
  return fmt::format(
      "; {} finished node(s) are kept in {}; resume with `blindspot run {} -o {} "
      "--resume`",
      finished, partial.string(), file, output.string());
}

/// A failure reported by another rank: its exit code, then its line.
std::string failure_message(int code, const std::string& line) {
  return std::to_string(code) + "\n" + line;
}

/// On rank 0 of a run across ranks: when another rank reports that a node failed there, says
/// so in one line (with what the archive keeps, when `resumable`) once no archive write is under
/// way, and ends every rank with that rank's exit code.
void end_run_when_a_rank_fails(const std::string& file, const std::filesystem::path& output,
                               bool resumable) {
  world::watch(tags::kFailure, [file, output, resumable](const Message& message) {
    const std::size_t newline = message.bytes.find('\n');
    const int code = newline == std::string::npos ? 1 : std::atoi(message.bytes.c_str());
    const std::string line =
        newline == std::string::npos ? message.bytes : message.bytes.substr(newline + 1);
    const auto hold = hold_signals();
    std::fflush(stdout);
    fmt::print(stderr, "blindspot: {}{}\n", printable(line),
               resumable ? kept_text(kept_nodes(), file, output) : "");
    std::fflush(stderr);
    world::abort(code == 2 ? 2 : 1);
  });
}

/// On rank 0 of a run across ranks, when the run failed here: says so in one line and ends
/// every rank.
[[noreturn]] void end_every_rank(int code, const std::string& line) {
  std::fflush(stdout);
  fmt::print(stderr, "blindspot: {}\n", printable(line));
  std::fflush(stderr);
  world::abort(code);
}

/// On a rank other than 0: tells rank 0 that the run failed here, and waits to be ended.
[[noreturn]] void report_failure_to_rank_0(int code, const std::string& what) {
  world::post(0, tags::kFailure,
              failure_message(code, fmt::format("run failed on rank {} of {}: {}", world::rank(),
                                                world::size(), what)));
  while (true) std::this_thread::sleep_for(std::chrono::seconds(1));
}

/// Across MPI ranks, once each rank has prepared (`code` 0) or failed (its exit code, `line`):
/// the exit code of the first rank that failed, 0 when every rank is ready; rank 0 prints the
/// line of another rank that failed when it was ready itself.
int agree_to_start(int code, const std::string& line) {
  if (world::rank() != 0) {
    world::post(0, tags::kReady, failure_message(code, line));
    return std::atoi(world::wait(0, tags::kStart).bytes.c_str());
  }
  int agreed = code;
  for (int r = 1; r < world::size(); ++r) {
    const std::string answer = world::wait(r, tags::kReady).bytes;
    const int theirs = std::atoi(answer.c_str());
    if (agreed != 0 || theirs == 0) continue;
    agreed = theirs;
    fmt::print(stderr, "blindspot: rank {} of {} cannot run: {}\n", r, world::size(),
               printable(answer.substr(answer.find('\n') + 1)));
  }
  for (int r = 1; r < world::size(); ++r) world::post(r, tags::kStart, std::to_string(agreed));
  return agreed;
}

}  // namespace

int prepare_on_every_rank(const std::function<int()>& prepare) {
  if (world::size() == 1) return prepare();
  int code = 0;
  std::string line;
  std::exception_ptr failure;
  try {
    code = prepare();
    if (code != 0) line = "its experiment has problems";
  } catch (const Error& e) {
    code = 2;
    line = e.what();
    failure = std::current_exception();
  } catch (const std::exception& e) {
    code = 1;
    line = e.what();
    failure = std::current_exception();
  }
  const int agreed = agree_to_start(code, line);
  if (failure && world::rank() == 0) std::rethrow_exception(failure);
  return agreed;
}

std::string kept_text(const KeptNodes& kept, const std::string& file,
                      const std::filesystem::path& output) {
  if (kept.complete)
    return fmt::format(" after the archive was written: {}", kept.archive.string());
  if (kept.archive.empty()) return " before the run's archive was started; no file was changed";
  if (kept.nodes.empty()) {
    std::error_code ignored;
    std::filesystem::remove(kept.archive, ignored);
    return " before any node finished; nothing was kept";
  }
  std::string names;
  for (const std::string& node : kept.nodes) names += (names.empty() ? "" : ", ") + node;
  return fmt::format(
      "; {} finished node(s) are kept in {} ({}); resume with `blindspot run {} -o {} --resume`",
      kept.nodes.size(), kept.archive.string(), names, file, output.string());
}

void run_on_every_rank(const Graph& graph, const RunOptions& run, const std::string& file,
                       bool resumable) {
  const bool first = world::rank() == 0, alone = world::size() == 1;
  const auto kept = [&] { return resumable ? keep_or_remove_partial(file, run.output) : ""; };
  if (first && !alone) end_run_when_a_rank_fails(file, run.output, resumable);
  try {
    run_experiment(graph, run);
  } catch (const Error& e) {
    if (!first) report_failure_to_rank_0(2, e.what());
    Error error(e.where(), e.message() + kept());
    if (!alone) end_every_rank(2, fmt::format("{} (rank 0 of {})", error.what(), world::size()));
    throw error;
  } catch (const std::exception& e) {
    if (!first) report_failure_to_rank_0(1, e.what());
    const std::string what = e.what() + kept();
    if (!alone)
      end_every_rank(1, fmt::format("run failed on rank 0 of {}: {}", world::size(), what));
    throw std::runtime_error(what);
  }
}

}  // namespace blindspot::host
