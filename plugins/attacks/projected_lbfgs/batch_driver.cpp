// The batched projected L-BFGS driver: gathers every solver's point into one objective call.
#include "batch_driver.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <string>
#include <vector>

namespace blindspot::projected_lbfgs {

namespace {

/// A place for one problem in flight.
struct Slot {
  std::int64_t id = 0;
  bool busy = false;  // started and not yet handed back
  Solver solver;
};

/// The values of a float64 vector of length d.
at::Tensor values_of(const at::Tensor& t, std::int64_t d, const char* name) {
  if (t.numel() != d)
    throw Error("projected_lbfgs", std::string(name) + " must have as many values as x0");
  return t.to(at::kDouble).contiguous();
}

void begin(Slot& slot, std::int64_t id, const BoxStart& start, const Settings& settings) {
  const std::int64_t d = start.x0.numel();
  const at::Tensor x0 = values_of(start.x0, d, "x0"), lower = values_of(start.lower, d, "lower"),
                   upper = values_of(start.upper, d, "upper");
  if (at::gt(lower, upper).any().item<bool>())
    throw Error("projected_lbfgs", "a lower bound exceeds its upper bound");
  slot.solver.start(x0.data_ptr<double>(), lower.data_ptr<double>(), upper.data_ptr<double>(), d,
                    settings);
  slot.id = id;
  slot.busy = true;
}

void hand_back(ProblemQueue& queue, Slot& slot) {
  const Solver& s = slot.solver;
  at::Tensor x = at::empty({s.size()}, at::kDouble);
  std::copy(s.x().begin(), s.x().end(), x.data_ptr<double>());
  queue.finish(slot.id, {x, s.f(), s.iterations(), s.evaluations(), s.converged()});
  slot.busy = false;
}

/// The tensors of one objective call, kept from step to step: a step's M rows are the first M.
struct Buffers {
  at::Tensor which, x, f, grad;

  /// Room for m rows of d values (grows, never shrinks).
  void reserve(std::int64_t m, std::int64_t d) {
    if (x.defined() && x.size(0) >= m && x.size(1) == d) return;
    which = at::empty({m}, at::kLong);
    x = at::empty({m, d}, at::kDouble);
    f = at::empty({m}, at::kDouble);
    grad = at::empty({m, d}, at::kDouble);
  }
};

/// Evaluates the slots `pending` in one objective call and tells each solver its value.
void evaluate(std::vector<Slot>& slots, const std::vector<std::size_t>& pending,
              const BatchObjective& objective, ProblemQueue& queue, Buffers& buffers) {
  const auto m = static_cast<std::int64_t>(pending.size());
  const std::int64_t d = slots[pending.front()].solver.size();
  buffers.reserve(m, d);
  const at::Tensor which = buffers.which.narrow(0, 0, m), x = buffers.x.narrow(0, 0, m);
  for (std::int64_t k = 0; k < m; ++k) {
    const Slot& slot = slots[pending[k]];
    if (slot.solver.size() != d)
      throw Error("projected_lbfgs", "problems solved together must have the same dimension");
    which.data_ptr<std::int64_t>()[k] = slot.id;
    std::copy(slot.solver.point(), slot.solver.point() + d, x.data_ptr<double>() + k * d);
  }
  // The objective fills f and grad, or replaces them with tensors of its own.
  at::Tensor f = buffers.f.narrow(0, 0, m), grad = buffers.grad.narrow(0, 0, m);
  objective(which, x, f, grad);
  if (f.numel() != m || grad.numel() != m * d)
    throw Error("projected_lbfgs", "the objective must fill f [M] and grad [M, D]");
  f = f.to(at::kDouble).contiguous();
  grad = grad.to(at::kDouble).contiguous();
  for (std::int64_t k = 0; k < m; ++k) {
    Slot& slot = slots[pending[k]];
    if (!slot.solver.tell(f.data_ptr<double>()[k], grad.data_ptr<double>() + k * d))
      hand_back(queue, slot);
  }
}

}  // namespace

void stream(ProblemQueue& queue, std::int64_t capacity, const BatchObjective& objective,
            const Settings& settings) {
  if (capacity < 1) throw Error("projected_lbfgs", "capacity must be at least 1");
  std::vector<Slot> slots(static_cast<std::size_t>(capacity));
  std::vector<std::size_t> pending;
  Buffers buffers;
  while (true) {
    pending.clear();
    for (std::size_t i = 0; i < slots.size(); ++i) {
      std::int64_t id = 0;
      BoxStart start;
      if (!slots[i].busy && queue.next(id, start)) begin(slots[i], id, start, settings);
      if (slots[i].busy) pending.push_back(i);
    }
    if (pending.empty()) return;  // nothing running and nothing ready
    evaluate(slots, pending, objective, queue, buffers);
  }
}

}  // namespace blindspot::projected_lbfgs
