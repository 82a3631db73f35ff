// Which samples of a dataset an attack or analysis works on: `count` from `offset` of a split.
#pragma once

#include <cstdint>
#include <string>

#include "blindspot/export.hpp"
#include "blindspot/node.hpp"
#include "blindspot/schema.hpp"

namespace blindspot {

/// A contiguous run of samples of one split.
struct SampleSelection {
  std::string split;
  std::int64_t count = 1000;
  std::int64_t offset = 0;
};

/// Declares split, count and offset, bound to the SampleSelection member `selection` of P;
/// `verb` says what the node does with the samples ("attack", "search").
template <class P>
Schema::For<P>& selection_params(Schema::For<P>& schema, SampleSelection P::*selection,
                                 const std::string& default_split,
                                 const std::string& verb = "attack",
                                 std::int64_t default_count = 1000) {
  return schema
      .param(selection, &SampleSelection::split, "split", default_split,
             "split of the dataset to " + verb)
      .param(selection, &SampleSelection::count, "count", default_count,
             "samples to " + verb + " (all of the split if fewer)")
      .at_least(1)
      .param(selection, &SampleSelection::offset, "offset", 0,
             "first sample of the split to " + verb)
      .at_least(0);
}

/// Samples [offset, offset + count) of the split; fewer, with a log line, if the split ends
/// first. Throws Error if the split is missing or offset is past its end.
BLINDSPOT_API LabelledImages select_samples(const Dataset& data, const SampleSelection& selection,
                                            RunContext& ctx);

}  // namespace blindspot
