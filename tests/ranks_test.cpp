// The SDK's ranks outside an MPI run: one rank, round_robin and map_rows keep every item.
#include <doctest/doctest.h>

#include <ATen/ATen.h>

#include "blindspot/error.hpp"
#include "blindspot/ranks.hpp"

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
