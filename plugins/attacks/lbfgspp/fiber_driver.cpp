// The fiber L-BFGS-B driver: resumes each problem's fiber and gathers the evaluations.
#include "fiber_driver.hpp"

#include <ATen/ATen.h>
#include <LBFGSB.h>

#include <algorithm>
#include <boost/context/fiber.hpp>
#include <boost/context/pooled_fixedsize_stack.hpp>
#include <cmath>
#include <exception>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace blindspot::lbfgspp {

namespace {

namespace context = boost::context;
using Vector = Eigen::VectorXd;

constexpr std::size_t kStackBytes = 256 * 1024;  // LBFGSpp keeps its vectors on the heap

/// Thrown inside a fiber when the objective gave a non-finite value: ends that problem.
struct NonFinite final : std::exception {
  const char* what() const noexcept override { return "non-finite objective"; }
};

/// One problem in flight: LBFGSpp runs on `fiber` and pauses whenever it needs f and g at x.
struct Slot {
  std::int64_t id = 0;
  Vector lower, upper, x, g, best_x;
  double f = 0.0, best_f = std::numeric_limits<double>::infinity();
  std::int64_t iterations = 0, evaluations = 0;
  bool converged = false;
  bool waiting = false;   // paused for a value at x
  context::fiber caller;  // the driver, while this problem's fiber runs
  context::fiber fiber;   // last member: destroyed (its stack unwound) before the others
};

/// LBFGSpp's objective: hands x to the driver, pauses, and returns what the driver computed.
struct PausingObjective {
  Slot& slot;

  double operator()(const Vector& x, Vector& grad) {
    slot.x = x;
    slot.waiting = true;
    slot.caller = std::move(slot.caller).resume();
    slot.waiting = false;
    ++slot.evaluations;
    if (!std::isfinite(slot.f) || !slot.g.allFinite()) throw NonFinite();
    grad = slot.g;
    if (slot.evaluations == 1) {  // the starting point, projected into the box by LBFGSpp
      slot.best_f = slot.f;
      slot.best_x = x;
    }
    return slot.f;
  }

