// Projected L-BFGS on one problem: two-loop direction, projected backtracking, stopping tests.
#include "solver.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>

namespace blindspot::projected_lbfgs {

namespace {

using Vector = Eigen::Map<Eigen::VectorXd>;
using ConstVector = Eigen::Map<const Eigen::VectorXd>;

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
  held_.assign(n, 0);
  const auto m = static_cast<std::size_t>(settings.memory);
  s_.resize(m * n);
  y_.resize(m * n);
  rho_.assign(m, 0.0);
  alpha_.assign(m, 0.0);
  stored_ = 0;
  newest_ = -1;
  f_ = 0.0;
  iterations_ = evaluations_ = 0;
  trials_ = 0;
  converged_ = false;
}

double Solver::projected_gradient_norm() const {
  double norm = 0.0;
  for (std::int64_t j = 0; j < n_; ++j)
    norm = std::max(norm, std::abs(std::clamp(x_[j] - g_[j], lower_[j], upper_[j]) - x_[j]));
  return norm;
}

void Solver::direction() {
  // The free variables: those not at a bound that their gradient pushes against.
  for (std::int64_t j = 0; j < n_; ++j) {
    held_[j] = (x_[j] <= lower_[j] && g_[j] > 0) || (x_[j] >= upper_[j] && g_[j] < 0);
    q_[j] = held_[j] ? 0.0 : g_[j];
  }
  Vector r(d_.data(), n_);
  r = ConstVector(q_.data(), n_);
  const int m = settings_->memory;
  for (int k = 0; k < stored_; ++k) {  // newest to oldest
    const int i = (newest_ - k + m) % m;
    alpha_[i] = rho_[i] * ConstVector(&s_[i * n_], n_).dot(r);
    r -= alpha_[i] * ConstVector(&y_[i * n_], n_);
  }
  if (stored_ > 0) {
    const ConstVector y(&y_[newest_ * n_], n_);
    r *= 1.0 / (rho_[newest_] * y.squaredNorm());  // gamma = s'y / y'y
  }
  for (int k = stored_ - 1; k >= 0; --k) {  // oldest to newest
    const int i = (newest_ - k + m) % m;
    const double beta = rho_[i] * ConstVector(&y_[i * n_], n_).dot(r);
    r += (alpha_[i] - beta) * ConstVector(&s_[i * n_], n_);
  }
  for (std::int64_t j = 0; j < n_; ++j) d_[j] = held_[j] ? 0.0 : -d_[j];
}

void Solver::project_trial() {
  slope_ = 0.0;
  for (std::int64_t j = 0; j < n_; ++j) {
    trial_[j] = std::clamp(x_[j] + step_ * d_[j], lower_[j], upper_[j]);
    slope_ += g_[j] * (trial_[j] - x_[j]);
  }
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
    step_ = 1.0 / std::max(ConstVector(q_.data(), n_).norm(), kEpsilon);
    project_trial();
  }
  trials_ = 0;
}

bool Solver::accept(double f, const double* g) {
  const auto m = settings_->memory;
  const int slot = (newest_ + 1) % m;
  Vector s(&s_[slot * n_], n_), y(&y_[slot * n_], n_);
  s = ConstVector(trial_.data(), n_) - ConstVector(x_.data(), n_);
  y = ConstVector(g, n_) - ConstVector(g_.data(), n_);
  const double sy = s.dot(y);
  if (sy > kEpsilon * y.squaredNorm()) {  // keep only corrections with positive curvature
    rho_[slot] = 1.0 / sy;
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
