// Figures of sample images as tile grids: Figure 5's triplets, saliency pairs, top-k grids.
#include "sample_figures.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace blindspot {

namespace {

constexpr std::int64_t kTopPairs = 4;  // units and random directions a top-k grid shows

/// One image [C, H, W] as a tile: an RGB image (C == 3) in colour, [3, H, W]; any other in
/// greyscale, [H, W], the mean over its channels (for C == 1, the image itself). An image
/// without channels, [H, W], is drawn as it is.
at::Tensor tile(const at::Tensor& image) {
  const at::Tensor pixels = image.to(at::kFloat);
  if (pixels.dim() != 3) return pixels;
  return pixels.size(0) == 3 ? pixels : pixels.mean(0);
}

const at::Tensor* find(const Record& record, const char* name) {
  auto it = record.tensors.find(name);
  return it == record.tensors.end() ? nullptr : &it->second;
}

/// "row 3" or "rows 1-4" (counting from 1).
std::string rows_text(std::int64_t first, std::int64_t count) {
  return count == 1 ? fmt::format("row {}", first)
                    : fmt::format("rows {}-{}", first, first + count - 1);
}

/// Why sample `i` of an adversarial set is not a success: a phrase for the caption and a short
/// one for its row's label; empty when it is a success.
std::pair<std::string, std::string> not_a_success(const Record& set, std::int64_t i) {
  if (set.tensors.at("success")[i].item<int>() != 0) return {};
  if (set.tensors.at("original_prediction")[i].item<std::int64_t>() !=
      set.tensors.at("labels")[i].item<std::int64_t>())
    return {"misclassified before the attack", "wrong before"};
  return {"the attack failed", "attack failed"};
}

}  // namespace

SampleFigure triplets(const Record& set, const std::vector<std::int64_t>& positions) {
  const at::Tensor &original = set.tensors.at("original"),
                   &adversarial = set.tensors.at("adversarial");
  std::vector<at::Tensor> differences;
  for (std::int64_t i : positions) differences.push_back(tile(adversarial[i]) - tile(original[i]));
  const double scale = magnification(at::stack(differences));
  std::vector<TileRow> rows;
  std::vector<std::string> failures;
  for (std::size_t k = 0; k < positions.size(); ++k) {
    const std::int64_t i = positions[k];
    const at::Tensor difference = (0.5 + scale * differences[k]).clamp(0, 1);
    TileRow row{{tile(original[i]), difference, tile(adversarial[i])},
                {fmt::format("sample {}", i)}};
    if (const auto [why, short_why] = not_a_success(set, i); !why.empty()) {
      row.label.push_back("NOT A SUCCESS:");
      row.label.push_back(short_why);
      failures.push_back(fmt::format("sample {}, {}", i, why));
    }
    rows.push_back(row);
  }
  const bool colour = differences.front().dim() == 3;  // magnified channel by channel
  std::string caption = fmt::format(
      "original | difference magnified {:g}x around mid-grey{} (black -{:g}, white +{:g}; 99% of "
      "its pixels within) | adversarial, for samples {}",
      scale, colour ? " per channel" : "", 0.5 / scale, 0.5 / scale, fmt::join(positions, ", "));
  const std::int64_t successes = set.tensors.at("success").to(at::kBool).sum().item<std::int64_t>();
  if (failures.empty())
    caption += fmt::format(" ({} of the {} successes).", positions.size(), successes);
  else
    caption += fmt::format(". Not a success, marked in the figure: {}.", fmt::join(failures, "; "));
  return {rows, caption};
}

SampleFigure saliency_pairs(const Record& record, const std::vector<std::int64_t>& positions) {
  const at::Tensor &images = record.tensors.at("images"), &maps = record.tensors.at("saliency");
  std::vector<TileRow> rows;
  for (std::int64_t i : positions) {
    // A greyscale tile whatever the channels: the largest |saliency| over them (a map archived
    // without channels, [H, W], as it is).
    const at::Tensor strength = maps[i].abs().to(at::kFloat);
    const at::Tensor magnitude = strength.dim() == 3 ? strength.amax(0) : strength;
    const double top = std::max(magnitude.max().item<double>(), 1e-30);
    rows.push_back({{tile(images[i]), magnitude / top}, {fmt::format("sample {}", i)}});
  }
  return {rows,
          fmt::format("; drawn for {} of the {}, samples {}: image | |saliency| scaled to its "
                      "largest value",
                      positions.size(), images.size(0), fmt::join(positions, ", "))};
}

// images [2K, top, C, H, W]: rows 0..K-1 units, K..2K-1 random directions.
SampleFigure top_images(const Record& record) {
  const at::Tensor& images = record.tensors.at("images");
  const at::Tensor* units = find(record, "units");
  const std::int64_t k = images.size(0) / 2, shown = std::min(k, kTopPairs);
  std::vector<TileRow> rows;
  std::vector<std::int64_t> unit_numbers;
  for (std::int64_t group : {std::int64_t{0}, k})
    for (std::int64_t d = group; d < group + shown; ++d) {
      TileRow row{{}, {}, d == k};
      for (std::int64_t j = 0; j < images.size(1); ++j) row.tiles.push_back(tile(images[d][j]));
      if (d >= k) {
        row.label = {fmt::format("random {}", d - k + 1)};
      } else {
        unit_numbers.push_back(units ? (*units)[d].item<std::int64_t>() : d);
        row.label = {fmt::format("unit {}", unit_numbers.back())};
      }
      rows.push_back(row);
    }
  return {rows, fmt::format("; drawn: {} of the {} units ({}: units {}) and {} of the {} random "
                            "directions ({}), each row its top {} images, best first",
                            shown, k, rows_text(1, shown), fmt::join(unit_numbers, ", "), shown, k,
                            rows_text(shown + 1, shown), images.size(1))};
}

double magnification(const at::Tensor& r) {
  const at::Tensor magnitude = r.abs().flatten().to(at::kDouble);
  const std::int64_t n = magnitude.numel();
  if (n == 0) return 1;
  const std::int64_t rank = (99 * n + 99) / 100;  // nearest rank: ceil(0.99 n)
  const double p = std::get<0>(magnitude.kthvalue(rank)).item<double>();
  if (!(p > 0) || !std::isfinite(p)) return 1;
  // The tolerance keeps |r| = 0.1f (0.10000000149) at 5x rather than 4x.
  const double raw = 0.5 / p * (1 + 1e-6);
  const double digit = std::pow(10.0, std::floor(std::log10(raw)));
  return std::floor(raw / digit) * digit;
}

}  // namespace blindspot
