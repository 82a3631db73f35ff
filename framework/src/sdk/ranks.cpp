// The single rank, and the round-robin map over the ranks of a run.
#include "blindspot/ranks.hpp"

#include <ATen/ATen.h>

#include "blindspot/error.hpp"

namespace blindspot {

namespace {

/// Rank 0 of 1.
class SingleRank final : public Ranks {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  at::Tensor combine(const at::Tensor& rows, const at::Tensor&) const override { return rows; }
};

}  // namespace

Ranks::~Ranks() = default;

const Ranks& single_rank() {
  static const SingleRank one;
  return one;
}

void combine_together(const Ranks& ranks, const std::vector<at::Tensor*>& tensors,
                      const at::Tensor& mine) {
  const std::int64_t n = mine.size(0);
  for (const at::Tensor* t : tensors)
    if (t->dim() == 0 || t->size(0) != n)
      throw Error("", "combine_together: every tensor needs one row per entry of `mine`");
  if (ranks.size() == 1 || n == 0) return;
  // Each tensor's rows as bytes, side by side: one tensor of n rows to combine.
  std::vector<at::Tensor> bytes;
  for (const at::Tensor* t : tensors)
    bytes.push_back(t->contiguous().reshape({n, t->numel() / n}).view(at::kByte));
  const at::Tensor combined = ranks.combine(at::cat(bytes, 1), mine);
  std::int64_t column = 0;
  for (std::size_t k = 0; k < tensors.size(); ++k) {
    const std::int64_t width = bytes[k].size(1);
    at::Tensor& t = *tensors[k];
    t = combined.narrow(1, column, width).contiguous().view(t.scalar_type()).view(t.sizes());
    column += width;
  }
}

at::Tensor round_robin(const Ranks& ranks, std::int64_t n) {
  return at::arange(n, at::kLong).remainder(ranks.size()).eq(ranks.rank());
}

at::Tensor map_rows(const Ranks& ranks, std::int64_t n,
                    const std::function<at::Tensor(const at::Tensor&)>& compute) {
  const at::Tensor mine = round_robin(ranks, n);
  const at::Tensor items = mine.nonzero().flatten();
  const at::Tensor computed = compute(items);
  if (computed.dim() == 0 || computed.size(0) != items.size(0))
    throw Error("", "map_rows: the computation must return one row per item it was given");
  std::vector<std::int64_t> shape = computed.sizes().vec();
  shape[0] = n;
  at::Tensor rows = at::zeros(shape, computed.options());
  rows.index_copy_(0, items, computed);
  return ranks.combine(rows, mine);
}

}  // namespace blindspot
