// How fast each attack plugin runs, batched, on the same MNIST test digits of FC100-100-10:
// adversarial examples per second against Szegedy et al.'s L-BFGS attack run in the same process.
#include <ATen/ATen.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "blindspot/testing.hpp"

namespace testing = blindspot::testing;

namespace {

constexpr std::int64_t kSamples = 256;

/// One attack node to time: its plugin and parameters.
struct Setup {
  std::string title, plugin, with;
};

/// What one attack reached on the digits.
struct Outcome {
  double seconds = 0;
  std::int64_t attacked = 0, successes = 0;
  double distortion = 0;  // mean RMS of the successes
};

Outcome run(const Setup& setup, const testing::Connections& inputs) {
  const auto start = std::chrono::steady_clock::now();
  const auto out = testing::run_node(setup.plugin, setup.with, inputs, 2014);
  Outcome o;
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto& set = testing::product_of<blindspot::AdversarialSet>(out, "adversarial");
  o.attacked = set.size() - set.misclassified_before();
  o.successes = set.successes();
  o.distortion = set.mean_success_distortion();
  return o;
}

/// The 1-minute load average, as /proc/loadavg gives it ("?" where there is none).
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string first = "?";
  in >> first;
  return first;
}

}  // namespace

int main() {
  at::globalContext().setFlushDenormal(true);
  const auto data =
      testing::run_node("dataset", "{source: mnist, train: 8000, test: 2000}", {}).find("data");
  fmt::print("training FC100-100-10 on 8,000 MNIST digits...\n");
  std::fflush(stdout);
  const auto model = testing::run_node("mlp",
                                       "{hidden: [100, 100], lambdas: [1.0e-5, 1.0e-5, 1.0e-6], "
                                       "learning_rate: 0.5}",
                                       {{"data", data}}, 2014)
                         .find("model");
  const testing::Connections inputs{{"model", model}, {"data", data}};
  const std::string digits = fmt::format("split: test, count: {}", kSamples);
  const std::vector<Setup> setups{
      {"szegedy, untargeted (baseline)", "szegedy",
       fmt::format("{{{}, target: untargeted, threads: {}}}", digits, at::get_num_threads())},
      {"cw_l2 (9 x 1000 steps, early abort)", "cw_l2", "{" + digits + "}"},
      {"deepfool (10 candidates)", "deepfool", "{" + digits + "}"},
      {"pgd, L-inf 0.1, 50 steps", "pgd", "{" + digits + ", norm: linf, epsilon: 0.1}"},
      {"pgd, L2 1.0, 50 steps", "pgd", "{" + digits + ", norm: l2, epsilon: 1.0}"},
      {"fgsm, search over epsilon", "fgsm", "{" + digits + ", search: true, epsilon: 0.3}"}};
  // LibTorch's threads for the tensor attacks, as many batched drivers for szegedy.
  fmt::print(
      "\nFC100-100-10, each attack on {} MNIST test digits, batched; threads: {}; load average "
      "at the start: {}\n",
      kSamples, at::get_num_threads(), load_average());
  fmt::print(
      "| attack | time (s) | adv/s | vs szegedy | success | mean distortion of successes |\n"
      "|---|---|---|---|---|---|\n");
  double baseline = 0;
  for (const Setup& setup : setups) {
    const Outcome o = run(setup, inputs);
    const double rate = o.successes / o.seconds;
    if (baseline == 0) baseline = rate;
    fmt::print("| {} | {:.2f} | {:.0f} | {:.2f}x | {:.1f}% | {:.4f} |\n", setup.title, o.seconds,
               rate, rate / baseline, 100.0 * o.successes / o.attacked, o.distortion);
    std::fflush(stdout);
  }
  return 0;
}
