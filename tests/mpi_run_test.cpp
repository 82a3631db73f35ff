// `mpirun -n R blindspot run`: the products of one process, rank 0 alone writing the archive; a
// failure on any rank ends the run with one line; --resume goes on from what was kept.
#include <doctest/doctest.h>

#include <ATen/ATen.h>

#include <fstream>

#include "archive/archive.hpp"
#include "cluster/world.hpp"
#include "support/idx_pool.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::host::ArchiveReader;
using blindspot::test_support::run_blindspot;
using blindspot::test_support::run_command;
using blindspot::test_support::TempDir;

namespace {

/// `mpirun` on one machine: as root too, more ranks than cores, and without the single-copy
/// mechanism that containers forbid.
const std::string kMpirun =
    "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
    "OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1 "
    "mpirun --bind-to none";

/// `blindspot ARGS` on `ranks` ranks of one machine.
blindspot::test_support::CommandResult mpirun(int ranks, const std::string& args) {
  return run_command(kMpirun + " -n " + std::to_string(ranks) + " '" + BLINDSPOT_EXE + "' " + args);
}

/// True, with a message, when this build has no MPI or this machine cannot start two ranks (no
/// mpirun, or a sandbox that forbids it): the test is then not run.
bool mpi_missing() {
  if (!blindspot::host::world::built_with_mpi()) {
    MESSAGE("this build has no MPI: not tested");
    return true;
  }
  const auto started = mpirun(2, "--version");
  if (started.exit_code != 0) {
    const std::string why = "mpirun cannot start two ranks here: not tested; " + started.output;
    MESSAGE(why);
    return true;
  }
  return false;
}

/// An experiment on a pool of random images: two models trained apart (so two ranks train them
/// at once), Szegedy's attack on each (shared out over the ranks, `drivers` per rank) and
/// their errors.
fs::path write_experiment(const fs::path& dir, const std::string& name, int drivers) {
  if (!fs::exists(dir / "pool")) blindspot::test_support::write_random_pool(dir, 400, 3);
  const fs::path file = dir / (name + ".yaml");
  std::ofstream(file) << "experiment: two\nseed: 5\nnodes:\n"
                      << "  data:\n    plugin: dataset\n    with: {source: idx, path: "
                      << (dir / "pool").string() << ", train: 300, test: 100}\n"
                      << "  soft:\n    plugin: softmax\n    inputs: {data: data}\n"
                      << "    with: {epochs: 3}\n"
                      << "  deep:\n    plugin: mlp\n    inputs: {data: data}\n"
                      << "    with: {hidden: [20], lambdas: [1.0e-4, 1.0e-4], epochs: 3}\n"
                      << "  attack-soft:\n    plugin: szegedy\n"
                      << "    inputs: {model: soft, data: data}\n"
                      << "    with: {split: test, count: 30, threads: " << drivers << "}\n"
                      << "  attack-deep:\n    plugin: szegedy\n"
                      << "    inputs: {model: deep, data: data}\n"
                      << "    with: {split: test, count: 30, threads: " << drivers << "}\n"
                      << "  errors-soft:\n    plugin: evaluate\n"
                      << "    inputs: {model: soft, data: data}\n"
                      << "  errors-deep:\n    plugin: evaluate\n"
                      << "    inputs: {model: deep, data: data}\n";
  return file;
}

/// Checks that every node of `expected` is in `actual` with the same products, bit for bit.
void check_same_products(const fs::path& expected, const fs::path& actual) {
  const ArchiveReader want(expected), got(actual);
  const auto nodes = want.nodes();
  CHECK(nodes.size() == got.nodes().size());
  for (const auto& node : nodes) {
    CAPTURE(node.name);
    const blindspot::StoredProducts a = want.products(node.name), b = got.products(node.name);
    REQUIRE(a.size() == b.size());
    for (const auto& [port, record] : a) {
      CAPTURE(port);
      REQUIRE(b.count(port) == 1);
      const blindspot::Record& other = b.at(port);
      CHECK((record.strings == other.strings));
      CHECK((record.attributes == other.attributes));
      REQUIRE(record.tensors.size() == other.tensors.size());
      for (const auto& [name, tensor] : record.tensors) {
        CAPTURE(name);
        REQUIRE(other.tensors.count(name) == 1);
        CHECK(at::equal(tensor, other.tensors.at(name)));
      }
    }
  }
}

}  // namespace

