// The Arrays kind: loaded alone; saliency maps and unit inspections have figures.
#include <fmt/format.h>

#include <optional>

#include "blindspot/products.hpp"
#include "sample_figures.hpp"

namespace blindspot {

namespace {

const at::Tensor* find(const Record& record, const char* name) {
  auto it = record.tensors.find(name);
  return it == record.tensors.end() ? nullptr : &it->second;
}

/// Named arrays: a saliency product ([N, C, H, W] images and maps) draws image | |saliency|
/// pairs, a unit inspection ([2K, top, C, H, W] images) its top-k grid.
class ArraysType final : public ProductType {
 public:
  ArraysType() : ProductType("Arrays") {}
  void check(const Record& record) const override { Arrays::load(record); }
  std::shared_ptr<const Product> load(const Record& record) const override {
    return std::make_shared<const Arrays>(Arrays::load(record));
  }
  std::string summary(const Record&) const override { return "Arrays"; }
  std::int64_t figure_samples(const Record& record) const override {
    const at::Tensor* images = find(record, "images");
    return images && images->dim() == 4 ? images->size(0) : 0;
  }
  /// The figure's caption is the product's title followed by what the figure draws of it.
  std::vector<Figure> figures(const FigureRequest& request, const Record& record,
                              Drawing& drawing) const override {
    const at::Tensor *images = find(record, "images"), *maps = find(record, "saliency");
    std::optional<SampleFigure> figure;
    if (images && maps && images->dim() == 4 && !request.positions.empty())
      figure = saliency_pairs(record, request.positions);
    else if (images && images->dim() == 5 && images->size(0) >= 2)
      figure = top_images(record);
    if (!figure) return {};
    const std::string* title = text_attribute(record, "title");
    const std::string what = title ? *title : name();
    return {{fmt::format("{}-{}.png", request.node, request.port),
             fmt::format("{} {}: {}{}", request.node, request.port, what, figure->caption),
             drawing.tiles(figure->rows)}};
  }
};

}  // namespace

ProductKind Arrays::product_kind() {
  static const ArraysType type;
  return &type;
}

}  // namespace blindspot
