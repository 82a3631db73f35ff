// Projected L-BFGS on one problem: two-loop direction, projected backtracking, stopping tests.
#include "solver.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "lanes.hpp"

// The loops over a problem's n values are compiled for AVX-512, AVX2 and baseline x86-64, and
// the CPU picks one when the plugin loads; lanes.hpp keeps their results the same bits.
// (same_bits_test.cpp builds each version alone, naming it in PROJECTED_LBFGS_ISA.)
#if defined(PROJECTED_LBFGS_ISA)
#define VECTOR_LOOPS __attribute__((target(PROJECTED_LBFGS_ISA)))
#elif defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define VECTOR_LOOPS __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VECTOR_LOOPS
#endif

namespace blindspot::projected_lbfgs {

namespace {

constexpr double kArmijo = 1e-4;  // sufficient decrease: f(x(a)) <= f + kArmijo * g'(x(a) - x)
constexpr double kEpsilon = std::numeric_limits<double>::epsilon();

bool all_finite(const double* v, std::int64_t n) {
  return std::all_of(v, v + n, [](double e) { return std::isfinite(e); });
}

}  // namespace

void Solver::start(const double* x0, const double* lower, const double* upper, std::int64_t n,
                   const Settings& settings) {
  settings_ = &settings;
  n_ = n;
  lower_.assign(lower, lower + n);
  upper_.assign(upper, upper + n);
  x_.resize(n);
  for (std::int64_t j = 0; j < n; ++j) x_[j] = std::clamp(x0[j], lower[j], upper[j]);
  trial_ = x_;
  g_.assign(n, 0.0);
  d_.assign(n, 0.0);
  q_.assign(n, 0.0);
  const auto m = static_cast<std::size_t>(settings.memory);
  s_.resize(m * n);
  y_.resize(m * n);
  rho_.assign(m, 0.0);
  yy_.assign(m, 0.0);
  alpha_.assign(m, 0.0);
  stored_ = 0;
  newest_ = -1;
  f_ = 0.0;
  iterations_ = evaluations_ = 0;
  trials_ = 0;
  converged_ = false;
}

VECTOR_LOOPS double Solver::projected_gradient_norm() const {
  const double *x = x_.data(), *g = g_.data(), *lower = lower_.data(), *upper = upper_.data();
  double lane[lanes::kWidth] = {};
  lanes::each(n_, [&](std::int64_t j, int l) {
    lane[l] = std::max(lane[l], std::abs(std::clamp(x[j] - g[j], lower[j], upper[j]) - x[j]));
  });
  return *std::max_element(lane, lane + lanes::kWidth);
}

VECTOR_LOOPS void Solver::direction() {
  const double *x = x_.data(), *g = g_.data(), *lower = lower_.data(), *upper = upper_.data();
  double* __restrict q = q_.data(), * __restrict r = d_.data();
  // Whether variable j sits at a bound that its gradient pushes against; the others are free.
  const auto held = [&](std::int64_t j) {
    return ((x[j] <= lower[j]) & (g[j] > 0)) | ((x[j] >= upper[j]) & (g[j] < 0));
  };
  for (std::int64_t j = 0; j < n_; ++j) {
    q[j] = held(j) ? 0.0 : g[j];
    r[j] = q[j];
  }
  const int m = settings_->memory;
  for (int k = 0; k < stored_; ++k) {  // newest to oldest
    const int i = (newest_ - k + m) % m;
    alpha_[i] = rho_[i] * lanes::dot(&s_[i * n_], r, n_);
    lanes::axpy(-alpha_[i], &y_[i * n_], r, n_);
  }
  if (stored_ > 0) {
    const double gamma = 1.0 / (rho_[newest_] * yy_[newest_]);  // s'y / y'y
    for (std::int64_t j = 0; j < n_; ++j) r[j] *= gamma;
  }
  for (int k = stored_ - 1; k >= 0; --k) {  // oldest to newest
    const int i = (newest_ - k + m) % m;
    const double beta = rho_[i] * lanes::dot(&y_[i * n_], r, n_);
    lanes::axpy(alpha_[i] - beta, &s_[i * n_], r, n_);
  }
  for (std::int64_t j = 0; j < n_; ++j) r[j] = held(j) ? 0.0 : -r[j];
}

VECTOR_LOOPS void Solver::project_trial() {
  const double *x = x_.data(), *g = g_.data(), *d = d_.data(), *lower = lower_.data(),
               *upper = upper_.data();
  double* __restrict trial = trial_.data();
  const double step = step_;
  double lane[lanes::kWidth] = {};
  lanes::each(n_, [&](std::int64_t j, int l) {
    trial[j] = std::clamp(x[j] + step * d[j], lower[j], upper[j]);
    lane[l] += g[j] * (trial[j] - x[j]);
  });
  slope_ = lanes::total(lane);
}

void Solver::begin_iteration() {
  direction();
  step_ = 1.0;
  project_trial();
  if (stored_ == 0 || slope_ >= 0.0) {
    // No curvature yet, or the projection spoilt the direction: steepest descent on the free
    // variables, first step of unit length (as L-BFGS-B's first iteration).
    stored_ = 0;
    for (std::int64_t j = 0; j < n_; ++j) d_[j] = -q_[j];
    step_ = 1.0 / std::max(std::sqrt(lanes::dot(q_.data(), q_.data(), n_)), kEpsilon);
    project_trial();
  }
  trials_ = 0;
}

VECTOR_LOOPS bool Solver::accept(double f, const double* g) {
  const auto m = settings_->memory;
  const int slot = (newest_ + 1) % m;
  const double *x = x_.data(), *trial = trial_.data(), *g_old = g_.data();
  float* __restrict s = &s_[slot * n_], * __restrict y = &y_[slot * n_];
  double sy_lane[lanes::kWidth] = {}, yy_lane[lanes::kWidth] = {};
  lanes::each(n_, [&](std::int64_t j, int l) {
    s[j] = static_cast<float>(trial[j] - x[j]);
    y[j] = static_cast<float>(g[j] - g_old[j]);
    sy_lane[l] += static_cast<double>(s[j]) * y[j];
    yy_lane[l] += static_cast<double>(y[j]) * y[j];
  });
  const double sy = lanes::total(sy_lane), yy = lanes::total(yy_lane);
  if (sy > kEpsilon * yy) {  // keep only corrections with positive curvature
    rho_[slot] = 1.0 / sy;
    yy_[slot] = yy;
    newest_ = slot;
    stored_ = std::min(stored_ + 1, m);
  }
  const double reduction = f_ - f;
  const double scale = std::max({std::abs(f_), std::abs(f), 1.0});
  x_ = trial_;
  std::copy(g, g + n_, g_.begin());
  f_ = f;
  ++iterations_;
  if (reduction <= settings_->factr * kEpsilon * scale ||
      projected_gradient_norm() <= settings_->pgtol) {
    converged_ = true;
    return false;
  }
  return iterations_ < settings_->max_iterations;
}

bool Solver::tell(double f, const double* g) {
  ++evaluations_;
  if (!std::isfinite(f) || !all_finite(g, n_)) return false;  // stop at the last accepted x
  if (evaluations_ == 1) {                                    // the starting point
    f_ = f;
    std::copy(g, g + n_, g_.begin());
    if (projected_gradient_norm() <= settings_->pgtol) {
      converged_ = true;
      return false;
    }
    begin_iteration();
    return true;
  }
  if (f <= f_ + kArmijo * slope_) {  // below f_, since the slope is negative
    if (!accept(f, g)) return false;
    begin_iteration();
    return true;
  }
  if (++trials_ >= settings_->max_linesearch) return false;
  // Backtrack: the minimiser of the quadratic through f, its slope and f(trial), kept within
  // [0.1, 0.5] of the step.
  const double curvature = f - f_ - slope_;
  const double factor = curvature > 0 ? -slope_ / (2 * curvature) : 0.5;
  step_ *= std::clamp(factor, 0.1, 0.5);
  project_trial();
  return true;
}

}  // namespace blindspot::projected_lbfgs