  /// Called when a line search has accepted x: one iteration.
  void accepted(double fx, const Vector& x) {
    ++slot.iterations;
    if (fx < slot.best_f) {
      slot.best_f = fx;
      slot.best_x = x;
    }
  }
};

/// LBFGSpp's Moré-Thuente line search, telling the objective each point it accepts. When the
/// search gives up (the strong Wolfe conditions can be out of reach on a float32 model's noisy
/// gradient), its last trial point is kept if it lowers f enough (Armijo), as setulb keeps its
/// search's point once the interval is small; otherwise the search has failed.
template <class Scalar>
struct CountingLineSearch {
  template <class Objective>
  static void LineSearch(Objective& f, Scalar& fx, Vector& x, Vector& grad, Scalar& step,
                         const Scalar& step_max, const Vector& drt, const Vector& xp,
                         const LBFGSpp::LBFGSBParam<Scalar>& param) {
    const Scalar fx_start = fx, slope = grad.dot(drt);
    try {
      LBFGSpp::LineSearchMoreThuente<Scalar>::LineSearch(f, fx, x, grad, step, step_max, drt, xp,
                                                         param);
    } catch (const std::runtime_error&) {
      const Scalar taken = (x - xp).dot(drt) / drt.squaredNorm();  // the last trial's step
      if (!(taken > 0 && fx <= fx_start + param.ftol * taken * slope)) throw;
    }
    f.accepted(fx, x);
  }
};

/// The values of a float64 vector of length d.
Vector vector_of(const at::Tensor& t, std::int64_t d, const char* name) {
  if (t.numel() != d) throw Error("lbfgspp", std::string(name) + " must have as many values as x0");
  const at::Tensor values = t.to(at::kDouble).contiguous();
  return Eigen::Map<const Vector>(values.data_ptr<double>(), d);
}

/// Starts `s` on a new fiber solving `start` as problem `id`; it runs at the first resume.
void begin(Slot& s, std::int64_t id, const BoxStart& start,
           const LBFGSpp::LBFGSBParam<double>& param, context::pooled_fixedsize_stack& stacks) {
  const std::int64_t d = start.x0.numel();
  Vector x0 = vector_of(start.x0, d, "x0");
  s.lower = vector_of(start.lower, d, "lower");
  s.upper = vector_of(start.upper, d, "upper");
  if ((s.lower.array() > s.upper.array()).any())
    throw Error("lbfgspp", "a lower bound exceeds its upper bound");
  s.id = id;
  s.g.setZero(d);
  s.f = 0.0;
  s.best_f = std::numeric_limits<double>::infinity();
  s.best_x = x0.cwiseMax(s.lower).cwiseMin(s.upper);
  s.iterations = s.evaluations = 0;
  s.converged = false;
  s.waiting = false;
  s.fiber = context::fiber(std::allocator_arg, stacks,
                           [&s, &param, x0 = std::move(x0)](context::fiber&& caller) mutable {
                             s.caller = std::move(caller);
                             try {
                               LBFGSpp::LBFGSBSolver<double, CountingLineSearch> solver(param);
                               PausingObjective objective{s};
                               double fx = 0.0;
                               solver.minimize(objective, x0, fx, s.lower, s.upper);
                               s.converged = s.iterations < param.max_iterations;
                             } catch (const std::exception&) {
                               // A failed line search or a non-finite value: the best iterate so
                               // far stands.
                             }
                             s.waiting = false;
                             return std::move(s.caller);
                           });
}

/// Runs the problem's fiber until it needs a value (true) or has finished (false).
bool advance(Slot& s) {
  s.fiber = std::move(s.fiber).resume();
  return s.waiting;
}

/// Hands a finished problem's best iterate back to the queue.
void hand_back(ProblemQueue& queue, const Slot& s) {
  const auto d = static_cast<std::int64_t>(s.best_x.size());
  at::Tensor x = at::empty({d}, at::kDouble);
  // The line search keeps iterates feasible; the clamp only guards against rounding.
  Eigen::Map<Vector>(x.data_ptr<double>(), d) = s.best_x.cwiseMax(s.lower).cwiseMin(s.upper);
  queue.finish(s.id, {x, s.best_f, s.iterations, s.evaluations, s.converged});
}

/// Evaluates the slots `pending` in one objective call and hands f and g to them.
void evaluate(std::vector<Slot>& slots, const std::vector<std::size_t>& pending,
              const BatchObjective& objective) {
  const auto m = static_cast<std::int64_t>(pending.size());
  const auto d = static_cast<std::int64_t>(slots[pending.front()].x.size());
  at::Tensor which = at::empty({m}, at::kLong);
  at::Tensor x = at::empty({m, d}, at::kDouble);
  for (std::int64_t k = 0; k < m; ++k) {
    const Slot& s = slots[pending[k]];
    if (s.x.size() != d)
      throw Error("lbfgspp", "problems solved together must have the same dimension");
    which.data_ptr<std::int64_t>()[k] = s.id;
    Eigen::Map<Vector>(x.data_ptr<double>() + k * d, d) = s.x;
  }
  at::Tensor f = at::zeros({m}, at::kDouble), grad = at::zeros({m, d}, at::kDouble);
  objective(which, x, f, grad);
  if (f.numel() != m || grad.numel() != m * d)
    throw Error("lbfgspp", "the objective must fill f [M] and grad [M, D]");
  f = f.to(at::kDouble).contiguous();
  grad = grad.to(at::kDouble).contiguous();
  for (std::int64_t k = 0; k < m; ++k) {
    Slot& s = slots[pending[k]];
    s.f = f.data_ptr<double>()[k];
    s.g = Eigen::Map<const Vector>(grad.data_ptr<double>() + k * d, d);
  }
}

LBFGSpp::LBFGSBParam<double> param_of(const Settings& settings) {
  LBFGSpp::LBFGSBParam<double> param;
  param.m = settings.memory;
  param.epsilon = settings.pgtol;
  param.epsilon_rel = 0.0;
  param.past = 1;  // setulb's factr test: the reduction over the last iteration
  param.delta = settings.factr * std::numeric_limits<double>::epsilon();
  param.max_iterations = static_cast<int>(settings.max_iterations);
  param.max_submin = settings.max_submin;
  param.max_linesearch = settings.max_linesearch;
  param.check_param();
  return param;
}

}  // namespace

void stream(ProblemQueue& queue, std::int64_t capacity, const BatchObjective& objective,
            const Settings& settings) {
  if (capacity < 1) throw Error("lbfgspp", "capacity must be at least 1");
  const LBFGSpp::LBFGSBParam<double> param = param_of(settings);
  // Declared before the slots, so it outlives their fibers: a finished problem's stack is
  // reused by the next, sparing the kernel a map and unmap per problem.
  context::pooled_fixedsize_stack stacks(kStackBytes);
  std::vector<Slot> slots(static_cast<std::size_t>(capacity));
  std::vector<std::size_t> pending;
  // Slots whose fiber waits for the value computed by the last objective call.
  std::vector<std::size_t> evaluated;
  while (true) {
    pending.clear();
    // First advance the running problems, so that every problem finishing at this step is
    // handed back before the queue is asked for new ones (it can then judge them together).
    for (std::size_t i : evaluated) {
      if (advance(slots[i]))
        pending.push_back(i);
      else
        hand_back(queue, slots[i]);
    }
    for (std::size_t i = 0; i < slots.size(); ++i) {
      std::int64_t id = 0;
      BoxStart start;
      while (!slots[i].fiber && queue.next(id, start)) {
        begin(slots[i], id, start, param, stacks);
        if (advance(slots[i]))
          pending.push_back(i);
        else
          hand_back(queue, slots[i]);
      }
    }
    if (pending.empty()) return;  // nothing running and nothing ready
    evaluate(slots, pending, objective);
    evaluated = pending;
  }
}

}  // namespace blindspot::lbfgspp
