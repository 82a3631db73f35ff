// Figures of archived products as greyscale images: Figure 5 triplets, saliency, top-k grids.
#include "report/figures.hpp"

#include <ATen/ATen.h>

#include <algorithm>

namespace blindspot::host {

namespace {

constexpr std::int64_t kGap = 2;
constexpr std::int64_t kTopPairs = 4;  // units and random directions a top-k grid shows

/// One image as a greyscale tile: [C, H, W] averaged over channels.
at::Tensor grey(const at::Tensor& image) {
  return image.to(at::kFloat).dim() == 3 ? image.to(at::kFloat).mean(0) : image.to(at::kFloat);
}

const at::Tensor* find(const Record& record, const char* name) {
  auto it = record.tensors.find(name);
  return it == record.tensors.end() ? nullptr : &it->second;
}

std::optional<at::Tensor> triplets(const at::Tensor& original, const at::Tensor& adversarial,
                                   const std::vector<std::int64_t>& positions) {
  std::vector<std::vector<at::Tensor>> rows;
  for (std::int64_t i : positions) {
    const at::Tensor x = grey(original[i]), xp = grey(adversarial[i]);
    rows.push_back({x, (0.5 + 10 * (xp - x)).clamp(0, 1), xp.clamp(0, 1)});
  }
  if (rows.empty()) return std::nullopt;
  return tile_grid(rows);
}

std::optional<at::Tensor> saliency(const at::Tensor& images, const at::Tensor& maps,
                                   const std::vector<std::int64_t>& positions) {
  std::vector<std::vector<at::Tensor>> rows;
  for (std::int64_t i : positions) {
    const at::Tensor magnitude = grey(maps[i].abs());
    const double top = std::max(magnitude.max().item<double>(), 1e-30);
    rows.push_back({grey(images[i]), magnitude / top});
  }
  if (rows.empty()) return std::nullopt;
  return tile_grid(rows);
}

// images [2K, top, C, H, W]: rows 0..K-1 units, K..2K-1 random directions.
std::optional<at::Tensor> top_images(const at::Tensor& images, std::int64_t shown_pairs) {
  const std::int64_t k = images.size(0) / 2, shown = std::min(k, shown_pairs);
  std::vector<std::vector<at::Tensor>> rows;
  for (std::int64_t group : {std::int64_t{0}, k})
    for (std::int64_t d = group; d < group + shown; ++d) {
      std::vector<at::Tensor> row;
      for (std::int64_t j = 0; j < images.size(1); ++j) row.push_back(grey(images[d][j]));
      rows.push_back(row);
    }
  if (rows.empty()) return std::nullopt;
  return tile_grid(rows);
}

}  // namespace

at::Tensor tile_grid(const std::vector<std::vector<at::Tensor>>& rows, int zoom) {
  const std::int64_t h = rows.front().front().size(0) * zoom,
                     w = rows.front().front().size(1) * zoom;
  std::size_t columns = 0;
  for (const auto& row : rows) columns = std::max(columns, row.size());
  const auto n_rows = static_cast<std::int64_t>(rows.size());
  const auto n_columns = static_cast<std::int64_t>(columns);
  at::Tensor out = at::ones({n_rows * (h + kGap) - kGap, n_columns * (w + kGap) - kGap});
  for (std::int64_t r = 0; r < n_rows; ++r)
    for (std::int64_t c = 0; c < static_cast<std::int64_t>(rows[r].size()); ++c) {
      const at::Tensor big =
          rows[r][c].to(at::kFloat).repeat_interleave(zoom, 0).repeat_interleave(zoom, 1);
      out.narrow(0, r * (h + kGap), h).narrow(1, c * (w + kGap), w).copy_(big);
    }
  return out;
}

std::optional<at::Tensor> figure_of(const Record& record,
                                    const std::vector<std::int64_t>& positions) {
  auto kind = record.attributes.find("kind");
  if (kind == record.attributes.end()) return std::nullopt;
  if (kind->second == "AdversarialSet") {
    const at::Tensor *x = find(record, "original"), *xp = find(record, "adversarial");
    if (x && xp && x->dim() == 4) return triplets(*x, *xp, positions);
  }
  if (kind->second == "Arrays") {
    const at::Tensor *images = find(record, "images"), *maps = find(record, "saliency");
    if (images && maps && images->dim() == 4) return saliency(*images, *maps, positions);
    if (images && images->dim() == 5 && images->size(0) >= 2) return top_images(*images, kTopPairs);
  }
  return std::nullopt;
}

std::int64_t figure_samples(const Record& record) {
  auto kind = record.attributes.find("kind");
  if (kind == record.attributes.end()) return 0;
  const at::Tensor* images = find(record, kind->second == "AdversarialSet" ? "original" : "images");
  return images && images->dim() == 4 ? images->size(0) : 0;
}

}  // namespace blindspot::host
