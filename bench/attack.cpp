// How fast the szegedy attack runs on MNIST digits: batched drivers against the per-sample way
// Python libraries use, each optimiser plugin against setulb (lbfgsb), with the distortion each
// reaches and the convergence of the search. Exits 1 when a quality check fails.
#include <ATen/ATen.h>
#include <fmt/format.h>

#include <chrono>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "blindspot/optimiser.hpp"
#include "blindspot/search.hpp"
#include "blindspot/testing.hpp"
#include "solve.hpp"

namespace testing = blindspot::testing;
using blindspot::Value;
using Params = std::map<std::string, Value>;

namespace {

constexpr std::int64_t kSamples = 256;

/// One way of running the attack.
struct Setup {
  std::string name;
  std::string optimiser_plugin;
  blindspot::szegedy::Schedule schedule;
  Params optimiser, search;
};

/// What one setup reached.
struct Outcome {
  double seconds = 0, evaluations = 0, distortion = 0;
  std::int64_t successes = 0;
  at::Tensor rms;  // float64 [samples]: RMS distortion of each sample's closest success, or inf
  blindspot::szegedy::Timing timing;
};

/// Attacks the samples of `problems` with `setup` and measures it; `per` problems in a row
/// belong to one sample, which keeps the closest of their successes (1: one problem a sample).
Outcome attack(const blindspot::Classifier& net, const blindspot::szegedy::Problems& problems,
               const Setup& setup, std::int64_t per = 1) {
  auto optimiser =
      testing::make_component<blindspot::Optimiser>(setup.optimiser_plugin, setup.optimiser);
  auto search = testing::make_component<blindspot::Search>("c_search", setup.search);
  auto ctx = testing::context();
  const auto start = std::chrono::steady_clock::now();
  const auto found = blindspot::szegedy::solve(net, {1, 28, 28}, problems, *optimiser, *search,
                                               setup.schedule, *ctx, {});
  Outcome out;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const at::Tensor won = found.found.logical_and(problems.skip.logical_not());
  const std::int64_t samples = problems.x.size(0) / per;
  // The paper's distortion: per-pixel RMS of each success, averaged.
  out.rms = at::where(won, (found.distance / problems.x.size(1)).sqrt(),
                      std::numeric_limits<double>::infinity())
                .view({samples, per})
                .amin(1);
  const at::Tensor fooled = out.rms.isfinite();
  out.successes = fooled.sum().item<std::int64_t>();
  out.evaluations = found.evaluations.sum().item<double>() / samples;
  out.distortion = out.rms.masked_select(fooled).mean().item<double>();
  out.timing = found.timing;
  return out;
}

/// Trains an MLP as experiments/table1.yaml does.
std::shared_ptr<const blindspot::Product> train(
    const std::string& hidden, const std::shared_ptr<const blindspot::Dataset>& d) {
  fmt::print("training FC{}-10 on 8,000 MNIST digits...\n", hidden);
  std::fflush(stdout);
  return testing::run_node("mlp",
                           fmt::format("{{hidden: [{0}, {0}], lambdas: [1.0e-5, 1.0e-5, 1.0e-6], "
                                       "learning_rate: 0.5}}",
                                       hidden),
                           {{"data", d}}, 2014)
      .find("model");
}

bool check(bool ok, const std::string& what) {
  fmt::print("  {} {}\n", ok ? "ok  " : "FAIL", what);
  return ok;
}

/// Untargeted attacks (any label but the true one) against the closest of the nine targeted
/// ones, on the same samples; checks they agree and that the driver count does not matter.
bool compare_untargeted(const blindspot::Classifier& net, const blindspot::LabelledImages& digits,
                        const at::Tensor& skip, int cores) {
  const at::Tensor x = digits.images.flatten(1).to(at::kDouble);
  const blindspot::szegedy::Problems untargeted{x, digits.labels, skip, true, 1e-3};
  const at::Tensor owner = at::arange(kSamples).repeat_interleave(9);
  const at::Tensor other = at::arange(9).repeat(kSamples);
  const blindspot::szegedy::Problems every{x.index_select(0, owner),
                                           other + other.ge(digits.labels.index_select(0, owner)),
                                           skip.index_select(0, owner), false, 1e-3};
  const std::string optimiser = "projected_lbfgs";  // szegedy's default
  const Outcome all = attack(net, every, {"", optimiser, {true, kSamples, cores}, {}, {}}, 9);
  const Outcome one = attack(net, untargeted, {"", optimiser, {true, kSamples, 1}, {}, {}});
  const Outcome many = attack(net, untargeted, {"", optimiser, {true, kSamples, cores}, {}, {}});
  fmt::print(
      "| untargeted setup | adv/s | evaluations/sample | mean distortion | vs all |\n"
      "|---|---|---|---|---|\n");
  const auto row = [&](const std::string& name, const Outcome& o) {
    fmt::print("| {} | {:.0f} | {:.1f} | {:.4f} | {:+.2f}% |\n", name, o.successes / o.seconds,
               o.evaluations, o.distortion, 100 * (o.distortion / all.distortion - 1));
  };
  row(fmt::format("all nine targets, closest kept, {} drivers", cores), all);
  row("untargeted, 1 driver", one);
  row(fmt::format("untargeted, {} drivers", cores), many);
  bool ok = check(many.successes == all.successes && one.successes == all.successes,
                  fmt::format("untargeted and all succeed on the same {} samples", all.successes));
  ok &= check(std::abs(many.distortion / all.distortion - 1) < 0.05,
              "untargeted mean distortion within 5% of the closest target's");
  ok &= check(std::abs(many.distortion / one.distortion - 1) < 0.001,
              fmt::format("untargeted: {} drivers and 1 driver agree within 0.1%", cores));
  return ok;
}

/// The quality an optimiser must keep to replace setulb: every attacked sample fooled, the mean
/// distortion within 0.5% of setulb's and the per-sample median difference under 1%.
bool check_against_setulb(const Outcome& o, const Outcome& setulb, std::int64_t attacked,
                          const std::string& name) {
  bool ok = check(o.successes == attacked, fmt::format("{}: every attacked sample fooled ({}/{})",
                                                       name, o.successes, attacked));
  ok &= check(std::abs(o.distortion / setulb.distortion - 1) <= 0.005,
              fmt::format("{}: mean distortion within 0.5% of setulb's ({:+.2f}%)", name,
                          100 * (o.distortion / setulb.distortion - 1)));
  const at::Tensor both = o.rms.isfinite().logical_and(setulb.rms.isfinite());
  const double median = (o.rms.masked_select(both) / setulb.rms.masked_select(both) - 1)
                            .abs()
                            .median()
                            .item<double>();
  ok &=
      check(median < 0.01,
            fmt::format("{}: per-sample median distortion difference to setulb under 1% ({:.2f}%)",
                        name, 100 * median));
  return ok;
}

}  // namespace

