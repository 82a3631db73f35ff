// The built-in dataset node: finds the source's IDX files, reads them and splits them.
#include "data/dataset_node.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <utility>

#include "blindspot/error.hpp"
#include "data/data_dir.hpp"
#include "data/idx_folder.hpp"
#include "data/splits.hpp"

namespace blindspot::host {
namespace {

constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
constexpr const char* kOutput = "data";

/// The dataset node: MNIST digits, Fashion-MNIST or an IDX folder, split by the node's seed
/// (or in the files' order).
class DatasetNode final : public Node {
 public:
  struct Params {
    std::string source;
    std::string path;
    std::int64_t train;
    std::int64_t test;
    bool halves;
    bool shuffle;
  };

  static Schema describe() {
    return Schema::of<Params>(
               "Images and labels from IDX files, split into train and test (and halves p1, "
               "p2) by the node's seed or in the files' order")
        .param(&Params::source, "source", "mnist",
               "mnist: the 10,000 MNIST digits made by scripts/setup; fashion-mnist: Debian's "
               "Fashion-MNIST; idx: the folder given by 'path'")
        .choices({"mnist", "fashion-mnist", "idx"})
        .param(&Params::path, "path", "",
               "folder of IDX files (train-*/t10k-* or images-*/labels-*, plain or .gz); "
               "only with source idx")
        .file()
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
    if (p_.source == "idx") {
      if (p_.path.empty())
        throw Error("", "source 'idx' needs 'path', the folder holding the IDX files");
      return {p_.path, p_.path};
    }
    if (!p_.path.empty())
      throw Error("", fmt::format("'path' is only used with source 'idx', not '{}'", p_.source));
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
    const auto [folder, source] = locate();
    const IdxFolder files = find_idx_files(folder);
    std::mt19937_64 rng(seed);
    const SplitSizes sizes{p_.train, p_.test, p_.halves, p_.shuffle};
    Dataset data;
    data.source = source;
    if (files.pool) {
      const RawImages pool = read_pair(*files.pool);
      data.splits = split_pool(pool, sizes, rng, files.pool->images.string());
      data.num_classes = class_count(pool);
    } else {
      const RawImages train = read_pair(*files.train);
      const RawImages test = read_pair(*files.test);
      data.splits = split_pair(train, test, sizes, rng, files.train->images.string(),
                               files.test->images.string());
      data.num_classes = std::max(class_count(train), class_count(test));
    }
    return data;
  }

  /// Number of classes in one file: its largest label + 1.
  static std::int64_t class_count(const RawImages& raw) {
    return raw.labels.numel() == 0 ? 0 : raw.labels.max().item<std::int64_t>() + 1;
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
                                 "1.0.0",
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
  if (params.source != "idx" || params.path.empty()) return {};
  const IdxFolder folder = find_idx_files(params.path);
  std::vector<std::filesystem::path> files;
  for (const std::optional<IdxPair>& pair : {folder.train, folder.test, folder.pool})
    if (pair) files.insert(files.end(), {pair->images, pair->labels});
  return files;
}

}  // namespace blindspot::host
