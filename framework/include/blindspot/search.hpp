// The search component: a per-sample line search over a penalty constant c (Szegedy's c).
#pragma once

#include <ATen/core/Tensor.h>

#include "blindspot/node.hpp"

namespace blindspot {

/// Where each sample's search stands; every tensor has one entry per sample.
struct SearchState {
  at::Tensor c;      // float64 [N], the value to try next
  at::Tensor low;    // float64 [N], largest c known to succeed (0: none yet)
  at::Tensor high;   // float64 [N], smallest c known to fail (+inf: none yet)
  at::Tensor steps;  // int64 [N], updates so far
  at::Tensor done;   // uint8 [N], 1 when the search has finished for that sample
};

/// Base of search plugins: used by attacks through make_component, never as a graph node.
/// Each sample is searched independently of the others.
class BLINDSPOT_API Search : public Node {
 public:
  static constexpr PluginKind plugin_kind = PluginKind::search;
  /// The state before the first try, for `samples` samples.
  virtual SearchState begin(std::int64_t samples) const = 0;
  /// Moves every unfinished sample's c after trying state.c: `success` (uint8 [N]) says which
  /// samples' tries succeeded. Finished samples are left alone.
  virtual void update(SearchState& state, const at::Tensor& success) const = 0;

 private:
  void run(const Inputs& in, Outputs& out, RunContext& ctx) final;
};

}  // namespace blindspot
