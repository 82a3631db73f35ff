// The compare_attacks analysis plugin: how close several minimum-distortion attacks get on the
// same samples, judged over the samples every one of them fooled.
#include <torch/torch.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "blindspot/error.hpp"
#include "blindspot/node.hpp"
#include "blindspot/plugin.hpp"
#include "blindspot/products.hpp"
#include "blindspot/schema.hpp"

namespace {

using namespace blindspot;

/// The ports of the compare_attacks node.
const Port<AdversarialSet> kSets{"sets"};
const Port<Table> kDistortion{"distortion"};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The columns of the table, in order.
enum Column { attacked, success, common, mean, median, vs_reference, evaluations, kColumns };

/// The compare_attacks node: one row per attack set, distortions over the samples all fooled.
class CompareAttacks final : public Node {
 public:
  struct Params {
    std::string reference;
  };

  static Schema describe() {
    return Schema::of<Params>(
               "Compares minimum-distortion attacks run on the same samples of the same model: "
               "success rate, and the RMS distortion over the samples every set fooled (so each "
               "attack is judged on the same, commonly fooled samples), paired with a reference "
               "attack's distortion on each of those samples")
        .param(&Params::reference, "reference", "",
               "the set (node name) the paired ratio divides by; empty: the first of `sets`")
        .inputs(kSets, "adversarial sets of the same samples, one row each (the node's name)")
        .output(kDistortion,
                "per set: attacked (samples the model got right), success (of those), common "
                "(samples every set fooled), mean and median RMS distortion over the common "
                "samples, vs reference (the mean over the common samples of this set's "
                "distortion over the reference's), evaluations (per attacked sample: the "
                "set's extra `evaluations`, else `iterations`; NaN when it has neither)");
  }

  explicit CompareAttacks(const Params& p) : p_(p) {}

 private:
  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    const auto sets = in.get_all(kSets);
    if (sets.empty()) throw Error("", "sets is empty; give the attack sets to compare");
    std::vector<std::string> names;
    for (const auto& [name, set] : sets) {
      check_same_samples(sets.front().first, *sets.front().second, name, *set);
      names.push_back(name);
    }
    const std::size_t reference = reference_row(names);
    // Samples every set fooled.
    at::Tensor fooled_by_all = torch::ones({sets.front().second->size()}, torch::kBool);
    for (const auto& entry : sets)
      fooled_by_all = fooled_by_all.logical_and(entry.second->success.to(torch::kBool));
    const at::Tensor reference_distortion =
        sets[reference].second->distortion.to(torch::kDouble).masked_select(fooled_by_all);

    Table table("Minimum distortion of each attack on the samples all of them fooled", names,
                {"attacked", "success", "common", "mean", "median", "vs reference", "evaluations"});
    table.format("attacked", CellFormat::count)
        .format("success", CellFormat::percent)
        .format("common", CellFormat::count)
        .format("mean", CellFormat::distortion)
        .format("median", CellFormat::distortion);
    for (std::size_t row = 0; row < sets.size(); ++row) {
      const AdversarialSet& set = *sets[row].second;
      const auto right = static_cast<double>(set.size() - set.misclassified_before());
      const at::Tensor d = set.distortion.to(torch::kDouble).masked_select(fooled_by_all);
      const bool any = d.numel() > 0;
      table.set(row, attacked, right);
      table.set(row, success, right > 0 ? static_cast<double>(set.successes()) / right : kNaN);
      table.set(row, common, static_cast<double>(d.numel()));
      table.set(row, mean, any ? d.mean().item<double>() : kNaN);
      // The lower median, as torch gives it; the same rule for every row.
      table.set(row, median, any ? d.median().item<double>() : kNaN);
      table.set(row, vs_reference, any ? (d / reference_distortion).mean().item<double>() : kNaN);
      table.set(row, evaluations, evaluations_per_attacked(set));
    }
    ctx.log(std::to_string(fooled_by_all.sum().item<std::int64_t>()) + " of " +
            std::to_string(fooled_by_all.numel()) + " samples fooled by all " +
            std::to_string(sets.size()) + " sets; ratios against " + names[reference]);
    out.put(kDistortion, std::move(table));
  }

  // The row of the reference set; throws Error naming the sets when there is no such set.
  std::size_t reference_row(const std::vector<std::string>& names) const {
    if (p_.reference.empty()) return 0;
    for (std::size_t row = 0; row < names.size(); ++row)
      if (names[row] == p_.reference) return row;
    std::string listed;
    for (const std::string& name : names) listed += (listed.empty() ? "" : ", ") + name;
    throw Error("", "reference '" + p_.reference + "' is not one of the sets (" + listed + ")");
  }

  // Comparing distortions only means something on the same images of the same labels.
  static void check_same_samples(const std::string& first_name, const AdversarialSet& first,
                                 const std::string& name, const AdversarialSet& set) {
    if (set.size() == first.size() && torch::equal(set.indices, first.indices) &&
        torch::equal(set.original, first.original))
      return;
    throw Error("", "sets '" + first_name + "' and '" + name +
                        "' attacked different samples; compare attacks on the same split, "
                        "count and offset");
  }

  // Mean per attacked sample of the set's `evaluations` (else `iterations`) extra.
  static double evaluations_per_attacked(const AdversarialSet& set) {
    for (const char* name : {"evaluations", "iterations"}) {
      const auto found = set.extra.find(name);
      if (found == set.extra.end()) continue;
      const at::Tensor right = set.original_prediction.eq(set.labels);
      const at::Tensor counted = found->second.to(torch::kDouble).masked_select(right);
      return counted.numel() ? counted.mean().item<double>() : kNaN;
    }
    return kNaN;
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(CompareAttacks, "compare_attacks", analysis, "1")
