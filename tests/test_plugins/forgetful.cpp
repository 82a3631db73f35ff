// A plugin that breaks its own declaration ("forgetful"): it forgets its output, or leaves the
// fields of its adversarial set empty, to test that the host calls that a failed run.
#include "blindspot/plugin.hpp"

namespace {

/// Declares an adversarial set, then writes nothing (`mistake: nothing`) or an empty one.
class Forgetful final : public blindspot::Node {
 public:
  struct Params {
    std::string mistake;
  };
  static blindspot::Schema describe() {
    return blindspot::Schema::of<Params>("test plugin: breaks its declared output")
        .param(&Params::mistake, "mistake", "nothing", "what to get wrong")
        .choices({"nothing", "empty"})
        .output<blindspot::AdversarialSet>("set", "never a proper one");
  }
  explicit Forgetful(const Params& p) : mistake_(p.mistake) {}

 private:
  void run(const blindspot::Inputs&, blindspot::Outputs& out, blindspot::RunContext&) override {
    if (mistake_ == "empty") out.put("set", blindspot::AdversarialSet{});
  }
  const std::string mistake_;
};

}  // namespace

BLINDSPOT_PLUGIN(Forgetful, "forgetful", analysis, "1")
