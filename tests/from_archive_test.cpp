// `from: ARCHIVE.h5#/nodes/NAME`: a node takes its products from an earlier archive.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <fstream>

#include "archive/archive.hpp"
#include "support/idx_pool.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::host::ArchiveReader;
using blindspot::test_support::run_blindspot;

namespace {

std::string experiment(const fs::path& pool, const std::string& model_node) {
  return "experiment: from\nseed: 3\nnodes:\n  data:\n    plugin: dataset\n"
         "    with: {source: idx, path: " +
         pool.string() + ", train: 300, test: 100}\n" + model_node +
         "  errors:\n    plugin: evaluate\n    inputs: {model: fc, data: data}\n";
}

}  // namespace

TEST_CASE("a model node loaded from an earlier archive reproduces that archive's model") {
  blindspot::test_support::TempDir tmp("from");
  blindspot::test_support::write_random_pool(tmp.path(), 400, 3);
  std::ofstream(tmp.path() / "train.yaml") << experiment(
      tmp.path() / "pool",
      "  fc:\n    plugin: softmax\n    inputs: {data: data}\n    with: {epochs: 3}\n");
  fs::path trained = tmp.path() / "trained.h5";
  REQUIRE(run_blindspot("run " + (tmp.path() / "train.yaml").string() + " -o " + trained.string())
              .exit_code == 0);

  std::ofstream(tmp.path() / "load.yaml")
      << experiment(tmp.path() / "pool",
                    "  fc:\n    plugin: softmax\n    inputs: {data: data}\n"
                    "    from: " +
                        trained.string() + "#/nodes/fc\n");
  fs::path loaded = tmp.path() / "loaded.h5";
  auto run = run_blindspot("run " + (tmp.path() / "load.yaml").string() + " -o " + loaded.string());
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(run.output.find("fc (softmax) loaded from " + trained.string()) != std::string::npos);

  ArchiveReader before(trained), after(loaded);
  auto old_model = before.products("fc").at("model").tensors;
  auto new_model = after.products("fc").at("model").tensors;
  REQUIRE(old_model.size() == new_model.size());
  for (const auto& [name, tensor] : old_model) CHECK(at::equal(tensor, new_model.at(name)));
  // Same model, same data split: the evaluation is identical.
  CHECK(at::equal(before.products("errors").at("errors").tensors.at("values"),
                  after.products("errors").at("errors").tensors.at("values")));

  std::ofstream(tmp.path() / "wrong.yaml")
      << experiment(tmp.path() / "pool",
                    "  fc:\n    plugin: softmax\n    inputs: {data: data}\n"
                    "    from: " +
                        trained.string() + "#/nodes/errors\n");
  auto wrong = run_blindspot("validate " + (tmp.path() / "wrong.yaml").string());
  CHECK(wrong.exit_code == 2);
  CHECK(wrong.output.find("'from' names a node of plugin 'evaluate', not 'softmax'") !=
        std::string::npos);
}
