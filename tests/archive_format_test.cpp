// Archive format 2 for HDF5 tools: typed attributes, compressed datasets, named dimensions
// (kept when a resumed run copies a node), and the format version readers check.
// ATen first: doctest's CHECK must replace the glog CHECK that LibTorch's headers define.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "archive/archive.hpp"
#include "archive/h5_attribute.hpp"
#include "archive/h5_dataset.hpp"
#include "archive/h5_file.hpp"
#include "archive/h5_group.hpp"
#include "blindspot/error.hpp"
#include "blindspot/products.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using blindspot::Record;
using blindspot::StoredProducts;
using blindspot::host::ArchiveReader;
using blindspot::host::ArchiveWriter;
using blindspot::host::ExperimentInfo;
using blindspot::host::H5Handle;
using blindspot::host::NodeInfo;
using blindspot::test_support::TempDir;

namespace {

ExperimentInfo experiment() {
  ExperimentInfo info;
  info.name = "format";
  info.status = "running";
  info.threads = 1;
  return info;
}

NodeInfo node(const std::string& name) {
  NodeInfo info;
  info.name = name;
  info.plugin = "p";
  info.plugin_version = "1";
  info.parameters = "{}";
  info.key = "key_" + name;
  info.status = "complete";
  return info;
}

// An adversarial-set-like record: images [N, C, H, W] (2 MB, compressible), per-sample values,
// a table's coordinates, and attributes of each kind.
Record sample_record() {
  Record record;
  record.tensors["original"] =
      at::arange(64 * 3 * 32 * 32, at::kFloat).remainder(7).reshape({64, 3, 32, 32});
  record.tensors["labels"] = at::arange(64, at::kLong);
  record.tensors["extra/c"] = at::ones({64}, at::kDouble);
  record.tensors["values"] = at::zeros({2, 3}, at::kDouble);
  record.strings["rows"] = {"train", "test"};
  record.strings["columns"] = {"x", "y", "z"};
  record.attributes["kind"] = std::string("Test");
  record.attributes["num_classes"] = std::int64_t{10};
  record.attributes["epsilon"] = 0.25;
  record.dimensions = {
      {"original", {"N", "C", "H", "W"}}, {"labels", {"N"}},  {"extra/c", {"N"}},
      {"values", {"rows", "columns"}},    {"rows", {"rows"}}, {"columns", {"columns"}}};
  return record;
}

// The filters and the bytes stored of dataset `path` in `archive`.
std::pair<int, hsize_t> storage(const fs::path& archive, const std::string& path) {
  const H5Handle file = blindspot::host::open_archive(archive);
  const H5Handle dataset = blindspot::host::open_dataset(file, path);
  const hid_t dcpl = H5Dget_create_plist(dataset.id());
  const int filters = H5Pget_nfilters(dcpl);
  H5Pclose(dcpl);
  return {filters, H5Dget_storage_size(dataset.id())};
}

}  // namespace

TEST_CASE("archive format: attributes keep their kind and dimensions their names") {
  TempDir dir("archive_format");
  const fs::path out = dir.path() / "a.h5";
  ArchiveWriter writer(out, experiment());
  writer.add_node(node("n"), {{"port", sample_record()}});
  const Record read = ArchiveReader(writer.partial_path()).products("n").at("port");
  CHECK(std::get<std::int64_t>(read.attributes.at("num_classes")) == 10);
  CHECK(std::get<double>(read.attributes.at("epsilon")) == 0.25);
  CHECK(std::get<std::string>(read.attributes.at("kind")) == "Test");
  CHECK(read.dimensions == sample_record().dimensions);
  // The dimensions without coordinates are not data: N, C, H, W are not read as tensors.
  CHECK(read.tensors.size() == sample_record().tensors.size());
  CHECK(read.strings == sample_record().strings);
  CHECK(ArchiveReader(writer.partial_path()).experiment().format ==
        blindspot::host::kArchiveFormat);
}

TEST_CASE("archive format: large datasets are shuffled and deflated, small ones are not") {
  TempDir dir("archive_format");
  const fs::path out = dir.path() / "a.h5";
  ArchiveWriter writer(out, experiment());
  writer.add_node(node("n"), {{"port", sample_record()}});
  const auto [image_filters, image_bytes] = storage(writer.partial_path(), "nodes/n/port/original");
  CHECK(image_filters == 2);  // shuffle, deflate
  const std::int64_t raw = sample_record().tensors.at("original").nbytes();
  CHECK(image_bytes < static_cast<hsize_t>(raw / 10));  // values 0..6: compresses well
  const at::Tensor images =
      ArchiveReader(writer.partial_path()).products("n").at("port").tensors.at("original");
  CHECK(at::equal(images, sample_record().tensors.at("original")));
  const auto [label_filters, label_bytes] = storage(writer.partial_path(), "nodes/n/port/labels");
  CHECK(label_filters == 0);
  CHECK(label_bytes == 64 * 8);
}

