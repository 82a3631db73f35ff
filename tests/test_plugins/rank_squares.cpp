// A node that shares its work out over the ranks of an MPI run ("rank_squares"): i² for items
// 0..count-1 through map_rows, with the rank that computed each.
#include <ATen/ATen.h>

#include <string>

#include "blindspot/plugin.hpp"

namespace {

/// A table of i² and of the rank that computed it, for i = 0..count-1.
class RankSquares final : public blindspot::Node {
 public:
  struct Params {
    std::int64_t count;
  };
  static blindspot::Schema describe() {
    return blindspot::Schema::of<Params>("test plugin: squares computed across the ranks")
        .param(&Params::count, "count", 10, "how many items")
        .at_least(1)
        .output<blindspot::Table>("table", "item, its square and the rank that computed it")
        .across_ranks();
  }
  explicit RankSquares(const Params& p) : p_(p) {}

 private:
  void run(const blindspot::Inputs&, blindspot::Outputs& out, blindspot::RunContext& ctx) override {
    const int rank = ctx.ranks().rank();
    const at::Tensor values =
        blindspot::map_rows(ctx.ranks(), p_.count, [rank](const at::Tensor& items) {
          const at::Tensor x = items.to(at::kDouble);
          return at::stack({x.pow(2), at::full_like(x, rank)}, 1);
        });
    std::vector<std::string> rows;
    for (std::int64_t i = 0; i < p_.count; ++i) rows.push_back(std::to_string(i));
    blindspot::Table table("squares", rows, {"square", "rank"});
    table.values = values;
    out.put("table", std::move(table));
  }
  Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(RankSquares, "rank_squares", analysis, "1")
