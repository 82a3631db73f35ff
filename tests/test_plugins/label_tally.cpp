// A plugin with a product kind of its own ("label_tally" makes a LabelTally: how many samples
// of each label a split holds), built outside the tree to show that `show`, `report` and
// `reproduce` handle a new kind with no change to the host.
#include <ATen/ATen.h>

#include <string>

#include "blindspot/plugin.hpp"

namespace {

/// Samples per label of one split.
class LabelTally final : public blindspot::Product {
 public:
  static blindspot::ProductKind product_kind();
  blindspot::ProductKind kind() const override { return product_kind(); }
  blindspot::Record save() const override {
    blindspot::Record record;
    record.tensors["counts"] = counts;
    record.attributes["split"] = split;
    return record;
  }

  std::string split;
  at::Tensor counts;  // int64 [classes]
};

/// The counts of a record, checked: an int64 vector of counts that are not negative.
at::Tensor counts_of(const blindspot::Record& record) {
  const auto it = record.tensors.find("counts");
  if (it == record.tensors.end() || it->second.scalar_type() != at::kLong ||
      it->second.dim() != 1 || it->second.lt(0).any().item<bool>())
    throw blindspot::Error("", "a LabelTally needs 'counts', an int64 vector of counts");
  return it->second;
}

/// The record's split, checked: a text attribute.
std::string split_of(const blindspot::Record& record) {
  const std::string* split = blindspot::text_attribute(record, "split");
  if (!split) throw blindspot::Error("", "a LabelTally needs the text attribute 'split'");
  return *split;
}

/// Everything the host does with a LabelTally, in one place.
class LabelTallyType final : public blindspot::ProductType {
 public:
  LabelTallyType() : ProductType("LabelTally") {}
  void check(const blindspot::Record& record) const override {
    counts_of(record);
    split_of(record);
  }
  std::shared_ptr<const blindspot::Product> load(const blindspot::Record& record) const override {
    auto tally = std::make_shared<LabelTally>();
    tally->counts = counts_of(record);
    tally->split = split_of(record);
    return tally;
  }
  std::string summary(const blindspot::Record& record) const override {
    const at::Tensor counts = counts_of(record);
    return "LabelTally of '" + split_of(record) + "': " + std::to_string(counts.size(0)) +
           " labels, " + std::to_string(counts.sum().item<std::int64_t>()) + " samples";
  }
  std::vector<blindspot::TextTable> tables(const std::string&,
                                           const blindspot::Record& record) const override {
    const at::Tensor counts = counts_of(record);
    blindspot::TextTable table{
        "Samples per label in '" + split_of(record) + "'", {"label", "samples"}, {}, ""};
    for (std::int64_t label = 0; label < counts.size(0); ++label)
      table.rows.push_back(
          {std::to_string(label), std::to_string(counts[label].item<std::int64_t>())});
    return {table};
  }
  std::vector<blindspot::Figure> figures(const blindspot::FigureRequest& request,
                                         const blindspot::Record& record,
                                         blindspot::Drawing& drawing) const override {
    const at::Tensor counts = counts_of(record);
    blindspot::Series series{"samples", {}, {}};
    for (std::int64_t label = 0; label < counts.size(0); ++label) {
      series.x.push_back(static_cast<double>(label));
      series.y.push_back(counts[label].item<double>());
    }
    const blindspot::Chart chart{"samples per label", "label", "samples", {series}, false, true};
    return {{request.node + "-" + request.port + ".png", request.node + ": samples per label",
             drawing.charts({chart})}};
  }
  /// Counts are exact: any difference is the number of samples that moved.
  blindspot::RecordDifference compare(const blindspot::Record& archived,
                                      const blindspot::Record& recomputed) const override {
    const at::Tensor a = counts_of(archived), b = counts_of(recomputed);
    if (a.sizes() != b.sizes()) return {INFINITY, "counts (the number of labels)"};
    return {(a - b).abs().sum().item<double>(), "counts (samples that changed label)"};
  }
};

blindspot::ProductKind LabelTally::product_kind() {
  static const LabelTallyType type;
  return &type;
}

/// Counts the labels of one split of its dataset.
class Tally final : public blindspot::Node {
 public:
  struct Params {
    std::string split;
  };
  static blindspot::Schema describe() {
    return blindspot::Schema::of<Params>("test plugin: samples per label of a split")
        .param(&Params::split, "split", "test", "the split to count")
        .input<blindspot::Dataset>("data", "the dataset")
        .output<LabelTally>("tally", "samples per label");
  }
  explicit Tally(const Params& p) : split_(p.split) {}

 private:
  void run(const blindspot::Inputs& in, blindspot::Outputs& out, blindspot::RunContext&) override {
    const blindspot::Dataset& data = in.get<blindspot::Dataset>("data");
    LabelTally tally;
    tally.split = split_;
    tally.counts = at::bincount(data.split(split_).labels, {}, data.num_classes);
    out.put("tally", tally);
  }
  const std::string split_;
};

}  // namespace

BLINDSPOT_PLUGIN(Tally, "label_tally", analysis, "1")
