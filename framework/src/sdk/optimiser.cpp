// Optimisers are components: running one as a node is an error. Streams default to rounds.
#include "blindspot/optimiser.hpp"

#include <ATen/ATen.h>

#include <vector>

namespace blindspot {

ProblemQueue::~ProblemQueue() = default;

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

void Optimiser::run(const Inputs&, Outputs&, RunContext&) {
  throw Error("",
              "an optimiser is used inside an attack (optimiser: {plugin: NAME}), not as a node");
}

}  // namespace blindspot
