// Tests of the built-in dataset node on IDX folders the tests write, and on the real data sets.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "blindspot/error.hpp"
#include "blindspot/node.hpp"
#include "data/data_dir.hpp"
#include "data/dataset_node.hpp"
#include "data/idx.hpp"
#include "data/splits.hpp"
#include "support/idx_pool.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::Dataset;
using blindspot::Error;
using blindspot::LabelledImages;
using blindspot::Value;

namespace {

/// A fresh temporary folder, removed with everything in it at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device device;
    path = fs::temp_directory_path() / ("blindspot_dataset_test_" + std::to_string(device()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

/// A progress bar that shows nothing.
struct NoProgress final : blindspot::Progress {
  void advance(std::int64_t) override {}
  void status(const std::string&) override {}
};

/// The host's side of a run, reduced to a fixed seed.
struct TestContext final : blindspot::RunContext {
  explicit TestContext(std::uint64_t s) : seed_(s), rng_(s) {}
  std::uint64_t seed() const override { return seed_; }
  std::mt19937_64& rng() override { return rng_; }
  int threads() const override { return 1; }
  std::unique_ptr<blindspot::Progress> progress(const std::string&, std::int64_t) override {
    return std::make_unique<NoProgress>();
  }
  void log(const std::string&) override {}
  std::unique_ptr<blindspot::Node> component(const blindspot::Value&,
                                             blindspot::PluginKind) override {
    throw blindspot::Error("", "the dataset node uses no components");
  }

  std::uint64_t seed_;
  std::mt19937_64 rng_;
};

/// `count` images of height x width whose byte p of image i is (i * 31 + p * 7) % 256, so
/// that every image differs, and labels i % classes.
struct Source {
  at::Tensor images, labels;
  Source(std::int64_t count, std::int64_t height, std::int64_t width, std::int64_t classes) {
    const at::Tensor i = at::arange(count, at::kLong).view({count, 1});
    const at::Tensor p = at::arange(height * width, at::kLong).view({1, height * width});
    images = (i * 31 + p * 7).remainder(256).to(at::kByte).view({count, height, width});
    labels = at::arange(count, at::kLong).remainder(classes).to(at::kByte);
  }
};

/// Writes `prefix`images-idx3-ubyte and `prefix`labels-idx1-ubyte (gzipped if asked).
void write_source(const fs::path& dir, const std::string& prefix, const Source& source,
                  bool gzipped = false) {
  const fs::path images = dir / (prefix + "images-idx3-ubyte");
  const fs::path labels = dir / (prefix + "labels-idx1-ubyte");
  blindspot::host::write_idx(images, source.images);
  blindspot::host::write_idx(labels, source.labels);
  if (gzipped) {
    blindspot::test_support::gzip_file(images);
    blindspot::test_support::gzip_file(labels);
  }
}

blindspot::ValidatedParams validated(const std::map<std::string, Value>& given) {
  std::vector<blindspot::ParamProblem> problems;
  auto values = blindspot::host::dataset_plugin_entry().describe().validate(given, problems);
  REQUIRE(problems.empty());
  return values;
}

/// Creates the node from `given` parameters and runs it with `seed`.
std::shared_ptr<const Dataset> run_dataset(const std::map<std::string, Value>& given,
                                           std::uint64_t seed = 7) {
  auto node = blindspot::host::dataset_plugin_entry().create(validated(given));
  blindspot::Inputs in;
  blindspot::Outputs out;
  TestContext ctx(seed);
  node->execute("data", in, out, ctx);
  REQUIRE(out.all().size() == 1);
  auto product = std::dynamic_pointer_cast<const Dataset>(out.find("data"));
  REQUIRE(product != nullptr);
  return product;
}

std::map<std::string, Value> idx_params(const fs::path& dir, int train, int test,
                                        bool halves = false) {
  return {{"source", Value::of("idx")},
          {"path", Value::of(dir.string())},
          {"train", Value::of(train)},
          {"test", Value::of(test)},
          {"halves", Value::of(halves)}};
}

/// The message of the blindspot::Error thrown by `f`, or "" if none was thrown.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::vector<std::int64_t> as_vector(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kLong).contiguous();
  return {c.data_ptr<std::int64_t>(), c.data_ptr<std::int64_t>() + c.numel()};
}

/// Checks that every image, label and index of `split` is the source's at that index.
void check_matches_source(const LabelledImages& split, const Source& source) {
  const std::int64_t n = split.size();
  REQUIRE(split.images.sizes() ==
          at::IntArrayRef{n, 1, source.images.size(1), source.images.size(2)});
  CHECK((split.images.scalar_type() == at::kFloat));
  CHECK((split.labels.scalar_type() == at::kLong));
  CHECK((split.indices.scalar_type() == at::kLong));
  const std::vector<std::int64_t> indices = as_vector(split.indices);
  const std::vector<std::int64_t> labels = as_vector(split.labels);
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int64_t i = indices[k];
    REQUIRE(i >= 0);
    REQUIRE(i < source.images.size(0));
    const at::Tensor expected = source.images[i].to(at::kFloat) / 255.0f;
    CHECK(split.images[k][0].sub(expected).abs().max().item<float>() < 1e-7f);
    CHECK(labels[k] == source.labels[i].item<std::int64_t>());
  }
}

bool disjoint(const at::Tensor& a, const at::Tensor& b) {
  return !at::isin(a, b).any().item<bool>();
}

bool same_rows(const at::Tensor& a, const at::Tensor& b) {
  return a.sizes() == b.sizes() && at::equal(std::get<0>(a.sort()), std::get<0>(b.sort()));
}

}  // namespace

