// Which samples of an adversarial set or saliency product a report's figure shows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace blindspot::host {

/// `report --samples`: the first N samples ("8"), N drawn at random with a fixed seed
/// ("random:8"), or listed positions ("0,17,42").
class SampleChoice {
 public:
  /// Parses the option's text; throws Error naming `--samples` and the accepted forms.
  static SampleChoice parse(const std::string& spec);

  /// The positions to show of a product of `size` samples called `product` (for messages);
  /// random picks follow `seed`, so a report draws the same samples every time. Throws Error
  /// when a listed position is past the end.
  std::vector<std::int64_t> positions(std::int64_t size, std::uint64_t seed,
                                      const std::string& product) const;

  /// Whether positions were listed ("0,17,42"): shown as asked, rather than picked among a
  /// figure's candidates.
  bool listed() const { return !listed_.empty(); }

  /// How many a figure of a product with many samples shows.
  std::size_t count() const {
    return listed_.empty() ? static_cast<std::size_t>(count_) : listed_.size();
  }

 private:
  bool random_ = false;
  std::int64_t count_ = 8;
  std::vector<std::int64_t> listed_;
};

}  // namespace blindspot::host
