// The RobustnessCurves kind: its record, and what `show`, `report` and `reproduce` do with it.
#include "robustness_curves.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "blindspot/error.hpp"
#include "blindspot/product_type.hpp"
#include "blindspot/report.hpp"

namespace robustness {

using namespace blindspot;

const std::vector<std::string> kNorms = {"rms", "l2", "linf"};

std::string norm_label(const std::string& norm) {
  return norm == "rms" ? "RMS" : norm == "l2" ? "L2" : "L-inf";
}

namespace {

/// A fraction as a percentage, as the Table kind prints one.
std::string percent(double fraction) {
  return fmt::format("{:.2f}%", 100.0 * fraction);
}

/// Tensor `name` of `record` as float64 of `shape`; throws Error when it is missing or another
/// shape.
at::Tensor tensor_of(const Record& record, const std::string& name,
                     const std::vector<std::int64_t>& shape) {
  const auto it = record.tensors.find(name);
  if (it == record.tensors.end() || !it->second.defined())
    throw Error("", fmt::format("a RobustnessCurves record lacks the tensor '{}'", name));
  if (it->second.sizes() != at::IntArrayRef(shape))
    throw Error("", fmt::format("a RobustnessCurves record's '{}' is [{}], expected [{}]", name,
                                fmt::join(it->second.sizes(), ", "), fmt::join(shape, ", ")));
  return it->second.to(at::kDouble).contiguous();
}

/// String list `name` of `record`; throws Error when it is missing.
std::vector<std::string> strings_of(const Record& record, const std::string& name) {
  const auto it = record.strings.find(name);
  if (it == record.strings.end())
    throw Error("", fmt::format("a RobustnessCurves record lacks the strings '{}'", name));
  return it->second;
}

/// The one chart of a RobustnessCurves: a line per set, a dot per budgeted set, in percent.
Chart robustness_chart(const RobustnessCurves& c) {
  Chart chart{"Robustness", "allowed distortion (" + norm_label(c.norm) + ")", "accuracy (%)", {}};
  const double* eps = c.epsilon.data_ptr<double>();
  for (std::size_t s = 0; s < c.sets.size(); ++s) {
    const at::Tensor curve = (c.accuracy[static_cast<std::int64_t>(s)] * 100).contiguous();
    const double* accuracy = curve.data_ptr<double>();
    chart.series.push_back(
        {c.sets[s], {eps, eps + curve.numel()}, {accuracy, accuracy + curve.numel()}});
  }
  for (std::size_t b = 0; b < c.budgeted.size(); ++b) {
    const auto i = static_cast<std::int64_t>(b);
    chart.series.push_back({c.budgeted[b],
                            {c.budget_epsilon[i].item<double>()},
                            {100 * c.budget_accuracy[i].item<double>()}});
  }
  return chart;
}

/// One line of `show` for a set's curve: where it starts, where it falls under half, where it
/// ends.
std::string curve_line(const RobustnessCurves& c, std::size_t set) {
  const at::Tensor curve = c.accuracy[static_cast<std::int64_t>(set)];
  const std::int64_t last = curve.size(0) - 1;
  if (last < 0) return c.sets[set] + ": no points";
  std::string line = fmt::format("{}: {} at 0", c.sets[set], percent(curve[0].item<double>()));
  const at::Tensor under_half = curve.lt(0.5).nonzero().flatten();
  if (under_half.numel() > 0 && under_half[0].item<std::int64_t>() > 0)
    line += fmt::format(", under half from {:.4g}",
                        c.epsilon[under_half[0].item<std::int64_t>()].item<double>());
  return line + fmt::format(", {} at {:.4g}", percent(curve[last].item<double>()),
                            c.epsilon[last].item<double>());
}

/// Everything the host does with a RobustnessCurves, in one place.
class RobustnessCurvesType final : public ProductType {
 public:
  RobustnessCurvesType() : ProductType("RobustnessCurves") {}
  void check(const Record& record) const override { RobustnessCurves::load(record); }
  std::shared_ptr<const Product> load(const Record& record) const override {
    return std::make_shared<const RobustnessCurves>(RobustnessCurves::load(record));
  }
  std::string summary(const Record& record) const override {
    const RobustnessCurves c = RobustnessCurves::load(record);
    return fmt::format("Robustness curves ({}): {} set{}, {} budgeted", c.norm, c.sets.size(),
                       c.sets.size() == 1 ? "" : "s", c.budgeted.size());
  }
  std::vector<std::string> details(const Record& record) const override {
    const RobustnessCurves c = RobustnessCurves::load(record);
    std::vector<std::string> lines;
    for (std::size_t s = 0; s < c.sets.size(); ++s) lines.push_back(curve_line(c, s));
    for (std::size_t b = 0; b < c.budgeted.size(); ++b) {
      const auto i = static_cast<std::int64_t>(b);
      lines.push_back(fmt::format("{}: {} at its budget {:.4g}", c.budgeted[b],
                                  percent(c.budget_accuracy[i].item<double>()),
                                  c.budget_epsilon[i].item<double>()));
    }
    return lines;
  }
  /// The budget points, if any (the `accuracy` table has the curves at chosen epsilons).
  std::vector<TextTable> tables(const std::string&, const Record& record) const override {
    const RobustnessCurves c = RobustnessCurves::load(record);
    if (c.budgeted.empty()) return {};
    TextTable table{"Accuracy of fixed-budget attacks at their budget (" + norm_label(c.norm) + ")",
                    {"set", "budget", "accuracy"},
                    {},
                    "Upper bounds on the robust accuracy: a sample counts as robust when the "
                    "model classified it correctly and the attack failed within its budget."};
    for (std::size_t b = 0; b < c.budgeted.size(); ++b) {
      const auto i = static_cast<std::int64_t>(b);
      table.rows.push_back({c.budgeted[b],
                            fmt::format("{:.4g}", c.budget_epsilon[i].item<double>()),
                            percent(c.budget_accuracy[i].item<double>())});
    }
    return {table};
  }
  std::vector<Figure> figures(const FigureRequest& request, const Record& record,
                              Drawing& drawing) const override {
    const RobustnessCurves c = RobustnessCurves::load(record);
    const std::string caption = fmt::format(
        "{}: accuracy (%) against the allowed {} distortion, a line per minimal-distortion "
        "attack{}. Upper bounds on the robust accuracy: a sample counts as robust unless its "
        "attack succeeded within the distortion.",
        request.node, norm_label(c.norm),
        c.budgeted.empty() ? "" : " and a dot per fixed-budget attack at its budget");
    return {{fmt::format("{}-{}.png", request.node, request.port), caption,
             drawing.charts({robustness_chart(c)})}};
  }
};

}  // namespace

Record RobustnessCurves::save() const {
  Record record;
  record.attributes["norm"] = norm;
  record.strings = {{"sets", sets}, {"budgeted", budgeted}};
  record.tensors = {{"epsilon", epsilon},
                    {"accuracy", accuracy},
                    {"budget_epsilon", budget_epsilon},
                    {"budget_accuracy", budget_accuracy}};
  record.dimensions = {{"sets", {"sets"}},
                       {"budgeted", {"budgeted"}},
                       {"epsilon", {"epsilon"}},
                       {"accuracy", {"sets", "epsilon"}},
                       {"budget_epsilon", {"budgeted"}},
                       {"budget_accuracy", {"budgeted"}}};
  return record;
}

RobustnessCurves RobustnessCurves::load(const Record& record) {
  RobustnessCurves curves;
  const std::string* norm = text_attribute(record, "norm");
  if (!norm || std::find(kNorms.begin(), kNorms.end(), *norm) == kNorms.end())
    throw Error("", "a RobustnessCurves record needs the text attribute 'norm': rms, l2 or linf");
  curves.norm = *norm;
  curves.sets = strings_of(record, "sets");
  curves.budgeted = strings_of(record, "budgeted");
  const auto epsilon = record.tensors.find("epsilon");
  const std::int64_t points =
      epsilon != record.tensors.end() && epsilon->second.dim() == 1 ? epsilon->second.size(0) : -1;
  curves.epsilon = tensor_of(record, "epsilon", {points});
  curves.accuracy =
      tensor_of(record, "accuracy", {static_cast<std::int64_t>(curves.sets.size()), points});
  const std::vector<std::int64_t> per_budgeted = {
      static_cast<std::int64_t>(curves.budgeted.size())};
  curves.budget_epsilon = tensor_of(record, "budget_epsilon", per_budgeted);
  curves.budget_accuracy = tensor_of(record, "budget_accuracy", per_budgeted);
  return curves;
}

ProductKind RobustnessCurves::product_kind() {
  static const RobustnessCurvesType type;
  return &type;
}

}  // namespace robustness
