// The SDK's ranks outside an MPI run: one rank, round_robin and map_rows keep every item, and
// combine_together packs tensors of any types into one exchange.
#include <doctest/doctest.h>

#include <ATen/ATen.h>

#include "blindspot/error.hpp"
#include "blindspot/ranks.hpp"

namespace {

/// Rank 0 of two whose other rank holds, in each row it owns, this rank's rows in reverse order.
class MirrorRanks final : public blindspot::Ranks {
 public:
  int rank() const override { return 0; }
  int size() const override { return 2; }
  at::Tensor combine(const at::Tensor& rows, const at::Tensor& mine) const override {
    ++calls;
    return at::where(mine.view({-1, 1}), rows, rows.flip(0));
  }
  mutable int calls = 0;
};

}  // namespace

TEST_CASE("a run without MPI is rank 0 of 1, and map_rows maps every item in order") {
  const blindspot::Ranks& one = blindspot::single_rank();
  CHECK(one.rank() == 0);
  CHECK(one.size() == 1);
  CHECK(blindspot::round_robin(one, 5).all().item<bool>());
  const at::Tensor squares = blindspot::map_rows(
      one, 6, [](const at::Tensor& items) { return items.to(at::kDouble).pow(2).unsqueeze(1); });
  CHECK(at::equal(squares, at::arange(6, at::kDouble).pow(2).unsqueeze(1)));
  const at::Tensor rows = at::rand({4, 3});
  CHECK(one.combine(rows, at::ones({4}, at::kBool)).data_ptr() == rows.data_ptr());
  CHECK_THROWS_AS(blindspot::map_rows(one, 3, [](const at::Tensor&) { return at::zeros({2}); }),
                  blindspot::Error);
}

TEST_CASE("combine_together combines tensors of any types and shapes in one exchange") {
  const at::Tensor mine = at::tensor({1, 0, 0, 1, 0}).to(at::kBool);
  at::Tensor x = at::rand({5, 2, 3});
  at::Tensor found = at::tensor({1, 0, 1, 1, 0}).to(at::kBool);
  at::Tensor count = at::arange(5, at::kLong) * 1000003;
  at::Tensor distance = at::rand({5}, at::kDouble);
  const std::vector<at::Tensor> before = {x, found, count, distance};
  MirrorRanks ranks;
  blindspot::combine_together(ranks, {&x, &found, &count, &distance}, mine);
  CHECK(ranks.calls == 1);
  const std::vector<at::Tensor> after = {x, found, count, distance};
  for (std::size_t k = 0; k < before.size(); ++k) {
    CAPTURE(k);
    const at::Tensor& t = before[k];
    std::vector<int64_t> shape(static_cast<std::size_t>(t.dim()), 1);
    shape[0] = 5;
    const at::Tensor expected = at::where(mine.view(shape), t, t.flip(0));
    CHECK((after[k].scalar_type() == t.scalar_type()));
    CHECK((after[k].sizes() == t.sizes()));
    CHECK(at::equal(after[k], expected));
  }
  at::Tensor wrong = at::zeros({4});
  CHECK_THROWS_AS(blindspot::combine_together(ranks, {&wrong}, mine), blindspot::Error);
}
