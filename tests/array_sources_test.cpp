// The dataset node's NumPy and HDF5 sources, on files written by NumPy and h5py
// (tests/support/make_arrays.py): layouts, dtypes, byte orders, splits and the files read.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "archive/archive.hpp"
#include "blindspot/testing.hpp"
#include "data/dataset_node.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
namespace testing = blindspot::testing;
using blindspot::Dataset;

namespace {

/// The folder make_arrays.py wrote, made once for this program.
const fs::path& arrays() {
  static const fs::path folder = [] {
    const fs::path out = testing::scratch_folder() / "arrays";
    const auto made = blindspot::test_support::run_command(
        "/usr/bin/python3 " BLINDSPOT_SOURCE_DIR "/tests/support/make_arrays.py " + out.string());
    INFO(made.output);
    REQUIRE(made.exit_code == 0);
    return out;
  }();
  return folder;
}

/// The dataset node's product for `with_yaml`, where $A stands for the arrays folder.
Dataset load(std::string with_yaml, std::uint64_t seed = 3) {
  for (std::size_t at = with_yaml.find("$A"); at != std::string::npos; at = with_yaml.find("$A"))
    with_yaml.replace(at, 2, arrays().string());
  const blindspot::Outputs out = testing::run_node("dataset", with_yaml, {}, seed);
  return testing::product_of<Dataset>(out, "data");
}

/// make_arrays.py's images(count): value p of image i in [N, H, W, C] C order is
/// (i * 31 + p * 7) % 256; returned as [N, C, H, W] floats in [0, 1].
at::Tensor expected_images(std::int64_t count, std::int64_t h, std::int64_t w, std::int64_t c) {
  const at::Tensor i = at::arange(count, at::kLong).view({count, 1});
  const at::Tensor p = at::arange(h * w * c, at::kLong).view({1, h * w * c});
  const at::Tensor nhwc = (i * 31 + p * 7).remainder(256).view({count, h, w, c});
  return nhwc.permute({0, 3, 1, 2}).to(at::kFloat).div(255);
}

/// The rows of `all` (an [N, ...] tensor) at the split's indices.
at::Tensor rows(const at::Tensor& all, const blindspot::LabelledImages& split) {
  return all.index_select(0, split.indices);
}

void check_same(const Dataset& a, const Dataset& b) {
  REQUIRE(a.splits.size() == b.splits.size());
  CHECK(a.num_classes == b.num_classes);
  for (const auto& [name, split] : a.splits) {
    const blindspot::LabelledImages& other = b.splits.at(name);
    INFO(name);
    CHECK(at::equal(split.indices, other.indices));
    CHECK(at::equal(split.labels, other.labels));
    CHECK(split.images.sizes() == other.images.sizes());
    CHECK(at::equal(split.images, other.images));
  }
}

}  // namespace

TEST_CASE("an NHWC uint8 .npz holds the images NumPy wrote, as [N, C, H, W] in [0, 1]") {
  const Dataset data = load("{source: npz, path: '$A/nhwc.npz'}");
  CHECK(data.num_classes == 3);
  const blindspot::LabelledImages &train = data.splits.at("train"), &test = data.splits.at("test");
  REQUIRE(train.images.sizes() == at::IntArrayRef{6, 3, 5, 4});
  CHECK((train.images.scalar_type() == at::kFloat));
  CHECK(at::equal(train.images, rows(expected_images(6, 5, 4, 3), train)));
  CHECK(at::equal(train.labels, train.indices.remainder(3)));
  // x_test = images(4)[::-1] // 2, labels of shape [4, 1] in uint16.
  const at::Tensor x_test =
      (expected_images(4, 5, 4, 3) * 255).round().flip(0).div(2, "floor").div(255);
  REQUIRE(test.images.sizes() == at::IntArrayRef{4, 3, 5, 4});
  CHECK(at::allclose(test.images, rows(x_test, test), 0, 1e-7));
  CHECK(at::equal(test.labels, test.indices.remainder(3)));
}

TEST_CASE("the same arrays as HDF5, float NCHW .npz and big-endian Fortran .npy give one dataset") {
  const Dataset npz = load("{source: npz, path: '$A/nhwc.npz', halves: true}");
  const Dataset h5 = load(
      "{source: hdf5, path: '$A/arrays.h5', images: /train/x, "
      "labels: train/y, test_images: /test/x, test_labels: /test/y, "
      "halves: true}");
  const Dataset floats =
      load("{source: npz, path: '$A/nchw_float.npz', layout: nchw, halves: true}");
  const Dataset npy = load("{source: npy, path: '$A/npy', halves: true}");
  check_same(npz, h5);
  check_same(npz, floats);
  check_same(npz, npy);
  CHECK(npz.splits.count("p1") == 1);
}