TEST_CASE("a pool folder is split into train, test and the disjoint halves of train") {
  TempDir dir;
  const Source pool(100, 6, 5, 7);
  write_source(dir.path, "", pool);
  const auto data = run_dataset(idx_params(dir.path, 61, 30, true));
  CHECK(data->source == dir.path.string());
  CHECK(data->num_classes == 7);
  REQUIRE(data->splits.size() == 4);
  const LabelledImages& train = data->split("train");
  const LabelledImages& test = data->split("test");
  const LabelledImages& p1 = data->split("p1");
  const LabelledImages& p2 = data->split("p2");
  CHECK(train.size() == 61);
  CHECK(test.size() == 30);
  CHECK(p1.size() == 30);
  CHECK(p2.size() == 31);
  CHECK(disjoint(train.indices, test.indices));
  CHECK(disjoint(p1.indices, p2.indices));
  CHECK(same_rows(at::cat({p1.indices, p2.indices}), train.indices));
  CHECK(std::get<0>(at::_unique(train.indices)).numel() == 61);
  for (const LabelledImages* split : {&train, &test, &p1, &p2}) check_matches_source(*split, pool);

  const auto rest = run_dataset(idx_params(dir.path, 61, 0));
  CHECK(rest->split("test").size() == 39);
  CHECK(rest->splits.count("p1") == 0);
  CHECK(same_rows(at::cat({rest->split("train").indices, rest->split("test").indices}),
                  at::arange(100, at::kLong)));
}

TEST_CASE("train and t10k files, gzipped or plain, are split separately") {
  for (bool gzipped : {true, false}) {
    CAPTURE(gzipped);
    TempDir dir;
    const Source train_file(50, 4, 4, 10);
    const Source test_file(20, 4, 4, 10);
    write_source(dir.path, "train-", train_file, gzipped);
    write_source(dir.path, "t10k-", test_file, gzipped);

    const auto all = run_dataset(idx_params(dir.path, 0, 0));
    CHECK(all->num_classes == 10);
    CHECK(same_rows(all->split("train").indices, at::arange(50, at::kLong)));
    CHECK(same_rows(all->split("test").indices, at::arange(20, at::kLong)));
    CHECK_FALSE(at::equal(all->split("train").indices, at::arange(50, at::kLong)));
    check_matches_source(all->split("train"), train_file);
    check_matches_source(all->split("test"), test_file);

    const auto some = run_dataset(idx_params(dir.path, 25, 5, true));
    CHECK(some->split("train").size() == 25);
    CHECK(some->split("test").size() == 5);
    CHECK(some->split("p1").size() == 12);
    CHECK(some->split("p2").size() == 13);
    check_matches_source(some->split("p2"), train_file);
    check_matches_source(some->split("test"), test_file);

    CHECK(error_of([&] { run_dataset(idx_params(dir.path, 51, 0)); }).find("holds 50") !=
          std::string::npos);
  }
}

