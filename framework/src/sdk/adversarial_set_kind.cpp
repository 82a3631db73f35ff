// The AdversarialSet kind: its facts in one line and one table row, Figure 5's triplets and the
// histogram of its successes' distortion.
#include <ATen/ATen.h>
#include <fmt/format.h>

#include <cmath>

#include "blindspot/products.hpp"
#include "sample_figures.hpp"

namespace blindspot {

namespace {

/// Adversarial sets: checked and loaded alone; figures choose among the successes.
class AdversarialSetType final : public ProductType {
 public:
  AdversarialSetType() : ProductType("AdversarialSet") {}
  void check(const Record& record) const override { AdversarialSet::load(record); }
  std::shared_ptr<const Product> load(const Record& record) const override {
    return std::make_shared<const AdversarialSet>(AdversarialSet::load(record));
  }
  std::string summary(const Record& record) const override {
    const AdversarialSet set = AdversarialSet::load(record);
    const std::int64_t successes = set.successes();
    return fmt::format("AdversarialSet: {} samples, {} successes, {} misclassified before{}",
                       set.size(), successes, set.misclassified_before(),
                       successes == 0 ? ""
                                      : fmt::format(", mean distortion of successes {:.4f}",
                                                    set.mean_success_distortion()));
  }
  /// One row: its size, successes and mean distortion.
  std::vector<TextTable> tables(const std::string& port, const Record& record) const override {
    const AdversarialSet set = AdversarialSet::load(record);
    const double distortion = set.mean_success_distortion();
    return {{"Adversarial set",
             {"", "samples", "successes", "misclassified before", "mean distortion of successes"},
             {{port, std::to_string(set.size()), std::to_string(set.successes()),
               std::to_string(set.misclassified_before()),
               std::isfinite(distortion) ? fmt::format("{:.4f}", distortion) : "-"}},
             ""}};
  }
  std::int64_t figure_samples(const Record& record) const override {
    const auto original = record.tensors.find("original");
    return original != record.tensors.end() && original->second.dim() == 4
               ? original->second.size(0)
               : 0;
  }
  /// The successes.
  std::vector<std::int64_t> figure_candidates(const Record& record) const override {
    std::vector<std::int64_t> out;
    const at::Tensor& success = record.tensors.at("success");
    for (std::int64_t i = 0; i < figure_samples(record); ++i)
      if (success[i].item<int>() != 0) out.push_back(i);
    return out;
  }
  /// Figure 5's triplets of the chosen samples, and the distortion histogram of the successes.
  std::vector<Figure> figures(const FigureRequest& request, const Record& record,
                              Drawing& drawing) const override {
    std::vector<Figure> out;
    const std::string& node = request.node;
    if (figure_samples(record) > 0 && !request.positions.empty()) {
      const SampleFigure figure = triplets(record, request.positions);
      out.push_back({fmt::format("{}-{}.png", node, request.port),
                     fmt::format("{} {}: {}", node, request.port, figure.caption),
                     drawing.tiles(figure.rows)});
    }
    const at::Tensor success = record.tensors.at("success").to(at::kBool);
    const at::Tensor d = record.tensors.at("distortion").index({success}).to(at::kDouble);
    const std::vector<double> values(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
    const std::string title = fmt::format("{}: distortion of the {} successes", node, d.numel());
    out.push_back({fmt::format("{}-{}-distortion.png", node, request.port), title,
                   drawing.histogram(title, "per-pixel RMS distortion", values)});
    return out;
  }
};

}  // namespace

ProductKind AdversarialSet::product_kind() {
  static const AdversarialSetType type;
  return &type;
}

}  // namespace blindspot
