// Ranks::combine() over the world's messages: each rank sends its rows to every other.
#include "cluster/world_ranks.hpp"

#include <ATen/ATen.h>

#include "blindspot/error.hpp"
#include "cluster/record_bytes.hpp"
#include "cluster/tags.hpp"
#include "cluster/world.hpp"

namespace blindspot::host {

int WorldRanks::rank() const {
  return world::rank();
}
int WorldRanks::size() const {
  return world::size();
}

at::Tensor WorldRanks::combine(const at::Tensor& rows, const at::Tensor& mine) const {
  if (mine.scalar_type() != at::kBool || mine.dim() != 1 || rows.dim() == 0 ||
      rows.size(0) != mine.size(0))
    throw Error("", "Ranks::combine needs one bool per row of the tensor it combines");
  const at::Tensor own = mine.nonzero().flatten();
  const std::string indices = tensor_to_bytes(own);
  const std::string values = tensor_to_bytes(rows.index_select(0, own));
  for (int r = 0; r < world::size(); ++r) {
    if (r == world::rank()) continue;
    world::post(r, tags::kCombine, indices);
    world::post(r, tags::kCombine, values);
  }
  at::Tensor combined = rows.clone();
  at::Tensor owned = mine.to(at::kLong);
  for (int r = 0; r < world::size(); ++r) {
    if (r == world::rank()) continue;
    const at::Tensor theirs = tensor_from_bytes(world::wait(r, tags::kCombine).bytes);
    const at::Tensor their_rows = tensor_from_bytes(world::wait(r, tags::kCombine).bytes);
    combined.index_copy_(0, theirs, their_rows);
    owned.index_add_(0, theirs, at::ones_like(theirs));
  }
  if (!owned.eq(1).all().item<bool>())
    throw Error("", "Ranks::combine: every row must belong to exactly one rank");
  return combined;
}

}  // namespace blindspot::host
