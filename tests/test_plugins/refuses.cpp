// A plugin whose constructor refuses its parameters ("refuses"): the host names the node.
#include "blindspot/plugin.hpp"

namespace {

/// Throws blindspot::Error from its constructor when `refuse` is true.
class Refuses final : public blindspot::Node {
 public:
  struct Params {
    bool refuse;
  };
  static blindspot::Schema describe() {
    return blindspot::Schema::of<Params>("test plugin: refuses its parameters when it is built")
        .param(&Params::refuse, "refuse", true, "throw blindspot::Error from the constructor")
        .output<blindspot::Table>("table", "a one-cell table");
  }
  explicit Refuses(const Params& p) {
    if (p.refuse) throw blindspot::Error("", "these parameters are refused when the node is built");
  }

 private:
  void run(const blindspot::Inputs&, blindspot::Outputs& out, blindspot::RunContext&) override {
    out.put("table", blindspot::Table("accepted", {"row"}, {"value"}));
  }
};

}  // namespace

BLINDSPOT_PLUGIN(Refuses, "refuses", analysis, "1.0.0")
