// A plugin that asks for more memory than any machine has ("greedy"), so tests can check how
// the host reports an allocation failure inside a node.
#include <torch/torch.h>

#include <memory>

#include "blindspot/plugin.hpp"

namespace {

/// Allocates `gigabytes` through LibTorch's allocator or operator new, then outputs a table.
class Greedy final : public blindspot::Node {
 public:
  struct Params {
    double gigabytes;
    std::string via;
  };
  static blindspot::Schema describe() {
    return blindspot::Schema::of<Params>("test plugin: allocates `gigabytes` at once")
        .param(&Params::gigabytes, "gigabytes", 1e9, "size of the one allocation")
        .above(0)
        .param(&Params::via, "via", "libtorch", "which allocator")
        .choices({"libtorch", "new"})
        .output<blindspot::Table>("table", "a one-cell table, if the allocation succeeded");
  }
  explicit Greedy(const Params& p) : p_(p) {}

 private:
  void run(const blindspot::Inputs&, blindspot::Outputs& out, blindspot::RunContext&) override {
    auto bytes = static_cast<std::int64_t>(p_.gigabytes * 1e9);
    if (p_.via == "new")
      std::make_unique<char[]>(static_cast<std::size_t>(bytes))[0] = 1;
    else
      torch::empty({bytes}, torch::kByte).fill_(1);
    blindspot::Table table("greedy", {"row"}, {"gigabytes"});
    table.set(0, 0, p_.gigabytes);
    out.put("table", table);
  }
  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Greedy, "greedy", analysis, "1.0.0")
