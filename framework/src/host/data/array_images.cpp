// Choosing the arrays of a data set, and checking and converting images and labels.
#include "data/array_images.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <vector>

#include "blindspot/error.hpp"

namespace blindspot::host {
namespace {

constexpr std::int64_t kMaxLabel = 1'000'000;  // far above ImageNet-21k's 21,841 classes
constexpr std::size_t kNamesShown = 20;

/// "a, b, c" (at most kNamesShown names, then "..."), or "no arrays".
std::string list_of(const std::vector<std::string>& names) {
  if (names.empty()) return "no arrays";
  std::vector<std::string> shown(names.begin(),
                                 names.begin() + std::min(names.size(), kNamesShown));
  return fmt::format("{}{}", fmt::join(shown, ", "), names.size() > kNamesShown ? ", ..." : "");
}

/// NumPy's name for a tensor type ("uint8", "float32"), for messages.
std::string dtype_name(at::ScalarType type) {
  switch (type) {
    case at::kByte:
      return "uint8";
    case at::kChar:
      return "int8";
    case at::kShort:
      return "int16";
    case at::kInt:
      return "int32";
    case at::kLong:
      return "int64";
    case at::kHalf:
      return "float16";
    case at::kFloat:
      return "float32";
    case at::kDouble:
      return "float64";
    case at::kBool:
      return "bool";
    default:
      return c10::toString(type);
  }
}

/// The layout "auto" stands for: nhwc for 4 dimensions, nhw for 3. Throws when a 4-dimensional
/// array looks like [N, C, H, W], which would silently be read as very thin images.
std::string resolved_layout(const at::Tensor& images, const std::string& layout,
                            const std::string& where) {
  if (layout != "auto") return layout;
  if (images.dim() == 3) return "nhw";
  if (images.dim() != 4) return "nhwc";  // the rank check names the expected dimensions
  const auto channels_like = [](std::int64_t n) { return n == 1 || n == 3 || n == 4; };
  if (!channels_like(images.size(3)) && channels_like(images.size(1)))
    throw Error(where, fmt::format("images of shape {} look like [N, C, H, W], but layout auto "
                                   "reads 4 dimensions as [N, H, W, C]; set 'layout' to nchw "
                                   "(or to nhwc if {} channels are right)",
                                   fmt::join(images.sizes(), "x"), images.size(3)));
  return "nhwc";
}

/// Images converted to [N, C, H, W] from `layout`; throws if the rank does not fit it.
at::Tensor to_nchw(const at::Tensor& images, const std::string& given, const std::string& where) {
  const std::string layout = resolved_layout(images, given, where);
  const std::int64_t rank = layout == "nhw" ? 3 : 4;
  const char* shape = layout == "nhwc"   ? "[N, H, W, C]"
                      : layout == "nchw" ? "[N, C, H, W]"
                                         : "[N, H, W]";
  if (images.dim() != rank)
    throw Error(where,
                fmt::format("layout '{}' needs images of {} dimensions {}, but this array "
                            "has {} ({}); set 'layout' to nhwc, nchw or nhw",
                            given, rank, shape, images.dim(), fmt::join(images.sizes(), "x")));
  const at::Tensor out = layout == "nhwc"  ? images.permute({0, 3, 1, 2}).contiguous()
                         : layout == "nhw" ? images.unsqueeze(1)
                                           : images;
  if (out.size(1) == 0 || out.size(2) == 0 || out.size(3) == 0)
    throw Error(where, fmt::format("images of {} channels and {}x{} pixels; expected at least one "
                                   "channel and a height and width of at least 1",
                                   out.size(1), out.size(2), out.size(3)));
  return out;
}

/// uint8 images as they are; float images as float32 after checking they lie in [0, 1].
at::Tensor checked_values(const at::Tensor& images, const std::string& where) {
  if (images.scalar_type() == at::kByte) return images;
  if (!at::isFloatingType(images.scalar_type()))
    throw Error(where, fmt::format("images of type {}; expected uint8 (0..255) or floating "
                                   "point (in [0, 1])",
                                   dtype_name(images.scalar_type())));
  const at::Tensor values = images.to(at::kFloat);
  if (values.numel() == 0) return values;
  const at::Tensor bad = values.isfinite().logical_not();
  if (bad.any().item<bool>())
    throw Error(where, fmt::format("holds NaN or infinity (the first at flat position {}); "
                                   "float images must be finite and in [0, 1]",
                                   bad.flatten().nonzero()[0].item<std::int64_t>()));
  const double low = values.min().item<double>(), high = values.max().item<double>();
  if (low < 0 || high > 1)
    throw Error(where, fmt::format("float images range over [{:g}, {:g}]; expected [0, 1] "
                                   "(store uint8 0..255 to have them divided by 255)",
                                   low, high));
  return values;
}

/// Labels as int64 [N], checked to be integers from 0 to kMaxLabel, one per image.
at::Tensor checked_labels(const at::Tensor& labels, std::int64_t images, const std::string& where) {
  if (!at::isIntegralType(labels.scalar_type(), /*includeBool=*/false))
    throw Error(where, fmt::format("labels of type {}; expected integers",
                                   dtype_name(labels.scalar_type())));
  if (!(labels.dim() == 1 || (labels.dim() == 2 && labels.size(1) == 1)))
    throw Error(where, fmt::format("labels of shape {}; expected [N] or [N, 1]",
                                   fmt::join(labels.sizes(), "x")));
  const at::Tensor out = labels.flatten().to(at::kLong);
  if (out.size(0) != images)
    throw Error(where, fmt::format("{} labels for {} images; expected one label per image",
                                   out.size(0), images));
  if (out.numel() == 0) return out;
  const std::int64_t low = out.min().item<std::int64_t>(), high = out.max().item<std::int64_t>();
  if (low < 0)
    throw Error(where, fmt::format("holds the label {}; labels must be 0, 1, 2, ...", low));
  if (high > kMaxLabel)
    throw Error(where, fmt::format("holds the label {}; labels above {} are not supported", high,
                                   kMaxLabel));
  return out;
}

}  // namespace

ArrayNames choose_arrays(const ArrayStore& store, const ArrayNames& given,
                         const std::string& where) {
  ArrayNames names = given;
  if (names.images.empty() != names.labels.empty() ||
      names.test_images.empty() != names.test_labels.empty())
    throw Error(where,
                "name the images and their labels together ('images' with 'labels', "
                "'test_images' with 'test_labels')");
  if (names.images.empty() && !names.test_images.empty())
    throw Error(where, "'test_images' needs 'images' and 'labels' for the train set");
  if (names.images.empty()) {
    if (store.has("x_train"))
      names = {"x_train", "y_train", "x_test", "y_test"};
    else if (store.has("x"))
      names = {"x", "y", "", ""};
    else
      throw Error(where, fmt::format("holds neither x_train, y_train, x_test, y_test nor x, y "
                                     "(it holds {}); name the arrays with 'images' and 'labels' "
                                     "(and 'test_images', 'test_labels')",
                                     list_of(store.names())));
  }
  for (const std::string* name :
       {&names.images, &names.labels, &names.test_images, &names.test_labels})
    if (!name->empty() && !store.has(*name))
      throw Error(where, fmt::format("no array '{}'; it holds {}", *name, list_of(store.names())));
  return names;
}

RawImages read_labelled_images(const ArrayStore& store, const std::string& images,
                               const std::string& labels, const std::string& layout) {
  const std::string where = store.where(images);
  RawImages raw;
  raw.images = checked_values(to_nchw(store.read(images), layout, where), where);
  raw.labels = checked_labels(store.read(labels), raw.images.size(0), store.where(labels));
  return raw;
}

}  // namespace blindspot::host
