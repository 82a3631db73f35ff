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
