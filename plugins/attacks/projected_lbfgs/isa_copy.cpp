// solver.cpp built for one instruction set only, in a namespace of its own (the build renames
// `projected_lbfgs`), so that same_bits_test.cpp can run every version in one process.
#include "solver.cpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

/// Solves a bounded, non-quadratic problem in 789 variables (not a multiple of the lanes) and
/// returns the iterations, evaluations and a hash of every bit of the solution.
std::string ISA_COPY_RUN() {
  using blindspot::projected_lbfgs::Settings;
  using blindspot::projected_lbfgs::Solver;
  const std::int64_t n = 789;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> uniform(-1, 1);
  std::vector<double> a(n), c(n), x0(n), lower(n, -0.5), upper(n, 0.7), g(n);
  for (std::int64_t j = 0; j < n; ++j) {
    a[j] = 1 + 10 * (uniform(rng) + 1);
    c[j] = uniform(rng);
    x0[j] = 0.1 * uniform(rng);
  }
  Settings settings;
  settings.max_iterations = 300;
  settings.factr = 1;
  settings.pgtol = 1e-12;
  Solver solver;
  solver.start(x0.data(), lower.data(), upper.data(), n, settings);
  while (true) {
    const double* x = solver.point();
    double f = 0;
    for (std::int64_t j = 0; j < n; ++j) {
      const double r = x[j] - c[j];
      f += a[j] * r * r + r * r * r * r + std::sin(3 * x[j]);
      g[j] = 2 * a[j] * r + 4 * r * r * r + 3 * std::cos(3 * x[j]);
    }
    if (!solver.tell(f, g.data())) break;
  }
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a over the solution's bytes
  for (double v : solver.x()) {
    unsigned char bytes[sizeof v];
    std::memcpy(bytes, &v, sizeof v);
    for (unsigned char b : bytes) hash = (hash ^ b) * 1099511628211ull;
  }
  char text[96];
  std::snprintf(text, sizeof text, "%lld iterations, %lld evaluations, x hash %016llx",
                static_cast<long long>(solver.iterations()),
                static_cast<long long>(solver.evaluations()),
                static_cast<unsigned long long>(hash));
  return text;
}
