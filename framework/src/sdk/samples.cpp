// Selecting the samples an attack or analysis works on.
#include "blindspot/samples.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace blindspot {

LabelledImages select_samples(const Dataset& data, const SampleSelection& selection,
                              RunContext& ctx) {
  const LabelledImages& split = data.split(selection.split);
  if (selection.offset >= split.size())
    throw Error("", fmt::format("offset {} is past the end of split '{}' ({} samples)",
                                selection.offset, selection.split, split.size()));
  std::int64_t count = std::min(selection.count, split.size() - selection.offset);
  if (count < selection.count)
    ctx.log(fmt::format("split '{}' has only {} samples from offset {}; using those",
                        selection.split, count, selection.offset));
  return split.slice(selection.offset, count);
}

}  // namespace blindspot
