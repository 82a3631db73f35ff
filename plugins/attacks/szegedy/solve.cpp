// The Szegedy search for a batch of problems: a line search over c around batched box solves.
#include "solve.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <limits>

namespace blindspot::szegedy {

namespace {

std::vector<std::int64_t> batch_shape(std::int64_t m, const std::vector<std::int64_t>& shape) {
  std::vector<std::int64_t> out{m};
  out.insert(out.end(), shape.begin(), shape.end());
  return out;
}

// Writes where(cond, value, full[rows]) into full[rows]; cond has one entry per row.
void update_rows(at::Tensor& full, const at::Tensor& rows, const at::Tensor& cond,
                 const at::Tensor& value) {
  const at::Tensor c = full.dim() == 2 ? cond.unsqueeze(1) : cond;
  full.index_copy_(0, rows, at::where(c, value, full.index_select(0, rows)));
}

}  // namespace

Found solve(const Classifier& net, const std::vector<std::int64_t>& shape, const Problems& p,
            const Optimiser& optimiser, const Search& search, bool warm_start, RunContext& ctx) {
  const std::int64_t n = p.x.size(0), d = p.x.size(1);
  const auto real = at::TensorOptions().dtype(at::kDouble);
  SearchState s = search.begin(n);
  s.done = s.done.logical_or(p.skip).to(at::kByte);
  Found out{p.x.clone(),
            at::zeros({n}, at::kBool),
            at::full({n}, std::numeric_limits<double>::infinity(), real),
            at::zeros({n}, real),
            at::zeros({n}, at::kLong),
            at::zeros({n}, at::kLong)};
  at::Tensor last = p.x.clone();  // each problem's latest minimiser: the warm start
  while (!s.done.all().item<bool>()) {
    const at::Tensor rows = s.done.eq(0).nonzero().squeeze(1);
    const at::Tensor x = p.x.index_select(0, rows), c = s.c.index_select(0, rows);
    const at::Tensor label = p.label.index_select(0, rows);
    // f = c * ||x' - x||^2 + CE(f(x'), label) (minus CE when untargeted), over x' in [0, 1]:
    // the squared norm keeps f smooth at r = 0. One forward/backward per call, gradient
    // taken with respect to the input only, so no weight gradients are computed.
    const BatchObjective objective = [&](const at::Tensor& which, const at::Tensor& xp,
                                         at::Tensor& f, at::Tensor& grad) {
      const at::Tensor origin = x.index_select(0, which), cw = c.index_select(0, which);
      torch::AutoGradMode enable(true);
      const at::Tensor input =
          xp.to(at::kFloat).view(batch_shape(which.size(0), shape)).requires_grad_(true);
      at::Tensor loss = torch::nn::functional::cross_entropy(
          net.logits(input), label.index_select(0, which),
          torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
      if (p.untargeted) loss = -loss;
      const at::Tensor g = torch::autograd::grad({loss.sum()}, {input})[0];
      const at::Tensor r = xp - origin;
      f = cw * r.pow(2).sum(1) + loss.detach().to(at::kDouble);
      grad = 2 * cw.unsqueeze(1) * r + g.to(at::kDouble).view({-1, d});
    };
    const at::Tensor start = warm_start ? last.index_select(0, rows) : x;
    const BoxResult result =
        optimiser.minimise({start, at::zeros_like(x), at::ones_like(x)}, objective, ctx);
    // Judge, and measure, the float32 image that would be reported.
    const at::Tensor image = result.x.to(at::kFloat);
    const at::Tensor moved = image.to(at::kDouble);
    const at::Tensor prediction = predict(net, image.view(batch_shape(rows.size(0), shape)));
    const at::Tensor won = p.untargeted ? prediction.ne(label) : prediction.eq(label);
    const at::Tensor distance = (moved - x).pow(2).sum(1);
    const at::Tensor better = won.logical_and(distance.lt(out.distance.index_select(0, rows)));
    update_rows(out.x, rows, better, moved);
    update_rows(out.distance, rows, better, distance);
    update_rows(out.found, rows, won, won);
    update_rows(out.c, rows, won, at::maximum(c, out.c.index_select(0, rows)));
    out.iterations.index_add_(0, rows, result.iterations);
    out.evaluations.index_add_(0, rows, result.evaluations);
    last.index_copy_(0, rows, moved);
    at::Tensor success = at::zeros({n}, at::kByte);
    success.index_copy_(0, rows, won.to(at::kByte));
    search.update(s, success);
  }
  out.x = at::where(out.found.unsqueeze(1), out.x, last);
  return out;
}

Found solve_in_batches(const Classifier& net, const std::vector<std::int64_t>& shape,
                       const Problems& p, const Optimiser& optimiser, const Search& search,
                       bool warm_start, std::int64_t batch, RunContext& ctx,
                       const std::function<void(std::int64_t)>& advance) {
  std::vector<Found> parts;
  for (std::int64_t start = 0; start < p.x.size(0); start += batch) {
    const std::int64_t m = std::min(batch, p.x.size(0) - start);
    const Problems part{p.x.narrow(0, start, m), p.label.narrow(0, start, m),
                        p.skip.narrow(0, start, m), p.untargeted};
    parts.push_back(solve(net, shape, part, optimiser, search, warm_start, ctx));
    advance(m);
  }
  const auto cat = [&](at::Tensor Found::*field) {
    std::vector<at::Tensor> pieces;
    for (const Found& part : parts) pieces.push_back(part.*field);
    return at::cat(pieces);
  };
  return {cat(&Found::x), cat(&Found::found),      cat(&Found::distance),
          cat(&Found::c), cat(&Found::iterations), cat(&Found::evaluations)};
}

}  // namespace blindspot::szegedy