TEST_CASE("a pool x, y of greyscale [N, H, W] arrays is split like an IDX pool") {
  const Dataset data = load("{source: npz, path: '$A/pool.npz', train: 6, test: 3, halves: true}");
  REQUIRE(data.splits.at("train").images.sizes() == at::IntArrayRef{6, 1, 4, 4});
  CHECK(data.splits.at("test").size() == 3);
  CHECK(data.splits.at("p1").size() == 3);
  const at::Tensor all = expected_images(10, 4, 4, 1);
  for (const char* name : {"train", "test", "p2"})
    CHECK(at::equal(data.splits.at(name).images, rows(all, data.splits.at(name))));
  CHECK_FALSE(
      at::isin(data.splits.at("test").indices, data.splits.at("train").indices).any().item<bool>());
}

TEST_CASE("'classes' sets the class count and bounds the labels") {
  CHECK(load("{source: npz, path: '$A/nhwc.npz', classes: 10}").num_classes == 10);
  CHECK(testing::error_of([] {
          load("{source: npz, path: '$A/nhwc.npz', classes: 2}");
        }).find("holds the label 2, but 'classes' is 2 (labels 0 to 1)") != std::string::npos);
}

TEST_CASE("a layout that contradicts the array's rank, or names given by halves, are refused") {
  CHECK(testing::error_of([] { load("{source: npz, path: '$A/nhwc.npz', layout: nhw}"); })
            .find("layout 'nhw' needs images of 3 dimensions [N, H, W], but this array has 4 "
                  "(6x5x4x3)") != std::string::npos);
  CHECK(testing::error_of([] {
          load("{source: npz, path: '$A/nhwc.npz', images: x_train}");
        }).find("name the images and their labels together") != std::string::npos);
  CHECK(testing::error_of([] {
          load("{source: idx, path: '$A', layout: nhwc}");
        }).find("IDX files hold [N, H, W] images; layout 'nhwc' does not apply") !=
        std::string::npos);
}

TEST_CASE("the cache key covers the files the arrays come from") {
  const auto files = [](const std::string& with) {
    std::vector<blindspot::ParamProblem> problems;
    std::map<std::string, blindspot::Value> given;
    for (const auto& [key, value] : std::map<std::string, std::string>{
             {"source", with},
             {"path", (arrays() / (with == "npy" ? "npy" : "nhwc.npz")).string()}})
      given[key] = blindspot::Value::of(value);
    const auto values =
        blindspot::host::dataset_plugin_entry().describe().validate(given, problems);
    REQUIRE(problems.empty());
    return blindspot::host::dataset_files(values);
  };
  CHECK(files("npz") == std::vector<fs::path>{arrays() / "nhwc.npz"});
  const fs::path npy = arrays() / "npy";
  CHECK(files("npy") == std::vector<fs::path>{npy / "x_train.npy", npy / "y_train.npy",
                                              npy / "x_test.npy", npy / "y_test.npy"});
}

TEST_CASE("a node reading a changed .npz gets a new cache key; an unchanged one keeps its key") {
  const fs::path dir = testing::scratch_folder() / "npz_key";
  fs::create_directories(dir);
  fs::copy_file(arrays() / "nhwc.npz", dir / "data.npz", fs::copy_options::overwrite_existing);
  const fs::path yaml = dir / "exp.yaml";
  std::ofstream(yaml) << "experiment: key\nseed: 1\nnodes:\n  data:\n    plugin: dataset\n"
                      << "    with: {source: npz, path: '" << (dir / "data.npz").string() << "'}\n";
  const auto key = [&](const std::string& name) {
    const fs::path out = dir / (name + ".h5");
    const auto run = blindspot::test_support::run_blindspot("run '" + yaml.string() + "' -o '" +
                                                            out.string() + "'");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    return blindspot::host::ArchiveReader(out).nodes().at(0).key;
  };
  const std::string first = key("first");
  CHECK(key("again") == first);
  fs::copy_file(arrays() / "nchw_float.npz", dir / "data.npz",
                fs::copy_options::overwrite_existing);
  CHECK(key("changed") != first);  // the same images, but other bytes: the key follows the file
}