TEST_CASE("archive format: a node copied by a resumed run keeps its dimensions") {
  TempDir dir("archive_format");
  const fs::path first = dir.path() / "first.h5";
  {
    ArchiveWriter writer(first, experiment());
    writer.add_node(node("n"), {{"port", sample_record()}});
    writer.finish(experiment());
  }
  ArchiveWriter writer(dir.path() / "second.h5", experiment(), {first, {"n"}});
  const Record copied = ArchiveReader(writer.partial_path()).products("n").at("port");
  CHECK(copied.dimensions == sample_record().dimensions);
  CHECK(copied.tensors.size() == sample_record().tensors.size());
}

TEST_CASE("archive format: dimensions that do not fit the data are refused before writing") {
  TempDir dir("archive_format");
  ArchiveWriter writer(dir.path() / "a.h5", experiment());
  const std::pair<std::string, std::vector<std::string>> wrong[] = {
      {"labels", {"N", "K"}},        // rank 1, two names
      {"values", {"N", "columns"}},  // N is 64 elsewhere, 2 here
      {"missing", {"N"}},            // no such dataset
      {"rows", {"columns"}}};        // columns are 3, rows 2: "columns" cannot label it
  for (const auto& [name, dimensions] : wrong) {
    CAPTURE(name);
    Record record = sample_record();
    record.dimensions[name] = dimensions;
    try {
      writer.add_node(node("bad"), {{"port", record}});
      FAIL("accepted");
    } catch (const blindspot::Error& e) {
      CHECK(std::string(e.what()).find("/nodes/bad/port/") != std::string::npos);
    }
  }
  CHECK(ArchiveReader(writer.partial_path()).nodes().empty());
}

TEST_CASE("archive format: a newer format is refused in one line, format 1 is read") {
  TempDir dir("archive_format");
  const fs::path out = dir.path() / "a.h5";
  {
    ArchiveWriter writer(out, experiment());
    writer.add_node(node("n"), {{"port", sample_record()}});
    writer.finish(experiment());
  }
  const auto set_format = [&](std::int64_t format) {
    H5Handle file = blindspot::host::open_file_for_update(out);
    const H5Handle group = blindspot::host::open_group(file, "experiment");
    if (format == 1)
      H5Adelete(group.id(), "format_version");
    else
      blindspot::host::write_attribute(group, "format_version", format);
    blindspot::host::close_file(file);
  };
  set_format(3);
  try {
    ArchiveReader reader(out);
    FAIL("a format-3 archive was opened");
  } catch (const blindspot::Error& e) {
    const std::string message = e.what();
    CHECK(message.find("archive format 3") != std::string::npos);
    CHECK(message.find("formats 1 to 2") != std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }
  set_format(1);
  const ArchiveReader reader(out);
  CHECK(reader.experiment().format == 1);
  CHECK(reader.products("n").at("port").tensors.size() == sample_record().tensors.size());
}

TEST_CASE("archive format: the ranks a run had are kept; an archive without them had one") {
  TempDir dir("archive_format");
  const fs::path out = dir.path() / "a.h5";
  ExperimentInfo info = experiment();
  info.ranks = 64;
  {
    ArchiveWriter writer(out, info);
    writer.finish(info);
  }
  CHECK(ArchiveReader(out).experiment().ranks == 64);
  {
    H5Handle file = blindspot::host::open_file_for_update(out);
    H5Adelete(blindspot::host::open_group(file, "experiment").id(), "ranks");
    blindspot::host::close_file(file);
  }
  CHECK(ArchiveReader(out).experiment().ranks == 1);
}

TEST_CASE("archive format: --resume from a format-1 archive computes every node again") {
  TempDir dir("archive_format");
  const fs::path out = dir.path() / "q.h5";
  const std::string run = "run experiments/quickstart.yaml -o " + out.string();
  REQUIRE(blindspot::test_support::run_blindspot(run + " --quiet").exit_code == 0);
  {
    H5Handle file = blindspot::host::open_file_for_update(out);
    H5Adelete(blindspot::host::open_group(file, "experiment").id(), "format_version");
    blindspot::host::close_file(file);
  }
  REQUIRE(ArchiveReader(out).experiment().format == 1);
  const auto resumed = blindspot::test_support::run_blindspot(run + " --resume");
  CAPTURE(resumed.output);
  CHECK(resumed.exit_code == 0);
  CHECK(resumed.output.find("is in archive format 1; every node is computed again") !=
        std::string::npos);
  CHECK(resumed.output.find("restored from archive") == std::string::npos);
  CHECK(ArchiveReader(out).experiment().format == blindspot::host::kArchiveFormat);
}