TEST_CASE("the same seed gives the same splits, another seed other splits") {
  TempDir dir;
  write_source(dir.path, "", Source(100, 3, 3, 10));
  const auto params = idx_params(dir.path, 50, 20, true);
  const auto a = run_dataset(params, 11);
  const auto b = run_dataset(params, 11);
  const auto c = run_dataset(params, 12);
  for (const auto& name : {"train", "test", "p1", "p2"}) {
    CAPTURE(name);
    CHECK(at::equal(a->split(name).indices, b->split(name).indices));
    CHECK(at::equal(a->split(name).images, b->split(name).images));
  }
  CHECK_FALSE(at::equal(a->split("train").indices, c->split("train").indices));
}

TEST_CASE("the permutation is pinned, so splits are the same on every machine and version") {
  std::mt19937_64 rng(42);
  const std::vector<std::int64_t> expected{1, 7, 9, 0, 3, 8, 4, 2, 5, 6};
  CHECK(blindspot::host::portable_permutation(10, rng) == expected);
}

TEST_CASE("restoring recomputes the same splits and notices changed data") {
  TempDir dir;
  write_source(dir.path, "", Source(40, 2, 2, 4));
  const auto values = validated(idx_params(dir.path, 20, 10, true));
  const auto node = blindspot::host::dataset_plugin_entry().create(values);
  blindspot::Inputs in;
  blindspot::Outputs first, restored;
  TestContext ctx(5);
  node->execute("data", in, first, ctx);
  const auto& ran = dynamic_cast<const Dataset&>(*first.find("data"));

  TestContext later(5);
  later.rng().discard(1000);  // the host may have drawn from the node's generator already
  blindspot::StoredProducts stored{{"data", ran.save()}};
  node->restore(stored, in, restored, later);
  const auto& back = dynamic_cast<const Dataset&>(*restored.find("data"));
  for (const auto& [name, split] : ran.splits) {
    CAPTURE(name);
    CHECK(at::equal(split.indices, back.split(name).indices));
    CHECK(at::equal(split.images, back.split(name).images));
  }

  stored["data"].tensors["test/labels"] = stored["data"].tensors["test/labels"].flip(0);
  blindspot::Outputs changed;
  CHECK(error_of([&] { node->restore(stored, in, changed, later); }).find("differ") !=
        std::string::npos);
}

TEST_CASE("bad folders and parameters are errors naming what was expected") {
  TempDir dir;
  write_source(dir.path, "", Source(100, 2, 2, 10));
  const std::string too_many = error_of([&] { run_dataset(idx_params(dir.path, 80, 30)); });
  CHECK(too_many.find("train 80 + test 30 = 110") != std::string::npos);
  CHECK(too_many.find("holds 100") != std::string::npos);
  CHECK(error_of([&] { run_dataset(idx_params(dir.path, 0, 30)); }).find("train count") !=
        std::string::npos);

  const std::string missing = error_of([&] { run_dataset(idx_params(dir.path / "nope", 1, 1)); });
  CHECK(missing.find((dir.path / "nope").string() + ": no such folder") != std::string::npos);

  CHECK(error_of([&] {
          run_dataset({{"source", Value::of("idx")}});
        }).find("needs 'path'") != std::string::npos);

  TempDir empty;
  fs::create_directories(empty.path / "sub");
  const std::string layout = error_of([&] { run_dataset(idx_params(empty.path, 1, 1)); });
  CHECK(layout.find("train-images-idx3-ubyte") != std::string::npos);
  CHECK(layout.find("or images-idx3-ubyte, labels-idx1-ubyte") != std::string::npos);

  TempDir mismatched;
  blindspot::host::write_idx(mismatched.path / "images-idx3-ubyte",
                             at::zeros({100, 2, 2}, at::kByte));
  blindspot::host::write_idx(mismatched.path / "labels-idx1-ubyte", at::zeros({99}, at::kByte));
  CHECK(error_of([&] {
          run_dataset(idx_params(mismatched.path, 10, 10));
        }).find("holds 100 images but") != std::string::npos);
}

