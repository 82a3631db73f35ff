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
  std::int64_t id = 0;
  std::vector<double> x, lower, upper, g, wa, dsave, best_x;
  std::vector<int> nbd, iwa, isave;
  int lsave[4] = {0, 0, 0, 0};
  char task[kTaskLength], csave[kTaskLength];
  double f = 0.0, best_f = std::numeric_limits<double>::infinity();
  std::int64_t iterations = 0, evaluations = 0;
  bool converged = false;
  bool active = false;  // setulb still runs: it asks for values or reports iterates
  bool busy = false;    // started and not yet handed back to the queue
};

void set_task(char* task, const char* text) {
  std::memset(task, ' ', kTaskLength);
  std::memcpy(task, text, std::strlen(text));
}

bool task_is(const char* task, const char* prefix) {
  return std::strncmp(task, prefix, std::strlen(prefix)) == 0;
}

/// The values of a float64 vector of length d.
void copy_vector(const at::Tensor& t, std::int64_t d, const char* name, std::vector<double>& out) {
  if (t.numel() != d) throw Error("lbfgsb", std::string(name) + " must have as many values as x0");
  const at::Tensor values = t.to(at::kDouble).contiguous();
  out.assign(values.data_ptr<double>(), values.data_ptr<double>() + d);
}

/// Resets `s` (reusing its memory) to solve `start` as problem `id`.
void begin(Solver& s, std::int64_t id, const BoxStart& start, int m) {
  const std::int64_t d = start.x0.numel();
  copy_vector(start.x0, d, "x0", s.x);
  copy_vector(start.lower, d, "lower", s.lower);
  copy_vector(start.upper, d, "upper", s.upper);
  for (std::int64_t j = 0; j < d; ++j)
    if (s.lower[j] > s.upper[j]) throw Error("lbfgsb", "a lower bound exceeds its upper bound");
  s.id = id;
  s.best_x = s.x;
  s.g.assign(d, 0.0);
  s.nbd.assign(d, 2);  // both bounds on every coordinate
  s.wa.assign(2 * m * d + 5 * d + 11 * m * m + 8 * m, 0.0);
  s.iwa.assign(3 * d, 0);
  s.isave.assign(44, 0);
  s.dsave.assign(29, 0.0);
  std::fill(s.lsave, s.lsave + 4, 0);
  set_task(s.csave, "");
  set_task(s.task, "START");
  s.f = 0.0;
  s.best_f = std::numeric_limits<double>::infinity();
  s.iterations = s.evaluations = 0;
  s.converged = false;
  s.active = true;
  s.busy = true;
}

/// Runs setulb until the problem needs a value (true) or is finished (false).
bool advance(Solver& s, const Settings& settings, const IterateObserver& observer) {
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
      if (observer) observer(s.id, s.iterations, s.f);
      if (s.iterations >= settings.max_iterations) s.active = false;
      continue;
    }
    // CONVERGENCE, ABNORMAL_TERMINATION_IN_LNSRCH, ERROR, WARNING: the problem is done.
    s.converged = task_is(s.task, "CONV");
    s.active = false;
  }
  return false;
}

/// Hands a finished problem's best iterate back to the queue.
void hand_back(ProblemQueue& queue, Solver& s) {
  s.busy = false;
  at::Tensor x = at::empty({static_cast<std::int64_t>(s.best_x.size())}, at::kDouble);
  std::copy(s.best_x.begin(), s.best_x.end(), x.data_ptr<double>());
  // setulb keeps every iterate feasible; the clamp only guards against rounding.
  double* v = x.data_ptr<double>();
  for (std::size_t j = 0; j < s.best_x.size(); ++j) v[j] = std::clamp(v[j], s.lower[j], s.upper[j]);
  queue.finish(s.id, {x, s.best_f, s.iterations, s.evaluations, s.converged});
}

/// Evaluates the solvers `pending` in one objective call and hands f and g to them.
void evaluate(std::vector<Solver>& solvers, const std::vector<std::size_t>& pending,
              const BatchObjective& objective, const IterateObserver& observer) {
  const auto m = static_cast<std::int64_t>(pending.size());
  const auto d = static_cast<std::int64_t>(solvers[pending.front()].x.size());
  at::Tensor which = at::empty({m}, at::kLong);
  at::Tensor x = at::empty({m, d}, at::kDouble);
  for (std::int64_t k = 0; k < m; ++k) {
    const Solver& s = solvers[pending[k]];
    if (static_cast<std::int64_t>(s.x.size()) != d)
      throw Error("lbfgsb", "problems solved together must have the same dimension");
    which.data_ptr<std::int64_t>()[k] = s.id;
    std::copy(s.x.begin(), s.x.end(), x.data_ptr<double>() + k * d);
  }
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
      if (observer) observer(s.id, 0, s.f);
    }
    // A non-finite value would derail the line search: stop at the best iterate instead.
    if (!std::isfinite(s.f) || !std::all_of(g, g + d, [](double v) { return std::isfinite(v); }))
      s.active = false;
  }
}

}  // namespace

void stream(ProblemQueue& queue, std::int64_t capacity, const BatchObjective& objective,
            const Settings& settings, const IterateObserver& observer) {
  if (capacity < 1) throw Error("lbfgsb", "capacity must be at least 1");
  std::vector<Solver> solvers(static_cast<std::size_t>(capacity));
  std::vector<std::size_t> pending;
  while (true) {
    pending.clear();
    // First advance the running problems, so that every problem finishing at this step is
    // handed back before the queue is asked for new ones (it can then judge them together).
    for (std::size_t i = 0; i < solvers.size(); ++i) {
      if (!solvers[i].busy) continue;  // a problem stopped by a non-finite value is handed back
      if (advance(solvers[i], settings, observer))
        pending.push_back(i);
      else
        hand_back(queue, solvers[i]);
    }
    for (std::size_t i = 0; i < solvers.size(); ++i) {
      std::int64_t id = 0;
      BoxStart start;
      while (!solvers[i].busy && queue.next(id, start)) {
        begin(solvers[i], id, start, settings.memory);
        if (advance(solvers[i], settings, observer))
          pending.push_back(i);
        else
          hand_back(queue, solvers[i]);
      }
    }
    if (pending.empty()) return;  // nothing running and nothing ready
    evaluate(solvers, pending, objective, observer);
  }
}

BoxResult solve(const BoxProblem& problem, const BatchObjective& objective,
                const Settings& settings, const IterateObserver& observer) {
  RowQueue queue(problem);
  stream(queue, std::max<std::int64_t>(problem.x0.size(0), 1), objective, settings, observer);
  return queue.result();
}

}  // namespace blindspot::lbfgsb
