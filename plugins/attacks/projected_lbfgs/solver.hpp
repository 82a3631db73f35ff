// One box-constrained problem solved by projected L-BFGS, driven by reverse communication.
#pragma once

#include <cstdint>
#include <vector>

namespace blindspot::projected_lbfgs {

/// Solver settings shared by every problem.
struct Settings {
  int memory = 10;                    // corrections kept (m)
  std::int64_t max_iterations = 500;  // accepted iterates per problem
  double factr = 1e10;                // stop when the relative reduction of f <= factr * eps
  double pgtol = 1e-5;                // stop when the projected gradient's max norm <= pgtol
  int max_linesearch = 20;            // trial points of one line search before the problem stops
};

/// Projected L-BFGS (after Kim, Sra and Dhillon, 2010) on one problem: the L-BFGS direction
/// (two-loop recursion) on the variables not held at a bound by their gradient, a backtracking
/// line search along the projected path x(a) = P(x + a d) with Armijo's sufficient decrease,
/// and L-BFGS-B's stopping tests. Reverse communication: the caller evaluates f and g at
/// point() and hands them to tell() until it returns false.
class Solver {
 public:
  /// Starts a problem (reusing this solver's memory); x0, lower and upper hold n values each.
  void start(const double* x0, const double* lower, const double* upper, std::int64_t n,
             const Settings& settings);
  /// Where a value is needed.
  const double* point() const { return trial_.data(); }
  std::int64_t size() const { return n_; }
  /// Takes f and its gradient at point(); true when it needs another value, false when done.
  bool tell(double f, const double* g);

  /// The last accepted point (the lowest value seen, as every accepted point lowers f).
  const std::vector<double>& x() const { return x_; }
  double f() const { return f_; }
  std::int64_t iterations() const { return iterations_; }
  std::int64_t evaluations() const { return evaluations_; }
  bool converged() const { return converged_; }

 private:
  void begin_iteration();                  // direction and first trial point from the accepted x
  bool accept(double f, const double* g);  // takes the trial point; false when a test stops it
  void direction();                        // d = -H q on the free variables, q the masked gradient
  void project_trial();                    // trial = P(x + step d)
  double projected_gradient_norm() const;

  const Settings* settings_ = nullptr;
  std::int64_t n_ = 0;
  std::vector<double> x_, g_, lower_, upper_, d_, trial_, q_;
  // Corrections, memory rows of n values in a ring: float32 halves the bytes each iteration
  // reads (the sums over them are float64).
  std::vector<float> s_, y_;
  std::vector<double> rho_, yy_, alpha_;  // 1 / s'y and y'y of each correction, and a scratch
  int stored_ = 0, newest_ = -1;
  double f_ = 0.0, step_ = 1.0, slope_ = 0.0;
  std::int64_t iterations_ = 0, evaluations_ = 0;
  int trials_ = 0;
  bool converged_ = false;
};

}  // namespace blindspot::projected_lbfgs