TEST_CASE("the schema refuses an unknown source, listing the choices") {
  std::vector<blindspot::ParamProblem> problems;
  const auto schema = blindspot::host::dataset_plugin_entry().describe();
  schema.validate({{"source", Value::of("cifar")}}, problems);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].key == "source");
  for (const char* choice : {"cifar", "mnist", "fashion-mnist", "idx"}) {
    CAPTURE(choice);
    CHECK(problems[0].message.find(choice) != std::string::npos);
  }
  problems.clear();
  schema.validate({{"train", Value::of(-1)}}, problems);
  CHECK(problems.size() == 1);
}

TEST_CASE("source mnist without the converted digits asks to run scripts/setup") {
  TempDir dir;
  const char* old = std::getenv("BLINDSPOT_DATA_DIR");
  const std::string saved = old ? old : "";
  setenv("BLINDSPOT_DATA_DIR", dir.path.c_str(), 1);
  CHECK(blindspot::host::data_dir() == dir.path);
  const std::string message = error_of([&] { run_dataset({{"train", Value::of(10)}}); });
  if (old)
    setenv("BLINDSPOT_DATA_DIR", saved.c_str(), 1);
  else
    unsetenv("BLINDSPOT_DATA_DIR");
  CHECK(message.find("MNIST digits not found in " + (dir.path / "mnist").string() +
                     "; run scripts/setup") != std::string::npos);
}

TEST_CASE("the real data sets load with the expected shapes and all ten classes") {
  const bool have_fashion = fs::exists("/usr/share/datasets/fashion-mnist");
  const bool have_mnist = fs::exists(blindspot::host::data_dir() / "mnist");
  if (!have_fashion) MESSAGE("skipped Fashion-MNIST: /usr/share/datasets/fashion-mnist missing");
  if (!have_mnist) MESSAGE("skipped MNIST: run scripts/setup to convert the digits");
  for (const char* source : {"fashion-mnist", "mnist"}) {
    if (!(std::string(source) == "mnist" ? have_mnist : have_fashion)) continue;
    CAPTURE(source);
    const auto data = run_dataset(
        {{"source", Value::of(source)}, {"train", Value::of(1000)}, {"test", Value::of(500)}});
    CHECK(data->source == source);
    CHECK(data->num_classes == 10);
    CHECK(data->split("train").images.sizes() == at::IntArrayRef{1000, 1, 28, 28});
    CHECK(data->split("test").images.sizes() == at::IntArrayRef{500, 1, 28, 28});
    CHECK(data->split("train").images.max().item<float>() <= 1.0f);
    CHECK(std::get<0>(at::_unique(data->split("train").labels)).numel() == 10);
    CHECK(std::get<0>(at::_unique(data->split("test").labels)).numel() == 10);
  }
}

TEST_CASE("train and test images of different sizes are refused, naming both files") {
  TempDir dir;
  write_source(dir.path, "train-", Source(10, 28, 28, 10));
  write_source(dir.path, "t10k-", Source(10, 56, 14, 10));
  CHECK(error_of([&] { run_dataset(idx_params(dir.path, 0, 0)); }) ==
        (dir.path / "t10k-images-idx3-ubyte").string() +
            ": images of 1x56x14 (channels x height x width), but the train images of " +
            (dir.path / "train-images-idx3-ubyte").string() +
            " are 1x28x28; train and test images must be of one size");
}

TEST_CASE("a test count near the int64 limit is refused, not overflowed") {
  TempDir dir;
  write_source(dir.path, "", Source(10, 2, 2, 2));
  auto params = idx_params(dir.path, 4, 0);
  params["test"] = Value::of(std::numeric_limits<std::int64_t>::max());
  CHECK(error_of([&] { run_dataset(params); }) ==
        (dir.path / "images-idx3-ubyte").string() +
            ": train 4 + test 9223372036854775807 = 9223372036854775811 images asked for, but "
            "the pool holds 10");
}

TEST_CASE("a data folder or IDX file that is a symlink loop is one error naming it") {
  TempDir dir;
  fs::create_directory_symlink("loop", dir.path / "loop");
  CHECK(error_of([&] { run_dataset(idx_params(dir.path / "loop", 1, 1)); }) ==
        (dir.path / "loop").string() +
            ": cannot read the folder: Too many levels of symbolic links");
  fs::create_directory(dir.path / "data");
  fs::create_symlink("images-idx3-ubyte", dir.path / "data/images-idx3-ubyte");
  CHECK(error_of([&] { run_dataset(idx_params(dir.path / "data", 1, 1)); }) ==
        (dir.path / "data/images-idx3-ubyte").string() +
            ": cannot read: Too many levels of symbolic links");
}

