// The built-in dataset node: reads the source's IDX files or arrays and splits them.
#include "data/dataset_node.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include "blindspot/error.hpp"
#include "data/array_images.hpp"
#include "data/data_dir.hpp"
#include "data/idx_folder.hpp"
#include "data/splits.hpp"

namespace blindspot::host {
namespace {

constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
constexpr const char* kOutput = "data";

/// Whether a source reads named arrays (NumPy or HDF5) rather than IDX files.
bool reads_arrays(const std::string& source) {
  return source == "npz" || source == "npy" || source == "hdf5";
}

/// The dataset node: MNIST digits, Fashion-MNIST, an IDX folder, NumPy arrays or HDF5
/// datasets, split by the node's seed (or in the files' order).
class DatasetNode final : public Node {
 public:
  struct Params {
    std::string source;
    std::string path;
    std::string layout;
    std::string images, labels, test_images, test_labels;
    std::int64_t classes;
    std::int64_t train;
    std::int64_t test;
    bool halves;
    bool shuffle;
  };

  static Schema describe() {
    return Schema::of<Params>(
               "Images and labels from IDX files, NumPy arrays or HDF5 datasets, split into "
               "train and test (and halves p1, p2) by the node's seed or in the files' order")
        .param(&Params::source, "source", "mnist",
               "mnist: the 10,000 MNIST digits made by scripts/setup; fashion-mnist: Debian's "
               "Fashion-MNIST; idx: a folder of IDX files; npz: a NumPy .npz file; npy: a "
               "folder of .npy files; hdf5: an HDF5 file")
        .choices({"mnist", "fashion-mnist", "idx", "npz", "npy", "hdf5"})
        .param(&Params::path, "path", "",
               "for idx, a folder of IDX files (train-*/t10k-* or images-*/labels-*, plain or "
               ".gz); for npz, npy and hdf5, the file or folder holding the arrays")
        .file()
        .param(&Params::layout, "layout", "auto",
               "how arrays hold images: nhwc ([N, H, W, C], NumPy and Keras), nchw ([N, C, H, "
               "W], PyTorch) or nhw ([N, H, W], one channel); auto: nhwc for 4 dimensions, nhw "
               "for 3 (IDX files are always nhw)")
        .choices({"auto", "nhwc", "nchw", "nhw"})
        .param(&Params::images, "images", "",
               "the array of train images (or of a single pool to split); default x_train, "
               "else x (npz: the entry's name, npy: the file's stem, hdf5: the dataset's path)")
        .param(&Params::labels, "labels", "", "the array of their labels; default y_train, else y")
        .param(&Params::test_images, "test_images", "",
               "the array of test images; default x_test (none: split the pool)")
        .param(&Params::test_labels, "test_labels", "", "the array of their labels; default y_test")
        .param(&Params::classes, "classes", 0,
               "number of classes; 0: the largest label + 1 (labels must be below it)")
        .range(0, 1'000'001)
        .param(&Params::train, "train", 0,
               "training images (0: all of the train file; required for a single pool)")
        .at_least(0)
        .param(&Params::test, "test", 0,
               "test images (0: all of the test file, or the rest of "
               "a single pool)")
        .at_least(0)
        .param(&Params::halves, "halves", false,
               "also produce p1 and p2, the two disjoint halves of the train split")
        .param(&Params::shuffle, "shuffle", true,
               "permute the images by the node's seed before splitting; false: keep the files' "
               "order (train is the first 'train' images, test the next 'test', or the first "
               "of the test file)")
        .output<Dataset>(kOutput, "the splits train and test (and p1, p2 with halves)");
  }

  explicit DatasetNode(const Params& p) : p_(p) {}

  /// The files an array source reads (their contents go into the node's cache key).
  std::vector<std::filesystem::path> files_read() const {
    const std::unique_ptr<ArrayStore> store = open_store(p_.path);
    const ArrayNames names = chosen_arrays(*store, p_.path);
    std::vector<std::string> read = {names.images, names.labels};
    if (!names.test_images.empty()) read.insert(read.end(), {names.test_images, names.test_labels});
    return store->files(read);
  }

  /// Images are not archived, so restoring reads the files again and checks they still give
  /// the archived labels and indices.
  void restore(const StoredProducts& stored, const Inputs&, Outputs& out,
               RunContext& ctx) override {
    Dataset data = load(ctx.seed());
    auto record = stored.find(kOutput);
    if (record != stored.end()) check_matches(data, record->second);
    out.put(kOutput, std::move(data));
  }

 private:
  void run(const Inputs&, Outputs& out, RunContext& ctx) override {
    out.put(kOutput, load(ctx.seed()));
  }

  /// The folder to read and the name recorded as the dataset's source.
  std::pair<std::filesystem::path, std::string> locate() const {
    if (p_.source == "idx" || reads_arrays(p_.source)) {
      if (p_.path.empty())
        throw Error("", fmt::format("source '{}' needs 'path', the {} holding the {}", p_.source,
                                    p_.source == "npz" || p_.source == "hdf5" ? "file" : "folder",
                                    p_.source == "idx" ? "IDX files" : "arrays"));
      return {p_.path, p_.path};
    }
    if (!p_.path.empty())
      throw Error("", fmt::format("'path' is only used with sources idx, npz, npy and hdf5, not "
                                  "'{}'",
                                  p_.source));
    if (p_.source == "fashion-mnist") {
      if (!std::filesystem::is_directory(kFashionMnistDir))
        throw Error("", fmt::format("Fashion-MNIST not found in {}; run scripts/setup (it "
                                    "installs Debian's dataset-fashion-mnist)",
                                    kFashionMnistDir));
      return {kFashionMnistDir, p_.source};
    }
    const std::filesystem::path dir = data_dir() / "mnist";
    if (!std::filesystem::is_directory(dir))
      throw Error("", fmt::format("MNIST digits not found in {}; run scripts/setup", dir.string()));
    return {dir, p_.source};
  }

