// A minimal valid plugin ("echo_table"): outputs a 1x1 table holding its parameter.
#include "blindspot/plugin.hpp"

namespace {

/// Writes `value` into a one-cell table.
class EchoTable final : public blindspot::Node {
 public:
  struct Params {
    double value;
    std::int64_t count;
    std::string mode;
    std::vector<double> weights;
    bool flag;
  };
  static blindspot::Schema describe() {
    return blindspot::Schema::of<Params>("test plugin: a table holding `value`")
        .param(&Params::value, "value", 1.5, "the number to echo")
        .range(0.0, 10.0)
        .param(&Params::count, "count", 3, "a count")
        .at_least(1)
        .param(&Params::mode, "mode", "fast", "a choice")
        .choices({"fast", "slow"})
        .param(&Params::weights, "weights", std::vector<double>{1.0, 2.0}, "a list")
        .param(&Params::flag, "flag", false, "a switch")
        .untracked()
        .output<blindspot::Table>("table", "the echoed value");
  }
  explicit EchoTable(const Params& p) : value_(p.value) {}

 private:
  void run(const blindspot::Inputs&, blindspot::Outputs& out, blindspot::RunContext&) override {
    blindspot::Table table("echo", {"row"}, {"value"});
    table.set(0, 0, value_);
    out.put("table", table);
  }
  const double value_;
};

}  // namespace

BLINDSPOT_PLUGIN(EchoTable, "echo_table", analysis, "1.0.0")
