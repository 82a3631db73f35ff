// A node that fails while it runs, unless told not to ("fails"): for failed runs and --resume.
#include <stdexcept>

#include "blindspot/plugin.hpp"

namespace {

/// Throws std::runtime_error from run() when `fail` is true; otherwise writes a table.
class Fails final : public blindspot::Node {
 public:
  struct Params {
    bool fail;
  };
  static blindspot::Schema describe() {
    return blindspot::Schema::of<Params>("test plugin: fails while it runs")
        .param(&Params::fail, "fail", true, "throw std::runtime_error from run()")
        .optional_input<blindspot::Table>("after", "a table made before this node runs")
        .output<blindspot::Table>("table", "a one-cell table");
  }
  explicit Fails(const Params& p) : p_(p) {}

 private:
  void run(const blindspot::Inputs&, blindspot::Outputs& out, blindspot::RunContext&) override {
    if (p_.fail) throw std::runtime_error("this node fails, as it was asked to");
    out.put("table", blindspot::Table("ran", {"row"}, {"value"}));
  }
  Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Fails, "fails", analysis, "1")
