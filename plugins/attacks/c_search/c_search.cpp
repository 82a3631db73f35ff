// The c_search plugin: per-sample geometric bracketing, then log-space bisection, of c.
#include <ATen/ATen.h>

#include <cstdint>
#include <limits>

#include "blindspot/plugin.hpp"
#include "blindspot/search.hpp"

namespace {

using namespace blindspot;

/// The c_search search: keeps the largest c that succeeded and the smallest that failed.
class CSearch final : public Search {
 public:
  struct Params {
    double initial, factor;
    std::int64_t steps;
    double tolerance;
  };

  static Schema describe() {
    return Schema::of<Params>(
               "Line search over c: bracket geometrically from `initial`, then bisect in log "
               "space; the result is the largest c whose solve succeeded")
        .param(&Params::initial, "initial", 1.0, "first c tried")
        .above(0)
        .param(&Params::factor, "factor", 10.0, "bracketing ratio between successive tries")
        .above(1)
        .param(&Params::steps, "steps", 10, "tries per sample, bracketing and bisection together")
        .at_least(1)
        .param(&Params::tolerance, "tolerance", 0.01, "stop once high / low < 1 + tolerance")
        .above(0);
  }

  explicit CSearch(const Params& p) : p_(p) {}

  SearchState begin(std::int64_t samples) const override {
    const auto real = at::TensorOptions().dtype(at::kDouble);
    return {at::full({samples}, p_.initial, real), at::zeros({samples}, real),
            at::full({samples}, std::numeric_limits<double>::infinity(), real),
            at::zeros({samples}, at::kLong), at::zeros({samples}, at::kByte)};
  }

  void update(SearchState& s, const at::Tensor& success) const override {
    const at::Tensor active = s.done.eq(0);
    const at::Tensor won = success.to(at::kBool);
    // A success means a larger c (more weight on distortion) may still succeed: raise low.
    s.low = at::where(active.logical_and(won), s.c, s.low);
    s.high = at::where(active.logical_and(won.logical_not()), s.c, s.high);
    const at::Tensor bracketed = s.low.gt(0).logical_and(s.high.isfinite());
    const at::Tensor next =
        at::where(s.high.isinf(), s.low * p_.factor,
                  at::where(s.low.eq(0), s.high / p_.factor, (s.low * s.high).sqrt()));
    s.c = at::where(active, next, s.c);
    s.steps = s.steps + active.to(at::kLong);
    const at::Tensor close = bracketed.logical_and((s.high / s.low).lt(1 + p_.tolerance));
    const at::Tensor finished = s.steps.ge(p_.steps).logical_or(close).logical_and(active);
    s.done = s.done.logical_or(finished).to(at::kByte);
  }

 private:
  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(CSearch, "c_search", search, "1")
