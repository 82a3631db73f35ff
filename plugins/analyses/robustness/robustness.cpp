// The robustness analysis plugin: accuracy as a function of the allowed distortion, a curve per
// minimal-distortion attack and a point per fixed-budget attack (the RobustnessCurves kind).
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "blindspot/node.hpp"
#include "blindspot/plugin.hpp"
#include "blindspot/products.hpp"
#include "blindspot/schema.hpp"
#include "robustness_curves.hpp"

namespace {

using namespace blindspot;
using robustness::kNorms;
using robustness::norm_label;
using robustness::RobustnessCurves;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// What a curve needs of a minimal-distortion set.
struct Attacked {
  std::string name;
  std::int64_t samples, correct;  // all, and those the model classified correctly
  at::Tensor broken;              // float64, ascending: distortion of each correct success
};

/// What a point needs of a fixed-budget set.
struct Budgeted {
  std::string name;
  std::int64_t samples, correct, held;  // all, correct, correct where the attack failed
  double budget;                        // in the curves' norm
};

/// `part / whole`, NaN for a set of no samples.
double fraction(std::int64_t part, std::int64_t whole) {
  return whole ? static_cast<double>(part) / static_cast<double>(whole) : kNaN;
}

/// Each row's norm in `norm` of r, float64 [samples, pixels].
at::Tensor norm_of(const at::Tensor& r, const std::string& norm) {
  if (norm == "linf") return r.abs().amax(1);
  const at::Tensor squares = r.pow(2).sum(1);
  return norm == "l2" ? squares.sqrt() : (squares / r.size(1)).sqrt();
}

/// Each sample's distortion ||x' - x|| in `norm`, float64 [N], a block of samples at a time so
/// that large images need little memory beyond the set's own.
at::Tensor distortions(const AdversarialSet& set, const std::string& norm) {
  constexpr std::int64_t kBlock = 64;
  const std::int64_t n = set.size();
  at::Tensor out = torch::empty({n}, at::kDouble);
  for (std::int64_t start = 0; start < n; start += kBlock) {
    const std::int64_t count = std::min(kBlock, n - start);
    const at::Tensor r =
        set.adversarial.narrow(0, start, count) - set.original.narrow(0, start, count);
    out.narrow(0, start, count).copy_(norm_of(r.flatten(1).to(at::kDouble), norm));
  }
  return out;
}

/// Which samples the attacked model classified correctly before the attack, bool [N].
at::Tensor correct_of(const AdversarialSet& set) {
  return set.original_prediction.eq(set.labels);
}

/// A minimal-distortion set's counts and the sorted distortions of the samples it breaks.
Attacked attacked(const std::string& name, const AdversarialSet& set, const std::string& norm) {
  const at::Tensor correct = correct_of(set);
  const at::Tensor broken =
      distortions(set, norm).index({correct.logical_and(set.success.to(at::kBool))});
  return {name, set.size(), correct.sum().item<std::int64_t>(), std::get<0>(broken.sort())};
}

/// Accuracy of a set at each allowed distortion `eps`: correct samples its attack did not break
/// within eps (a distortion equal to eps breaks it), over all samples.
at::Tensor accuracy_at(const Attacked& a, const at::Tensor& eps) {
  const at::Tensor broken_within = at::searchsorted(a.broken, eps, false, /*right=*/true);
  return (a.correct - broken_within).to(at::kDouble) / static_cast<double>(a.samples);
}

/// The name of a fixed-budget set's budget: its one extra epsilon_linf or epsilon_l2.
std::string budget_extra(const std::string& name, const AdversarialSet& set) {
  std::vector<std::string> extras, budgets;
  for (const auto& [extra, values] : set.extra) {
    extras.push_back(extra);
    if (extra == "epsilon_linf" || extra == "epsilon_l2") budgets.push_back(extra);
  }
  if (budgets.size() == 1) return budgets[0];
  throw Error("",
              fmt::format("budgeted set '{}' needs exactly one of the per-sample extras "
                          "epsilon_linf or epsilon_l2 (its budget); it has {}",
                          name, extras.empty() ? "none" : fmt::to_string(fmt::join(extras, ", "))));
}

/// The budget a fixed-budget set holds in `extra`, which must be the same for every sample.
double common_budget(const std::string& name, const AdversarialSet& set, const std::string& extra) {
  const at::Tensor values = set.extra.at(extra).to(at::kDouble);
  if (values.dim() != 1 || values.size(0) != set.size() || set.size() == 0)
    throw Error("", fmt::format("budgeted set '{}' has {} samples and its {} is [{}]; it needs "
                                "one budget per sample",
                                name, set.size(), extra, fmt::join(values.sizes(), ", ")));
  const double least = values.min().item<double>(), most = values.max().item<double>();
  if (least != most)
    throw Error("", fmt::format("budgeted set '{}' has budgets from {} to {}; a point on the "
                                "curve needs the same budget for every sample",
                                name, least, most));
  return least;
}

/// The budget of a fixed-budget set in the curves' norm: an L2 budget on an rms curve divided by
/// sqrt(pixels); an L-inf budget only on an linf curve, an L2 one never.
double budget_of(const std::string& name, const AdversarialSet& set, const std::string& norm) {
  const std::string extra = budget_extra(name, set);
  const double budget = common_budget(name, set, extra);
  const bool linf = extra == "epsilon_linf";
  if (linf != (norm == "linf"))
    throw Error("", fmt::format("set '{}' has an {} budget, which has no place on an {} curve; "
                                "use norm: {}",
                                name, linf ? "L-inf" : "L2", norm, linf ? "linf" : "l2 or rms"));
  const double pixels = static_cast<double>(set.original[0].numel());
  return norm == "rms" ? budget / std::sqrt(pixels) : budget;
}

/// A fixed-budget set's counts and its budget in the curves' norm.
Budgeted budgeted(const std::string& name, const AdversarialSet& set, const std::string& norm) {
  const double budget = budget_of(name, set, norm);
  const at::Tensor correct = correct_of(set);
  const at::Tensor held = correct.logical_and(set.success.to(at::kBool).logical_not());
  return {name, set.size(), correct.sum().item<std::int64_t>(), held.sum().item<std::int64_t>(),
          budget};
}

/// The budget every budgeted set has (in the curves' norm); NaN when they differ or there are
/// none.
double shared_budget(const std::vector<Budgeted>& points) {
  for (const Budgeted& b : points)
    if (b.budget != points.front().budget) return kNaN;
  return points.empty() ? kNaN : points.front().budget;
}

/// The curves' grid: `points` epsilons from 0 to 5% past the largest of the table's epsilons,
/// the finite distortions that break a sample and the budgets (to 1 when all are 0).
at::Tensor grid(const std::vector<Attacked>& sets, const std::vector<Budgeted>& points,
                const std::vector<double>& epsilons, std::int64_t count) {
  double top = 0;
  for (double eps : epsilons) top = std::max(top, eps);
  for (const Attacked& a : sets) {
    const at::Tensor finite = a.broken.index({a.broken.isfinite()});
    if (finite.numel() > 0) top = std::max(top, finite.max().item<double>());
  }
  for (const Budgeted& b : points) top = std::max(top, b.budget);
  return torch::linspace(0, top > 0 ? 1.05 * top : 1.0, count, at::kDouble);
}

/// The log line of a minimal set: its clean accuracy and below which distortion at least half
/// of its samples stay robust.
std::string set_line(const Attacked& a, const std::string& norm) {
  const std::string clean =
      fmt::format("{}: clean {:.1f}%", a.name, 100 * fraction(a.correct, a.samples));
  // Half stay robust while at most `spare` correct samples are broken.
  const std::int64_t spare = a.correct - (a.samples + 1) / 2;
  if (spare < 0) return clean + ", fewer than half the samples robust even undisturbed";
  if (spare >= a.broken.size(0))
    return clean + ", at least half the samples robust at any distortion";
  return clean + fmt::format(", half the samples robust below {:.4g} {}",
                             a.broken[spare].item<double>(), norm);
}

/// The log line of a fixed-budget set: its clean accuracy and the accuracy at its budget.
std::string budgeted_line(const Budgeted& b, const std::string& norm) {
  return fmt::format("{}: clean {:.1f}%, {:.1f}% robust at its budget {:.4g} {}", b.name,
                     100 * fraction(b.correct, b.samples), 100 * fraction(b.held, b.samples),
                     b.budget, norm);
}

/// The ports of the robustness node.
const Port<AdversarialSet> kSets{"sets"};
const Port<AdversarialSet> kBudgeted{"budgeted"};
const Port<Table> kAccuracy{"accuracy"};
const Port<RobustnessCurves> kCurves{"curves"};

/// The robustness node: how many samples stay correctly classified as the allowed distortion
/// grows.
class Robustness final : public Node {
 public:
  struct Params {
    std::string norm;
    std::vector<double> epsilons;
    std::int64_t points;
  };

