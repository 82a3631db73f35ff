// A plugin that passes a table through ("table_chain"), so tests can build cycles and chains.
#include "blindspot/plugin.hpp"

namespace {

/// Outputs its input table unchanged.
class TableChain final : public blindspot::Node {
 public:
  struct Params {};
  static blindspot::Schema describe() {
    return blindspot::Schema::of<Params>("test plugin: passes a table through")
        .input<blindspot::Table>("table", "any table")
        .output<blindspot::Table>("table", "the same table");
  }
  explicit TableChain(const Params&) {}

 private:
  void run(const blindspot::Inputs& in, blindspot::Outputs& out, blindspot::RunContext&) override {
    out.put("table", in.get<blindspot::Table>("table"));
  }
};

}  // namespace

BLINDSPOT_PLUGIN(TableChain, "table_chain", analysis, "1.0.0")