  /// Reads the source and splits it with a generator seeded by `seed` (not ctx.rng(), which
  /// may have been advanced, so that run and restore give the same splits).
  Dataset load(std::uint64_t seed) const {
    const auto [location, source] = locate();
    std::mt19937_64 rng(seed);
    const SplitSizes sizes{p_.train, p_.test, p_.halves, p_.shuffle};
    Dataset data;
    data.source = source;
    const Pieces pieces = reads_arrays(p_.source) ? read_arrays(location) : read_idx(location);
    if (pieces.test) {
      data.splits =
          split_pair(pieces.train, *pieces.test, sizes, rng, pieces.train_where, pieces.test_where);
      data.num_classes = std::max(class_count(pieces.train, pieces.train_where),
                                  class_count(*pieces.test, pieces.test_where));
    } else {
      data.splits = split_pool(pieces.train, sizes, rng, pieces.train_where);
      data.num_classes = class_count(pieces.train, pieces.train_where);
    }
    return data;
  }

  /// What a source holds: train images (or a pool) and optionally test images, with the names
  /// that locate them in messages.
  struct Pieces {
    RawImages train;
    std::optional<RawImages> test;
    std::string train_where, test_where;
  };

  /// The IDX files of `folder`: a train and a test pair, or one pool.
  Pieces read_idx(const std::filesystem::path& folder) const {
    if (p_.layout != "auto" && p_.layout != "nhw")
      throw Error("", fmt::format("IDX files hold [N, H, W] images; layout '{}' does not apply",
                                  p_.layout));
    const IdxFolder files = find_idx_files(folder);
    if (files.pool) return {read_pair(*files.pool), std::nullopt, files.pool->images.string(), ""};
    return {read_pair(*files.train), read_pair(*files.test), files.train->images.string(),
            files.test->images.string()};
  }

  /// The NumPy or HDF5 arrays at `location`: train and test, or one pool.
  Pieces read_arrays(const std::filesystem::path& location) const {
    const std::unique_ptr<ArrayStore> store = open_store(location);
    const ArrayNames names = chosen_arrays(*store, location);
    Pieces pieces{read_labelled_images(*store, names.images, names.labels, p_.layout), std::nullopt,
                  store->where(names.images), ""};
    if (!names.test_images.empty()) {
      pieces.test = read_labelled_images(*store, names.test_images, names.test_labels, p_.layout);
      pieces.test_where = store->where(names.test_images);
    }
    return pieces;
  }

  /// The store of arrays at `location`, as the source reads it.
  std::unique_ptr<ArrayStore> open_store(const std::filesystem::path& location) const {
    if (p_.source == "npz") return open_npz(location);
    if (p_.source == "npy") return open_npy_folder(location);
    return open_hdf5_arrays(location);
  }

  /// The arrays the parameters name, or the convention's.
  ArrayNames chosen_arrays(const ArrayStore& store, const std::filesystem::path& location) const {
    return choose_arrays(store, {p_.images, p_.labels, p_.test_images, p_.test_labels},
                         location.string());
  }

  /// Number of classes: the parameter `classes`, checked against the labels of one set, or
  /// its largest label + 1.
  std::int64_t class_count(const RawImages& raw, const std::string& where) const {
    const std::int64_t found =
        raw.labels.numel() == 0 ? 0 : raw.labels.max().item<std::int64_t>() + 1;
    if (p_.classes == 0) return found;
    if (found > p_.classes)
      throw Error(where, fmt::format("holds the label {}, but 'classes' is {} (labels 0 to {})",
                                     found - 1, p_.classes, p_.classes - 1));
    return p_.classes;
  }

  /// Throws if the archived labels or indices of a split differ from the ones just computed.
  static void check_matches(const Dataset& data, const Record& record) {
    for (const auto& [name, split] : data.splits) {
      for (const auto& [field, computed] :
           {std::pair{"labels", split.labels}, std::pair{"indices", split.indices}}) {
        auto stored = record.tensors.find(name + "/" + field);
        if (stored == record.tensors.end()) continue;
        const at::Tensor archived = stored->second.to(at::kLong);
        if (!archived.sizes().equals(computed.sizes()) || !at::equal(archived, computed))
          throw Error("", fmt::format("the {} of split '{}' read from {} differ from the "
                                      "archived ones; the data changed since the run",
                                      field, name, data.source));
      }
    }
  }

  const Params p_;
};

}  // namespace

const PluginEntry& dataset_plugin_entry() {
  static const PluginEntry entry{kPluginAbiVersion,
                                 "dataset",
                                 "1.1.0",
                                 PluginKind::dataset,
                                 []() -> Schema { return DatasetNode::describe(); },
                                 [](const ValidatedParams& values) -> std::unique_ptr<Node> {
                                   DatasetNode::Params params{};
                                   DatasetNode::describe().assign(&params, values);
                                   return std::make_unique<DatasetNode>(params);
                                 },
                                 nullptr};
  return entry;
}

std::vector<std::filesystem::path> dataset_files(const ValidatedParams& values) {
  DatasetNode::Params params{};
  DatasetNode::describe().assign(&params, values);
  if (params.path.empty()) return {};
  if (reads_arrays(params.source)) return DatasetNode(params).files_read();
  if (params.source != "idx") return {};
  const IdxFolder folder = find_idx_files(params.path);
  std::vector<std::filesystem::path> files;
  for (const std::optional<IdxPair>& pair : {folder.train, folder.test, folder.pool})
    if (pair) files.insert(files.end(), {pair->images, pair->labels});
  return files;
}

}  // namespace blindspot::host