  static Schema describe() {
    return Schema::of<Params>(
               "Accuracy against the allowed distortion: a sample is robust at eps when the model "
               "classified it correctly and its attack did not succeed within eps (a distortion "
               "equal to eps is not robust); accuracy is the robust fraction of all samples. An "
               "upper bound on the true robust accuracy: a sample its attack failed on counts as "
               "robust at every eps, though a stronger attack might break it")
        .param(&Params::norm, "norm", "rms",
               "norm of r = x' - x: rms = sqrt(mean(r^2)) (the paper's distortion), l2 = "
               "||r||_2, linf = max |r|")
        .choices(kNorms)
        .param(&Params::epsilons, "epsilons", std::vector<double>{0.025, 0.05, 0.075, 0.1},
               "allowed distortions the accuracy table has a column for")
        .at_least(0)
        .param(&Params::points, "points", 200,
               "epsilons each archived curve is sampled at, evenly from 0 to 5% past the largest "
               "distortion that breaks a sample (at least the largest of epsilons)")
        .range(2, 10000)
        .inputs(kSets,
                "minimal-distortion attack sets (szegedy, cw_l2, deepfool, fgsm with a search), "
                "one curve each (named by the node)")
        .inputs(kBudgeted,
                "fixed-budget attack sets (pgd, fgsm without search), one point each at the budget "
                "of their "
                "epsilon_linf or epsilon_l2 extra (an L2 budget on an rms curve: eps / "
                "sqrt(pixels); an L-inf one on an linf curve only); [] for none")
        .output(kAccuracy,
                "accuracy per set (rows: sets, then budgeted) before the attack (clean) and at "
                "each of epsilons; with budgeted sets also their budget (in the chosen norm) and "
                "the accuracy at it, which a set's row reads off its curve when all budgeted "
                "sets share one budget. "
                "NaN where a cell does not apply: a fixed-budget attack says nothing about "
                "other radii")
        .output(kCurves,
                "each set's accuracy on a grid of epsilons and each budgeted set's point, for "
                "the report's chart");
  }

