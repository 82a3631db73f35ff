// The HDF5 archive: product round trips, attributes, crash-safe partials, copying, errors.
// ATen first: doctest's CHECK must replace the glog CHECK that LibTorch's headers define.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "archive/archive.hpp"
#include "archive/h5_file.hpp"
#include "archive/h5_group.hpp"
#include "blindspot/error.hpp"
#include "blindspot/products.hpp"

namespace fs = std::filesystem;
using blindspot::Record;
using blindspot::StoredProducts;
using blindspot::host::ArchiveReader;
using blindspot::host::ArchiveWriter;
using blindspot::host::ExperimentInfo;
using blindspot::host::NodeInfo;

namespace {

// A fresh directory under the system's temporary directory, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device random;
    path = fs::temp_directory_path() /
           ("blindspot_archive_test_" + std::to_string(random()) + "_" + std::to_string(random()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

ExperimentInfo experiment(const std::string& status) {
  ExperimentInfo info;
  info.name = "table2 — transfer";  // non-ASCII on purpose: attributes are UTF-8
  info.yaml = "name: table2\nseed: 7\nnodes:\n  mnist: {plugin: dataset}\n";
  info.yaml_hash = "9f86d081884c7d659a2feaa0c55ad015";
  info.seed = 18446744073709551557ull;  // above INT64_MAX: must stay unsigned
  info.started = "2024-05-01T10:00:00Z";
  info.finished = status == "running" ? "" : "2024-05-01T10:05:00Z";
  info.status = status;
  info.versions = {{"blindspot", "0.1.0"}, {"git_commit", "abc123"}, {"libtorch", "1.13.1"},
                   {"hdf5", "1.10.8"},     {"boost", "1.74"},        {"compiler", "GCC 12"}};
  info.host = "lab-7";
  info.threads = 2;
  return info;
}

NodeInfo node_info(const std::string& name, const std::string& key = "k") {
  NodeInfo node;
  node.name = name;
  node.plugin = "plugin_of_" + name;
  node.plugin_version = "1.2";
  node.parameters = "{epsilon: 0.25, steps: [1, 2]}";
  node.key = key + "_" + name;
  node.seed = 12345678901234567890ull;
  node.duration = 1.0 / 3.0;
  node.status = "complete";
  return node;
}

StoredProducts one_table(double scale) {
  blindspot::Table table("errors", {"a", "b"}, {"x"});
  table.set(0, 0, scale);
  table.set(1, 0, -scale);
  return {{"table", table.save()}};
}

// Every field, so that one comparison checks them all.
auto fields(const NodeInfo& n) {
  return std::tie(n.name, n.plugin, n.plugin_version, n.parameters, n.key, n.seed, n.duration,
                  n.status);
}
auto fields(const ExperimentInfo& e) {
  return std::tie(e.name, e.yaml, e.yaml_hash, e.seed, e.started, e.finished, e.status, e.versions,
                  e.host, e.threads);
}

std::string dtype(const at::Tensor& tensor) {
  return at::toString(tensor.scalar_type());
}

// Same names, attributes and strings; every tensor with the same dtype, shape and values.
void check_same_record(const Record& got, const Record& want) {
  CHECK((got.attributes == want.attributes));  // bracketed: variants have no operator<<
  CHECK(got.strings == want.strings);
  REQUIRE(got.tensors.size() == want.tensors.size());
  for (const auto& [name, tensor] : want.tensors) {
    CAPTURE(name);
    REQUIRE(got.tensors.count(name) == 1);
    const at::Tensor& read = got.tensors.at(name);
    CHECK(dtype(read) == dtype(tensor));
    CHECK(read.sizes().vec() == tensor.sizes().vec());
    CHECK(at::equal(read, tensor));
  }
}

void check_same_products(const StoredProducts& got, const StoredProducts& want) {
  REQUIRE(got.size() == want.size());
  for (const auto& [port, record] : want) {
    CAPTURE(port);
    REQUIRE(got.count(port) == 1);
    check_same_record(got.at(port), record);
  }
}

std::vector<std::string> names(const std::vector<NodeInfo>& nodes) {
  std::vector<std::string> out;
  for (const NodeInfo& node : nodes) out.push_back(node.name);
  return out;
}

// Writes one node holding `products` to a finished archive and reads its products back.
StoredProducts round_trip(const fs::path& file, const StoredProducts& products) {
  ArchiveWriter writer(file, experiment("running"));
  writer.add_node(node_info("n"), products);
  writer.finish(experiment("complete"));
  return ArchiveReader(file).products("n");
}

// The message of the blindspot::Error thrown by `action`, checking that it names `where`.
template <class F>
std::string error_naming(const fs::path& where, F action) {
  try {
    action();
  } catch (const blindspot::Error& error) {
    CHECK(error.where() == where.string());
    CHECK(std::string(error.what()).find(where.string()) != std::string::npos);
    return error.message();
  }
  FAIL("no blindspot::Error thrown");
  return "";
}

}  // namespace

TEST_CASE("archive: a Table round-trips cell by cell") {
  TempDir dir;
  blindspot::Table table("Table 2: cross-model error (%)", {"FC10(1e-4)", "FC100-100-10", "AE400"},
                         {"train", "test", "distortion"});
  for (std::size_t r = 0; r < table.rows.size(); ++r)
    for (std::size_t c = 0; c < table.columns.size(); ++c) table.set(r, c, (r + 1) / (c + 7.0));
  const StoredProducts read = round_trip(dir.path / "t.h5", {{"errors", table.save()}});
  REQUIRE(read.count("errors") == 1);
  CHECK(dtype(read.at("errors").tensors.at("values")) == "Double");
  const blindspot::Table loaded = blindspot::Table::load(read.at("errors"));
  CHECK(loaded.title == table.title);
  CHECK(loaded.rows == table.rows);
  CHECK(loaded.columns == table.columns);
  for (std::size_t r = 0; r < table.rows.size(); ++r)
    for (std::size_t c = 0; c < table.columns.size(); ++c) CHECK(loaded.at(r, c) == table.at(r, c));
}

TEST_CASE("archive: a Dataset's labels and indices round-trip per split") {
  TempDir dir;
  blindspot::Dataset data;
  data.source = "fashion-mnist";
  data.num_classes = 10;
  data.splits["train"] = {at::rand({6, 1, 2, 2}), at::arange(6, at::kLong) % 10,
                          at::arange(100, 106, at::kLong)};
  data.splits["p1"] = {at::rand({3, 1, 2, 2}), at::tensor({9, 0, 4}, at::kLong),
                       at::tensor({7, 3, 5}, at::kLong)};
  data.splits["test"] = {at::rand({0, 1, 2, 2}), at::empty({0}, at::kLong),
                         at::empty({0}, at::kLong)};
  const Record saved = data.save();
  const StoredProducts read = round_trip(dir.path / "d.h5", {{"data", saved}});
  check_same_record(read.at("data"), saved);
  CHECK(at::equal(read.at("data").tensors.at("p1/labels"), at::tensor({9, 0, 4}, at::kLong)));
}

TEST_CASE("archive: tensors keep dtype, shape and exact values") {
  TempDir dir;
  at::manual_seed(3);
  Record model;
  model.attributes["num_classes"] = "10";
  model.tensors["layers.0.weight"] = at::randn({5, 4});
  model.tensors["layers.0.bias"] = at::randn({5});
  model.tensors["encoder/layers.1.weight"] = at::randn({2, 3, 4});
  model.tensors["step"] = at::scalar_tensor(7, at::kLong);
  model.tensors["none"] = at::empty({0, 5});
  model.tensors["double"] = at::randn({3}, at::kDouble);
  model.tensors["int64"] = at::tensor({-(std::int64_t(1) << 62), std::int64_t(0), std::int64_t(5)});
  model.tensors["uint8"] = at::arange(256, at::kLong).to(at::kByte).reshape({16, 16});
  model.strings["labels"] = {"zero", "", "deux — 2"};
  model.strings["no strings"] = {};
  const at::Tensor mask = at::tensor({1, 0, 1}, at::kLong).to(at::kBool);
  const at::Tensor transposed = at::randn({3, 4}).t();
  REQUIRE_FALSE(transposed.is_contiguous());
  Record written = model;
  written.tensors["mask"] = mask;
  written.tensors["transposed"] = transposed;

  const StoredProducts read = round_trip(dir.path / "m.h5", {{"model", written}});
  Record expected = model;
  expected.tensors["mask"] = at::tensor({1, 0, 1}, at::kByte);  // bool is stored as uint8
  expected.tensors["transposed"] = transposed.contiguous();
  check_same_record(read.at("model"), expected);
  const Record& got = read.at("model");
  CHECK(got.tensors.at("step").dim() == 0);
  CHECK(got.tensors.at("step").item<std::int64_t>() == 7);
  CHECK(got.tensors.at("none").sizes().vec() == std::vector<std::int64_t>{0, 5});
  CHECK(got.tensors.at("transposed").sizes().vec() == std::vector<std::int64_t>{4, 3});
}

TEST_CASE("archive: a 3 MB tensor round-trips exactly (its speed is bench_archive's)") {
  TempDir dir;
  const at::Tensor big = at::rand({768, 1024});  // 3 MiB of float32
  const StoredProducts read = round_trip(dir.path / "big.h5", {{"w", {{{"w", big}}, {}, {}, {}}}});
  CHECK(at::equal(read.at("w").tensors.at("w"), big));
}

TEST_CASE("archive: 100,000 strings (several conversion buffers' worth) round-trip in order") {
  TempDir dir;
  Record names;
  for (int i = 0; i < 100000; ++i) names.strings["names"].push_back("sample " + std::to_string(i));
  const StoredProducts read = round_trip(dir.path / "names.h5", {{"n", names}});
  CHECK(read.at("n").strings == names.strings);
}

TEST_CASE("archive: experiment and node attributes round-trip, nodes in insertion order") {
  TempDir dir;
  const fs::path file = dir.path / "run.h5";
  ArchiveWriter writer(file, experiment("running"));
  CHECK(fields(ArchiveReader(writer.partial_path()).experiment()) == fields(experiment("running")));
  for (const char* name : {"zeta", "alpha", "mid"}) writer.add_node(node_info(name), {});
  ExperimentInfo done = experiment("complete");
  done.versions.erase("boost");
  writer.finish(done);

  const ArchiveReader reader(file);
  CHECK(fields(reader.experiment()) == fields(done));
  const std::vector<NodeInfo> nodes = reader.nodes();
  REQUIRE(names(nodes) == std::vector<std::string>{"zeta", "alpha", "mid"});
  for (const NodeInfo& node : nodes) CHECK(fields(node) == fields(node_info(node.name)));
}

TEST_CASE("archive: adding a node again replaces it") {
  TempDir dir;
  ArchiveWriter writer(dir.path / "run.h5", experiment("running"));
  writer.add_node(node_info("b"), one_table(1.0));
  writer.add_node(node_info("a"), {});
  writer.add_node(node_info("b", "second"), one_table(2.0));
  const ArchiveReader reader(writer.partial_path());
  const std::vector<NodeInfo> nodes = reader.nodes();
  REQUIRE(names(nodes) == std::vector<std::string>{"a", "b"});
  CHECK(fields(nodes[1]) == fields(node_info("b", "second")));
  check_same_products(reader.products("b"), one_table(2.0));
}

TEST_CASE("archive: the partial is readable after every change and renamed by finish") {
  TempDir dir;
  const fs::path file = dir.path / "OUT.h5";
  CHECK(blindspot::host::partial_path_for(file) == dir.path / "OUT.h5.partial");
  std::ofstream(file) << "an older archive, replaced by finish()";
  ArchiveWriter writer(file, experiment("running"));
  CHECK(writer.partial_path() == dir.path / "OUT.h5.partial");
  REQUIRE(fs::exists(writer.partial_path()));
  CHECK(ArchiveReader(writer.partial_path()).nodes().empty());

  std::vector<std::string> added;
  for (const char* name : {"mnist", "fc10", "transfer"}) {
    writer.add_node(node_info(name), one_table(added.size() + 1.0));
    added.push_back(name);
    const ArchiveReader reader(writer.partial_path());
    CHECK(names(reader.nodes()) == added);
    check_same_products(reader.products(name), one_table(static_cast<double>(added.size())));
    CHECK_FALSE(fs::exists(dir.path / "OUT.h5.partial.tmp"));
  }
  writer.finish(experiment("complete"));
  CHECK_FALSE(fs::exists(writer.partial_path()));
  const ArchiveReader reader(file);
  CHECK(reader.experiment().status == "complete");
  CHECK(names(reader.nodes()) == added);
}

TEST_CASE("archive: a failed add_node leaves the partial as it was") {
  TempDir dir;
  ArchiveWriter writer(dir.path / "run.h5", experiment("running"));
  writer.add_node(node_info("kept"), one_table(1.0));
  Record bad;
  bad.tensors["int32"] = at::zeros({2}, at::kInt);
  const std::string message = error_naming(dir.path / "run.h5.partial", [&] {
    writer.add_node(node_info("bad"), {{"p", bad}});
  });
  CHECK(message.find("Int") != std::string::npos);
  CHECK_FALSE(fs::exists(dir.path / "run.h5.partial.tmp"));
  const ArchiveReader reader(writer.partial_path());
  CHECK(names(reader.nodes()) == std::vector<std::string>{"kept"});
  check_same_products(reader.products("kept"), one_table(1.0));
}

TEST_CASE("archive: reused nodes are copied from another archive, in the given order") {
  TempDir dir;
  const fs::path first = dir.path / "first.h5";
  StoredProducts model = {
      {"model", {{{"w.0", at::randn({3, 2})}}, {}, {{"num_classes", std::int64_t{3}}}, {}}}};
  {
    ArchiveWriter writer(first, experiment("running"));
    writer.add_node(node_info("data"), one_table(1.0));
    writer.add_node(node_info("model"), model);
    writer.add_node(node_info("table"), one_table(3.0));
    writer.finish(experiment("complete"));
  }
  CHECK(error_naming(first, [&] {
          ArchiveWriter(dir.path / "second.h5", experiment("running"), {first, {"missing"}});
        }).find("missing") != std::string::npos);
  CHECK_FALSE(fs::exists(dir.path / "second.h5.partial"));
  CHECK_FALSE(fs::exists(dir.path / "second.h5.partial.tmp"));

  ArchiveWriter writer(dir.path / "second.h5", experiment("running"), {first, {"table", "model"}});
  writer.add_node(node_info("fresh"), one_table(4.0));
  const ArchiveReader reader(writer.partial_path());
  const std::vector<NodeInfo> nodes = reader.nodes();
  REQUIRE(names(nodes) == std::vector<std::string>{"table", "model", "fresh"});
  CHECK(fields(nodes[0]) == fields(node_info("table")));
  CHECK(fields(nodes[1]) == fields(node_info("model")));
  check_same_products(reader.products("table"), one_table(3.0));
  check_same_products(reader.products("model"), model);
}

TEST_CASE("archive: a resumed run's partial replaces the old one, which it copies from") {
  TempDir dir;
  const fs::path file = dir.path / "run.h5";
  {
    ArchiveWriter writer(file, experiment("running"));
    writer.add_node(node_info("a"), one_table(1.0));
    writer.add_node(node_info("b"), one_table(2.0));
  }  // the run stops: the partial keeps a and b
  const fs::path partial = blindspot::host::partial_path_for(file);
  ArchiveWriter writer(file, experiment("running"), {partial, {"a"}});
  const ArchiveReader reader(writer.partial_path());
  CHECK(names(reader.nodes()) == std::vector<std::string>{"a"});
  CHECK(fields(reader.nodes()[0]) == fields(node_info("a")));
  check_same_products(reader.products("a"), one_table(1.0));
  CHECK_FALSE(fs::exists(dir.path / "run.h5.partial.tmp"));
}

TEST_CASE("archive: a product that breaks its kind's form is refused naming file, node, port") {
  TempDir dir;
  const fs::path file = dir.path / "run.h5";
  blindspot::AdversarialSet set;
  set.original = at::zeros({5, 1, 2, 2});
  set.adversarial = at::zeros({5, 1, 2, 2});
  for (at::Tensor* t :
       {&set.labels, &set.indices, &set.target, &set.original_prediction, &set.prediction})
    *t = at::zeros({5}, at::kLong);
  set.success = at::zeros({5}, at::kByte);
  set.distortion = at::zeros({5});
  Record record = set.save();
  record.attributes["kind"] = "AdversarialSet";
  ArchiveWriter writer(file, experiment("running"));
  writer.add_node(node_info("good"), {{"adversarial", record}});
  record.tensors["labels"] = at::zeros({3}, at::kLong);
  // The writer refuses labels that break the declared dimension N; without the declaration
  // the record reaches the archive, and the reader's check of its kind is what is tested.
  record.dimensions.clear();
  writer.add_node(node_info("attack"), {{"adversarial", record}});
  const ArchiveReader reader(writer.partial_path());
  CHECK(reader.products("good").size() == 1);
  const std::string message =
      error_naming(writer.partial_path(), [&] { reader.products("attack"); });
  CHECK(message.find("node 'attack', output 'adversarial'") == 0);
  CHECK(message.find("'labels' is Long [3]; expected Long [5]") != std::string::npos);
  CHECK(message.find("move it aside") != std::string::npos);
}

TEST_CASE("archive: unsafe experiment and node names are refused when read") {
  TempDir dir;
  for (const std::string& name : {std::string("../../x"), std::string(".."), std::string(""),
                                  std::string("a\nb"), std::string("a\\b")}) {
    CAPTURE(name);
    const fs::path file = dir.path / "named.h5";
    ExperimentInfo info = experiment("complete");
    info.name = name;
    ArchiveWriter writer(file, info);
    const bool storable = name.size() > 2 && name.find('/') == std::string::npos;
    writer.add_node(node_info(storable ? name : "ok"), {});
    writer.finish(info);
    CHECK(error_naming(file, [&] {
            ArchiveReader(file).experiment();
          }).find("unsafe experiment name") != std::string::npos);
    if (storable)
      CHECK(error_naming(file, [&] { ArchiveReader(file).nodes(); }).find("unsafe node name") !=
            std::string::npos);
  }
}

TEST_CASE("archive: files that are not archives are refused with their path") {
  TempDir dir;
  const fs::path missing = dir.path / "missing.h5";
  CHECK(error_naming(missing, [&] { ArchiveReader{missing}; }).find("not a blindspot archive") ==
        0);

  const fs::path text = dir.path / "notes.h5";
  std::ofstream(text) << "just some text\n";
  CHECK(error_naming(text, [&] { ArchiveReader{text}; }).find("not a blindspot archive") == 0);

  const fs::path plain = dir.path / "plain.h5";
  {
    blindspot::host::H5Handle file = blindspot::host::create_file(plain);
    blindspot::host::create_group(file, "nodes");
    blindspot::host::close_file(file);
  }
  CHECK(error_naming(plain, [&] { ArchiveReader{plain}; }).find("not a blindspot archive") == 0);

  const fs::path good = dir.path / "good.h5";
  ArchiveWriter(good, experiment("running")).finish(experiment("complete"));
  const std::string message = error_naming(good, [&] { ArchiveReader(good).products("nope"); });
  CHECK(message.find("nope") != std::string::npos);
}