TEST_CASE("mpirun -n 2: the products of one process whose attacks run both ranks' drivers") {
  if (mpi_missing()) return;
  TempDir dir("blindspot_mpi_two");
  // One thread per rank, attacks on one driver per thread (threads: 0) over the two ranks,
  // against one process of one thread whose attacks run two drivers.
  const auto alone = run_blindspot("run " + write_experiment(dir.path(), "two", 2).string() +
                                   " -o " + (dir.path() / "alone.h5").string() + " --threads 1");
  INFO(alone.output);
  REQUIRE(alone.exit_code == 0);
  const auto ranks = mpirun(2, "run " + write_experiment(dir.path(), "default", 0).string() +
                                   " -o " + (dir.path() / "ranks.h5").string() + " --threads 1");
  INFO(ranks.output);
  REQUIRE(ranks.exit_code == 0);
  CHECK(ranks.output.find("on 2 ranks") != std::string::npos);
  CHECK(ranks.output.find("on rank 1") != std::string::npos);  // a node computed elsewhere
  check_same_products(dir.path() / "alone.h5", dir.path() / "ranks.h5");
}

TEST_CASE("mpirun -n 3 shares the attacks' drivers out as one process runs all of them") {
  if (mpi_missing()) return;
  TempDir dir("blindspot_mpi_three");
  const auto alone = run_blindspot("run " + write_experiment(dir.path(), "three", 3).string() +
                                   " -o " + (dir.path() / "alone.h5").string() + " --threads 1");
  INFO(alone.output);
  REQUIRE(alone.exit_code == 0);
  const auto ranks = mpirun(3, "run " + write_experiment(dir.path(), "one", 1).string() + " -o " +
                                   (dir.path() / "ranks.h5").string() + " --threads 1");
  INFO(ranks.output);
  REQUIRE(ranks.exit_code == 0);
  check_same_products(dir.path() / "alone.h5", dir.path() / "ranks.h5");
}

TEST_CASE("a node failing on rank 1 ends the run in one line, keeps rank 0's nodes; --resume") {
  if (mpi_missing()) return;
  TempDir dir("blindspot_mpi_fails");
  const auto experiment = [&](bool fail) {
    std::ofstream(dir.path() / "fails.yaml")
        << "experiment: fails\nseed: 1\nnodes:\n"
        << "  first: {plugin: fails, with: {fail: false}}\n"
        << "  second: {plugin: fails, inputs: {after: first}, with: {fail: "
        << (fail ? "true" : "false") << "}}\n";
    return (dir.path() / "fails.yaml").string();
  };
  const std::string out = (dir.path() / "fails.h5").string();
  const std::string plugins = std::string(" --plugin-path '") + BLINDSPOT_TEST_PLUGIN_DIR + "'";
  const auto failed = mpirun(2, "run " + experiment(true) + " -o " + out + plugins);
  INFO(failed.output);
  CHECK(failed.exit_code == 1);
  CHECK(failed.output.find("blindspot: run failed on rank 1 of 2: node 'second'") !=
        std::string::npos);
  CHECK(failed.output.find("this node fails, as it was asked to") != std::string::npos);
  CHECK(failed.output.find("1 finished node(s) are kept") != std::string::npos);
  CHECK_FALSE(fs::exists(out));
  const auto resumed = mpirun(2, "run " + experiment(false) + " -o " + out + plugins + " --resume");
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK(resumed.output.find("first (fails) restored from archive") != std::string::npos);
  const ArchiveReader archive(out);
  CHECK(archive.nodes().size() == 2);
}

TEST_CASE("map_rows gives each of three ranks every third item and every rank all results") {
  if (mpi_missing()) return;
  TempDir dir("blindspot_mpi_squares");
  std::ofstream(dir.path() / "squares.yaml")
      << "experiment: squares\nseed: 1\nnodes:\n"
      << "  squares: {plugin: rank_squares, with: {count: 11}}\n";
  const std::string out = (dir.path() / "squares.h5").string();
  const auto run = mpirun(3, "run " + (dir.path() / "squares.yaml").string() + " -o " + out +
                                 " --plugin-path '" + BLINDSPOT_TEST_PLUGIN_DIR + "'");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const blindspot::Table table =
      blindspot::Table::load(ArchiveReader(out).products("squares").at("table"));
  REQUIRE(table.rows.size() == 11);
  for (std::size_t i = 0; i < 11; ++i) {
    CAPTURE(i);
    CHECK(table.at(i, 0) == static_cast<double>(i * i));
    CHECK(table.at(i, 1) == static_cast<double>(i % 3));
  }
}