  explicit Robustness(const Params& p) : p_(p) {}

 private:
  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    std::vector<Attacked> sets;
    std::vector<Budgeted> points;
    for (const auto& [name, set] : sets_on(in, kSets))
      sets.push_back(attacked(name, *set, p_.norm));
    for (const auto& [name, set] : sets_on(in, kBudgeted))
      points.push_back(budgeted(name, *set, p_.norm));
    if (sets.empty() && points.empty())
      throw Error("", "sets and budgeted are both empty; give at least one set");
    for (const Attacked& a : sets) ctx.log(set_line(a, p_.norm));
    for (const Budgeted& b : points) ctx.log(budgeted_line(b, p_.norm));
    out.put(kAccuracy, accuracy_table(sets, points));
    out.put(kCurves, curves(sets, points));
  }

  /// The sets on a list port; none when it is not connected at all (the host always connects
  /// one, maybe to []; the test harness cannot).
  static std::vector<std::pair<std::string, const AdversarialSet*>> sets_on(
      const Inputs& in, const Port<AdversarialSet>& port) {
    if (!in.has(port.name)) return {};
    return in.get_all(port);
  }

  /// Rows: sets, then budgeted; columns: clean, each of epsilons, and budget and at budget when
  /// there are budgeted sets; NaN where a cell does not apply.
  Table accuracy_table(const std::vector<Attacked>& sets,
                       const std::vector<Budgeted>& points) const {
    std::vector<std::string> rows, columns = {"clean"};
    for (const Attacked& a : sets) rows.push_back(a.name);
    for (const Budgeted& b : points) rows.push_back(b.name);
    for (double eps : p_.epsilons) columns.push_back(fmt::format("{}", eps));
    if (!points.empty()) columns.insert(columns.end(), {"budget", "at budget"});
    Table table("Accuracy against allowed distortion (" + norm_label(p_.norm) + ")", rows, columns);
    table.values.fill_(kNaN);
    table.formats.assign(columns.size(), CellFormat::percent);
    if (!points.empty()) table.formats[columns.size() - 2] = CellFormat::plain;
    const double shared = shared_budget(points);
    for (std::size_t r = 0; r < sets.size(); ++r) fill_curve_row(table, r, sets[r], shared);
    for (std::size_t b = 0; b < points.size(); ++b)
      fill_budget_row(table, sets.size() + b, points[b]);
    return table;
  }

