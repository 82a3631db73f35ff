// Optimisers are components: running one as a node is an error. Streams default to rounds of
// minimise(); a StreamingOptimiser minimise()s by streaming the rows through a RowQueue.
#include "blindspot/optimiser.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <vector>

namespace blindspot {

ProblemQueue::~ProblemQueue() = default;

RowQueue::RowQueue(const BoxProblem& problem) : problem_(problem) {
  if (problem.x0.dim() != 2) throw Error("", "x0 must be [N, D]");
  for (const at::Tensor* t : {&problem.lower, &problem.upper})
    if (!t->sizes().equals(problem.x0.sizes()))
      throw Error("", "lower and upper must be [N, D] like x0");
  const std::int64_t n = problem.x0.size(0), d = problem.x0.size(1);
  result_ = {at::empty({n, d}, at::kDouble), at::empty({n}, at::kDouble), at::empty({n}, at::kLong),
             at::empty({n}, at::kLong), at::empty({n}, at::kByte)};
}

bool RowQueue::next(std::int64_t& id, BoxStart& start) {
  if (next_ == problem_.x0.size(0)) return false;
  id = next_++;
  start = {problem_.x0[id], problem_.lower[id], problem_.upper[id]};
  return true;
}

void RowQueue::finish(std::int64_t id, const BoxOutcome& o) {
  result_.x[id] = o.x;
  result_.f.data_ptr<double>()[id] = o.f;
  result_.iterations.data_ptr<std::int64_t>()[id] = o.iterations;
  result_.evaluations.data_ptr<std::int64_t>()[id] = o.evaluations;
  result_.converged.data_ptr<std::uint8_t>()[id] = o.converged ? 1 : 0;
}

void Optimiser::stream(ProblemQueue& queue, std::int64_t capacity, const BatchObjective& objective,
                       RunContext& ctx) const {
  std::vector<std::int64_t> ids;
  std::vector<BoxStart> starts;
  while (true) {
    ids.clear();
    starts.clear();
    std::int64_t id = 0;
    BoxStart start;
    while (static_cast<std::int64_t>(ids.size()) < capacity && queue.next(id, start)) {
      ids.push_back(id);
      starts.push_back(start);
    }
    if (ids.empty()) return;
    const auto column = [&](at::Tensor BoxStart::*field) {
      std::vector<at::Tensor> rows;
      for (const BoxStart& s : starts) rows.push_back(s.*field);
      return at::stack(rows).to(at::kDouble);
    };
    const at::Tensor id_of_row = at::tensor(ids, at::kLong);
    // The objective knows problems by their queue ids, minimise() by their rows.
    const BatchObjective by_id = [&](const at::Tensor& rows, const at::Tensor& x, at::Tensor& f,
                                     at::Tensor& grad) {
      objective(id_of_row.index_select(0, rows), x, f, grad);
    };
    const BoxResult result = minimise(
        {column(&BoxStart::x0), column(&BoxStart::lower), column(&BoxStart::upper)}, by_id, ctx);
    for (std::size_t k = 0; k < ids.size(); ++k) {
      const auto row = static_cast<std::int64_t>(k);
      queue.finish(ids[k], {result.x[row], result.f[row].item<double>(),
                            result.iterations[row].item<std::int64_t>(),
                            result.evaluations[row].item<std::int64_t>(),
                            result.converged[row].item<std::uint8_t>() != 0});
    }
  }
}

BoxResult StreamingOptimiser::minimise(const BoxProblem& problem, const BatchObjective& objective,
                                       RunContext& ctx) const {
  RowQueue queue(problem);
  stream(queue, std::max<std::int64_t>(problem.x0.size(0), 1), objective, ctx);
  return queue.result();
}

void Optimiser::run(const Inputs&, Outputs&, RunContext&) {
  throw Error("",
              "an optimiser is used inside an attack (optimiser: {plugin: NAME}), not as a node");
}

}  // namespace blindspot