TEST_CASE("an archive records its ranks; mpirun -n 2 reproduce repeats it; others print once") {
  if (mpi_missing()) return;
  TempDir dir("blindspot_mpi_reproduce");
  const std::string experiment = write_experiment(dir.path(), "two", 0).string();
  const std::string out = (dir.path() / "ranks.h5").string();
  const auto made = mpirun(2, "run " + experiment + " -o " + out + " --threads 1");
  INFO(made.output);
  REQUIRE(made.exit_code == 0);
  CHECK(ArchiveReader(out).experiment().ranks == 2);

  const auto again = mpirun(2, "reproduce " + out);
  INFO(again.output);
  CHECK(again.exit_code == 0);
  const auto count = [](const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
  };
  CHECK(count(again.output, "7 of 7 nodes reproduced") == 1);
  CHECK(count(again.output, "on 2 ranks") == 1);

  const auto shown = mpirun(2, "show " + out);
  INFO(shown.output);
  CHECK(shown.exit_code == 0);
  CHECK(count(shown.output, "experiment  two") == 1);
  CHECK(count(shown.output, "on each of 2 MPI ranks") == 1);
  const auto valid = mpirun(2, "validate " + experiment);
  CHECK(count(valid.output, "is valid") == 1);

  // One process repeats it with one driver per attack, and says why attacks may differ.
  const auto alone = run_blindspot("reproduce " + out);
  INFO(alone.output);
  CHECK(alone.output.find("made on 2 MPI rank(s) and this run has 1; nodes shared out across "
                          "ranks (attack-soft, attack-deep)") != std::string::npos);
}

TEST_CASE("a rank that cannot start the run stops every rank with one line, whichever it is") {
  if (mpi_missing()) return;
  TempDir dir("blindspot_mpi_start");
  std::ofstream(dir.path() / "ok.yaml") << "experiment: ok\nseed: 1\nnodes:\n"
                                        << "  squares: {plugin: rank_squares, with: {count: 4}}\n";
  const std::string plugins = std::string(" --plugin-path '") + BLINDSPOT_TEST_PLUGIN_DIR + "'";
  const std::string out = " -o " + (dir.path() / "out.h5").string() + plugins;
  const std::string ok = (dir.path() / "ok.yaml").string(), missing = "absent.yaml";
  // Rank 0 runs the first command line, rank 1 the second (Open MPI's MPMD launch); a rank that
  // waited for ever on the other would hang the launch, which `timeout` turns into a failure.
  const auto launch = [&](const std::string& first, const std::string& second) {
    const std::string exe = std::string(" '") + BLINDSPOT_EXE + "' ";
    return run_command("timeout 300 " + kMpirun + " -n 1" + exe + "run " + first + out + " : -n 1" +
                       exe + "run " + second + out);
  };
  const auto second_fails = launch(ok, missing);
  INFO(second_fails.output);
  CHECK(second_fails.exit_code == 2);
  CHECK(second_fails.output.find("blindspot: rank 1 of 2 cannot run: absent.yaml: cannot read "
                                 "experiment file") != std::string::npos);
  const auto first_fails = launch(missing, ok);
  INFO(first_fails.output);
  CHECK(first_fails.exit_code == 2);
  CHECK(first_fails.output.find("absent.yaml: cannot read experiment file") != std::string::npos);
  CHECK(first_fails.output.find("rank 1") == std::string::npos);
  CHECK_FALSE(fs::exists(dir.path() / "out.h5"));
}

TEST_CASE("srun's tasks that are not MPI ranks are told that each runs alone") {
  TempDir dir("blindspot_lone_srun");
  std::ofstream(dir.path() / "ok.yaml") << "experiment: ok\nseed: 1\nnodes:\n"
                                        << "  squares: {plugin: rank_squares, with: {count: 4}}\n";
  const auto run = [&](int tasks, const std::string& name) {
    return run_command("env SLURM_STEP_NUM_TASKS=" + std::to_string(tasks) + " '" + BLINDSPOT_EXE +
                       "' run " + (dir.path() / "ok.yaml").string() + " -o " +
                       (dir.path() / name).string() + " --plugin-path '" +
                       BLINDSPOT_TEST_PLUGIN_DIR + "'");
  };
  const auto two = run(2, "two.h5");
  INFO(two.output);
  CHECK(two.exit_code == 0);  // a task farm of separate runs is allowed
  CHECK(two.output.find("note: srun started 2 tasks, but not as MPI ranks") != std::string::npos);
  const auto one = run(1, "one.h5");
  CHECK(one.exit_code == 0);
  CHECK(one.output.find("srun started") == std::string::npos);
}