  /// A minimal set's row: its curve at each of epsilons and, when there is one, at the budget
  /// the budgeted sets share, so that the curve and the fixed-budget attack meet at one eps.
  void fill_curve_row(Table& table, std::size_t row, const Attacked& set, double shared) const {
    table.set(row, 0, fraction(set.correct, set.samples));
    std::vector<double> epsilons = p_.epsilons;
    if (!std::isnan(shared)) epsilons.push_back(shared);
    const at::Tensor accuracy = accuracy_at(set, torch::tensor(epsilons, at::kDouble));
    for (std::size_t e = 0; e < p_.epsilons.size(); ++e)
      table.set(row, e + 1, accuracy[static_cast<std::int64_t>(e)].item<double>());
    if (std::isnan(shared)) return;
    table.set(row, table.columns.size() - 2, shared);
    table.set(row, table.columns.size() - 1, accuracy[-1].item<double>());
  }

  /// A fixed-budget set's row: clean, its budget and the accuracy at it.
  static void fill_budget_row(Table& table, std::size_t row, const Budgeted& set) {
    table.set(row, 0, fraction(set.correct, set.samples));
    table.set(row, table.columns.size() - 2, set.budget);
    table.set(row, table.columns.size() - 1, fraction(set.held, set.samples));
  }

  /// Each set's accuracy on the grid, and each budgeted set's point.
  RobustnessCurves curves(const std::vector<Attacked>& sets,
                          const std::vector<Budgeted>& points) const {
    RobustnessCurves c;
    c.norm = p_.norm;
    c.epsilon = grid(sets, points, p_.epsilons, p_.points);
    std::vector<at::Tensor> rows;
    for (const Attacked& a : sets) {
      c.sets.push_back(a.name);
      rows.push_back(accuracy_at(a, c.epsilon));
    }
    c.accuracy = rows.empty() ? torch::zeros({0, p_.points}, at::kDouble) : torch::stack(rows);
    std::vector<double> budgets, accuracies;
    for (const Budgeted& b : points) {
      c.budgeted.push_back(b.name);
      budgets.push_back(b.budget);
      accuracies.push_back(fraction(b.held, b.samples));
    }
    c.budget_epsilon = torch::tensor(budgets, at::kDouble);
    c.budget_accuracy = torch::tensor(accuracies, at::kDouble);
    return c;
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Robustness, "robustness", analysis, "1")