int main() {
  at::globalContext().setFlushDenormal(true);
  const auto data = std::dynamic_pointer_cast<const blindspot::Dataset>(
      testing::run_node("dataset", "{source: mnist, train: 8000, test: 2000}", {}).find("data"));
  const blindspot::LabelledImages digits = data->split("test").slice(0, kSamples);
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  bool all_ok = true;
  for (const std::string hidden : {"100", "200"}) {
    const auto model = train(hidden, data);
    const auto& net = *std::dynamic_pointer_cast<const blindspot::Model>(model)->net;
    // Random targets among the other nine labels, the same for every setup.
    std::mt19937_64 rng(2014);
    at::Tensor target = digits.labels.clone();
    for (std::int64_t i = 0; i < kSamples; ++i) {
      const auto other = static_cast<std::int64_t>(rng() % 9);
      target[i] = other >= digits.labels[i].item<std::int64_t>() ? other + 1 : other;
    }
    const blindspot::szegedy::Problems problems{
        digits.images.flatten(1).to(at::kDouble), target,
        blindspot::predict(net, digits.images).ne(digits.labels), false, 1e-3};
    const Params steps20{{"steps", Value::of(20)}};
    const Params finer{{"steps", Value::of(20)}, {"tolerance", Value::of(0.005)}};
    const Params iterations1000{{"max_iterations", Value::of(1000)}};
    const std::string many_drivers = fmt::format("batched, {} drivers", cores);
    // Rows 0-2 are setulb's (the baseline of every "vs setulb"); the search's convergence
    // checks run on szegedy's default optimiser, projected_lbfgs (row 6).
    const std::vector<Setup> setups{
        {"per-sample (batch 1, cold starts)", "lbfgsb", {false, 1, 1}, {}, {}},
        {"batched, 1 driver", "lbfgsb", {true, kSamples, 1}, {}, {}},
        {many_drivers, "lbfgsb", {true, kSamples, cores}, {}, {}},
        {"batched, 1 driver", "lbfgspp", {true, kSamples, 1}, {}, {}},
        {many_drivers, "lbfgspp", {true, kSamples, cores}, {}, {}},
        {"batched, 1 driver", "projected_lbfgs", {true, kSamples, 1}, {}, {}},
        {many_drivers + " (default)", "projected_lbfgs", {true, kSamples, cores}, {}, {}},
        {"  c steps doubled (20)", "projected_lbfgs", {true, kSamples, cores}, {}, steps20},
        {"  c tolerance halved (0.5%), 20 steps",
         "projected_lbfgs",
         {true, kSamples, cores},
         {},
         finer},
        {"  iteration cap doubled (1000)",
         "projected_lbfgs",
         {true, kSamples, cores},
         iterations1000,
         {}}};
    std::vector<Outcome> outcomes;
    fmt::print("\nFC{0}-{0}-10, szegedy on {1} MNIST test digits (random targets)\n", hidden,
               kSamples);
    fmt::print(
        "| setup | optimiser | adv/s | vs per-sample | vs setulb | evaluations/sample | success "
        "| mean distortion | vs setulb | model | optimiser | elsewhere |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    const std::int64_t attacked = problems.skip.logical_not().sum().item<std::int64_t>();
    for (const Setup& setup : setups) {
      const Outcome o = attack(net, problems, setup);
      outcomes.push_back(o);
      const auto& t = o.timing;
      const double busy = o.seconds * setup.schedule.drivers;
      // Against setulb's batched row with as many drivers (rows 1 and 2 come before any other);
      // the per-sample row has none.
      std::string vs_speed = "-", vs_distortion = "-";
      if (outcomes.size() > 1) {
        const Outcome& setulb = outcomes[setup.schedule.drivers == 1 ? 1 : 2];
        vs_speed =
            fmt::format("{:.1f}x", (o.successes / o.seconds) / (setulb.successes / setulb.seconds));
        vs_distortion = fmt::format("{:+.2f}%", 100 * (o.distortion / setulb.distortion - 1));
      }
      fmt::print(
          "| {} | {} | {:.0f} | {:.1f}x | {} | {:.1f} | {}/{} | {:.4f} | {} | {:.0f}% | {:.0f}% "
          "| {:.0f}% |\n",
          setup.name, setup.optimiser_plugin, o.successes / o.seconds,
          outcomes.front().seconds / o.seconds, vs_speed, o.evaluations, o.successes, attacked,
          o.distortion, vs_distortion, 100 * t.model / busy, 100 * t.optimiser / busy,
          100 * (busy - t.model - t.optimiser) / busy);
      std::fflush(stdout);
    }
    const auto& single = outcomes[0];
    const auto& one = outcomes[1];
    const auto& many = outcomes[2];
    all_ok &=
        check(many.successes == single.successes && many.successes == one.successes,
              fmt::format("every setulb setup succeeds on the same {} samples", many.successes));
    all_ok &= check(many.distortion <= single.distortion * 1.01,
                    "batched distortion is no worse than per-sample (within 1%)");
    for (std::size_t k : {1, 3, 5})
      all_ok &= check(std::abs(outcomes[k + 1].distortion / outcomes[k].distortion - 1) < 0.001,
                      fmt::format("{}: {} drivers and 1 driver agree within 0.1%",
                                  setups[k].optimiser_plugin, cores));
    const auto& chosen = outcomes[6];
    for (std::size_t k : {7, 8, 9})
      all_ok &= check(outcomes[k].distortion > chosen.distortion * 0.99,
                      fmt::format("converged: '{}' lowers distortion by less than 1%",
                                  setups[k].name.substr(2)));
    for (std::size_t k : {4, 6})
      all_ok &= check_against_setulb(outcomes[k], many, attacked, setups[k].optimiser_plugin);
    all_ok &= compare_untargeted(net, digits, problems.skip, cores);
  }
  return all_ok ? 0 : 1;
}
