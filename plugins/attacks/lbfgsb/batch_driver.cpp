// The batched L-BFGS-B driver: advances each problem's setulb and gathers the evaluations.
#include "batch_driver.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "setulb.hpp"

namespace blindspot::lbfgsb {

namespace {

constexpr std::size_t kTaskLength = 60;  // setulb's task and csave: character*60, no NUL
constexpr int kQuiet = -1;               // iprint: setulb writes nothing

/// One problem's setulb state (setulb keeps none of its own) and the best iterate seen.
struct Solver {
  std::vector<double> x, lower, upper, g, wa, dsave, best_x;
  std::vector<int> nbd, iwa, isave;
  int lsave[4] = {0, 0, 0, 0};
  char task[kTaskLength], csave[kTaskLength];
  double f = 0.0, best_f = std::numeric_limits<double>::infinity();
  std::int64_t iterations = 0, evaluations = 0;
  bool converged = false, active = true;
};

void set_task(char* task, const char* text) {
  std::memset(task, ' ', kTaskLength);
  std::memcpy(task, text, std::strlen(text));
}

bool task_is(const char* task, const char* prefix) {
  return std::strncmp(task, prefix, std::strlen(prefix)) == 0;
}

at::Tensor as_matrix(const at::Tensor& t, const char* name, std::int64_t n, std::int64_t d) {
  if (t.dim() != 2 || t.size(0) != n || t.size(1) != d)
    throw Error("lbfgsb", std::string(name) + " must be [N, D] like x0");
  return t.to(at::kDouble).contiguous();
}

/// Runs setulb until the problem needs a value (true) or is finished (false).
bool advance(Solver& s, std::int64_t index, const Settings& settings,
             const IterateObserver& observer) {
  const int n = static_cast<int>(s.x.size());
  while (s.active) {
    setulb_(&n, &settings.memory, s.x.data(), s.lower.data(), s.upper.data(), s.nbd.data(), &s.f,
            s.g.data(), &settings.factr, &settings.pgtol, s.wa.data(), s.iwa.data(), s.task,
            &kQuiet, s.csave, s.lsave, s.isave.data(), s.dsave.data(), kTaskLength, kTaskLength);
    if (task_is(s.task, "FG")) return true;
    if (task_is(s.task, "NEW_X")) {
      ++s.iterations;
      if (s.f < s.best_f) {
        s.best_f = s.f;
        s.best_x = s.x;
      }
      if (observer) observer(index, s.iterations, s.f);
      if (s.iterations >= settings.max_iterations) s.active = false;
      continue;
    }
    // CONVERGENCE, ABNORMAL_TERMINATION_IN_LNSRCH, ERROR, WARNING: the problem is done.
    s.converged = task_is(s.task, "CONV");
    s.active = false;
  }
  return false;
}

Solver make_solver(const double* x0, const double* lower, const double* upper, std::int64_t d,
                   int m) {
  Solver s;
  s.x.assign(x0, x0 + d);
  s.lower.assign(lower, lower + d);
  s.upper.assign(upper, upper + d);
  s.best_x = s.x;
  s.g.assign(d, 0.0);
  s.nbd.assign(d, 2);  // both bounds on every coordinate
  s.wa.assign(2 * m * d + 5 * d + 11 * m * m + 8 * m, 0.0);
  s.iwa.assign(3 * d, 0);
  s.isave.assign(44, 0);
  s.dsave.assign(29, 0.0);
  set_task(s.csave, "");
  set_task(s.task, "START");
  return s;
}

/// Evaluates the problems `pending` in one objective call and hands f and g to their solvers.
void evaluate(std::vector<Solver>& solvers, const std::vector<std::int64_t>& pending,
              std::int64_t d, const BatchObjective& objective, const IterateObserver& observer) {
  const auto m = static_cast<std::int64_t>(pending.size());
  at::Tensor which = at::tensor(pending, at::kLong);
  at::Tensor x = at::empty({m, d}, at::kDouble);
  for (std::int64_t k = 0; k < m; ++k)
    std::copy(solvers[pending[k]].x.begin(), solvers[pending[k]].x.end(),
              x.data_ptr<double>() + k * d);
  at::Tensor f = at::zeros({m}, at::kDouble), grad = at::zeros({m, d}, at::kDouble);
  objective(which, x, f, grad);
  if (f.numel() != m || grad.numel() != m * d)
    throw Error("lbfgsb", "the objective must fill f [M] and grad [M, D]");
  f = f.to(at::kDouble).contiguous();
  grad = grad.to(at::kDouble).contiguous();
  for (std::int64_t k = 0; k < m; ++k) {
    Solver& s = solvers[pending[k]];
    s.f = f.data_ptr<double>()[k];
    const double* g = grad.data_ptr<double>() + k * d;
    std::copy(g, g + d, s.g.begin());
    if (++s.evaluations == 1) {  // the starting point, projected into the box by setulb
      s.best_f = s.f;
      s.best_x = s.x;
      if (observer) observer(pending[k], 0, s.f);
    }
    // A non-finite value would derail the line search: stop at the best iterate instead.
    if (!std::isfinite(s.f) || !std::all_of(g, g + d, [](double v) { return std::isfinite(v); }))
      s.active = false;
  }
}

}  // namespace

BoxResult solve(const BoxProblem& problem, const BatchObjective& objective,
                const Settings& settings, const IterateObserver& observer) {
  if (problem.x0.dim() != 2) throw Error("lbfgsb", "x0 must be [N, D]");
  const std::int64_t n = problem.x0.size(0), d = problem.x0.size(1);
  at::Tensor x0 = as_matrix(problem.x0, "x0", n, d);
  at::Tensor lower = as_matrix(problem.lower, "lower", n, d);
  at::Tensor upper = as_matrix(problem.upper, "upper", n, d);
  if (n > 0 && d > 0 && !(lower <= upper).all().item<bool>())
    throw Error("lbfgsb", "a lower bound exceeds its upper bound");

  std::vector<Solver> solvers;
  for (std::int64_t i = 0; i < n; ++i)
    solvers.push_back(make_solver(x0.data_ptr<double>() + i * d, lower.data_ptr<double>() + i * d,
                                  upper.data_ptr<double>() + i * d, d, settings.memory));
  std::vector<std::int64_t> pending;
  while (true) {
    pending.clear();
    for (std::int64_t i = 0; i < n; ++i)
      if (advance(solvers[i], i, settings, observer)) pending.push_back(i);
    if (pending.empty()) break;
    evaluate(solvers, pending, d, objective, observer);
  }

  BoxResult out{at::empty({n, d}, at::kDouble), at::empty({n}, at::kDouble),
                at::empty({n}, at::kLong), at::empty({n}, at::kLong), at::empty({n}, at::kByte)};
  for (std::int64_t i = 0; i < n; ++i) {
    const Solver& s = solvers[i];
    std::copy(s.best_x.begin(), s.best_x.end(), out.x.data_ptr<double>() + i * d);
    out.f.data_ptr<double>()[i] = s.best_f;
    out.iterations.data_ptr<std::int64_t>()[i] = s.iterations;
    out.evaluations.data_ptr<std::int64_t>()[i] = s.evaluations;
    out.converged.data_ptr<std::uint8_t>()[i] = s.converged ? 1 : 0;
  }
  // setulb keeps every iterate feasible; the clamp only guards against rounding.
  out.x = at::max(at::min(out.x, upper), lower);
  return out;
}

}  // namespace blindspot::lbfgsb