TEST_CASE("shuffle false takes the files' order; true (the default) the seeded permutation") {
  TempDir dir;
  const Source pool(20, 3, 2, 4);
  write_source(dir.path, "", pool);
  auto in_order = idx_params(dir.path, 8, 6, true);
  in_order["shuffle"] = Value::of(false);
  const auto data = run_dataset(in_order);
  const at::Tensor rows = blindspot::host::read_idx(dir.path / "images-idx3-ubyte");
  const at::Tensor labels = blindspot::host::read_idx(dir.path / "labels-idx1-ubyte");
  for (const auto& [name, first, count] : {std::tuple{"train", 0, 8}, std::tuple{"test", 8, 6},
                                           std::tuple{"p1", 0, 4}, std::tuple{"p2", 4, 4}}) {
    CAPTURE(name);
    const LabelledImages& split = data->split(name);
    CHECK(at::equal(split.indices, at::arange(first, first + count, at::kLong)));
    CHECK(at::equal(split.images.squeeze(1).mul(255).round().to(at::kByte),
                    rows.narrow(0, first, count)));
    CHECK(at::equal(split.labels, labels.narrow(0, first, count).to(at::kLong)));
  }

  auto shuffled = idx_params(dir.path, 8, 6, true);
  shuffled["shuffle"] = Value::of(true);
  const auto by_default = run_dataset(idx_params(dir.path, 8, 6, true), 7);
  const auto permuted = run_dataset(shuffled, 7);
  std::mt19937_64 rng(7);
  const std::vector<std::int64_t> order = blindspot::host::portable_permutation(20, rng);
  CHECK(as_vector(permuted->split("train").indices) ==
        std::vector<std::int64_t>(order.begin(), order.begin() + 8));
  CHECK(as_vector(permuted->split("test").indices) ==
        std::vector<std::int64_t>(order.begin() + 8, order.begin() + 14));
  for (const char* name : {"train", "test", "p1", "p2"}) {
    CAPTURE(name);
    CHECK(at::equal(by_default->split(name).indices, permuted->split(name).indices));
    check_matches_source(permuted->split(name), pool);
  }
}

TEST_CASE("shuffle false keeps the order of separate train and test files") {
  TempDir dir;
  const Source train_file(12, 2, 2, 3);
  const Source test_file(9, 2, 2, 3);
  write_source(dir.path, "train-", train_file);
  write_source(dir.path, "t10k-", test_file);
  auto params = idx_params(dir.path, 5, 4);
  params["shuffle"] = Value::of(false);
  const auto data = run_dataset(params);
  CHECK(at::equal(data->split("train").indices, at::arange(5, at::kLong)));
  CHECK(at::equal(data->split("test").indices, at::arange(4, at::kLong)));
  check_matches_source(data->split("train"), train_file);
  check_matches_source(data->split("test"), test_file);
}

TEST_CASE("the cache key digests only the IDX files the node reads") {
  TempDir dir;
  write_source(dir.path, "", Source(10, 2, 2, 2));
  std::ofstream(dir.path / "notes.txt") << "not data\n";
  fs::create_directory_symlink("loop", dir.path / "loop");  // a walk of the folder would fail here
  CHECK(blindspot::host::dataset_files(validated(idx_params(dir.path, 4, 0))) ==
        std::vector<fs::path>{dir.path / "images-idx3-ubyte", dir.path / "labels-idx1-ubyte"});
  CHECK(blindspot::host::dataset_files(validated({{"train", Value::of(4)}})).empty());

  const fs::path yaml = dir.path / "exp.yaml";
  std::ofstream(yaml) << "experiment: order\nseed: 1\nnodes:\n  data:\n    plugin: dataset\n"
                      << "    with: {source: idx, path: '" << dir.path.string() << "', train: 4}\n";
  const auto run = blindspot::test_support::run_blindspot("run '" + yaml.string() + "' -o '" +
                                                          (dir.path / "out.h5").string() + "'");
  INFO(run.output);
  CHECK(run.exit_code == 0);
}
