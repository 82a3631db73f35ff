// The units analysis plugin (Szegedy et al., Section 3): the held-out images that score highest
// along natural-basis units of a hidden layer and along random directions, and how pure in label
// each top set is.
#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "blindspot/classifier.hpp"
#include "blindspot/error.hpp"
#include "blindspot/node.hpp"
#include "blindspot/plugin.hpp"
#include "blindspot/products.hpp"
#include "blindspot/samples.hpp"
#include "blindspot/schema.hpp"
#include "layer_scores.hpp"
#include "purity.hpp"

namespace {

using namespace blindspot;
using namespace blindspot::units;

/// The ports of the units node.
const Port<Model> kModel{"model"};
const Port<Dataset> kData{"data"};
const Port<Arrays> kTop{"top"};
const Port<Table> kPurity{"purity"};

/// The units node: top images along K units and K random unit directions of a layer's output.
class Units final : public Node {
 public:
  struct Params {
    std::string layer;
    SampleSelection samples;
    std::int64_t units, top, chance_sets, batch;
    std::string unit_choice;
  };

  static Schema describe() {
    auto schema = Schema::of<Params>(
        "Top held-out images along natural-basis units and random directions of a layer "
        "(Section 3), with the label purity of each top set");
    return selection_params(schema, &Params::samples, "test", "search")
        .param(&Params::layer, "layer", "",
               "layer whose flattened output is phi(x); empty: the layer just before the model's "
               "last linear layer (act2 in FC100-100-10)")
        .param(&Params::units, "units", 10,
               "K: natural-basis units e_i inspected, and as many random directions v")
        .at_least(2)
        .param(&Params::top, "top", 8, "images kept per unit or direction, best first")
        .at_least(1)
        .param(&Params::unit_choice, "unit_choice", "random",
               "which K units: 'random' distinct ones (seeded) or the 'first' K; units constant "
               "over the selected images (dead ReLUs) are never chosen")
        .choices({"random", "first"})
        .param(&Params::chance_sets, "chance_sets", 1000,
               "random subsets of `top` selected images drawn (seeded) for the chance purity")
        .at_least(2)
        .param(&Params::batch, "batch", 500, "images per forward pass")
        .at_least(1)
        .untracked()
        .input(kModel, "classifier whose layer is inspected")
        .input(kData, "labelled images; the held-out split is searched")
        .output(kTop,
                "directions [2K, D] (K units e_i, then K random unit vectors), units [K], "
                "and per direction its top images: scores, positions (in the split), "
                "indices (in the source), labels [2K, top], images [2K, top, C, H, W], "
                "purity [2K]; chance_purity [chance_sets]")
        .output(
            kPurity,
            "label purity (share of the most common label) of the top sets: units, "
            "random directions, chance; mean, sd (n - 1), se (sd / sqrt(sets)), min, max, sets");
  }

  explicit Units(const Params& p) : p_(p) {}

 private:
  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    const Classifier& net = *in.get(kModel).net;
    const LabelledImages samples = select_samples(in.get(kData), p_.samples, ctx);
    const std::vector<Layer> layers = net.layers();
    const std::string layer = p_.layer.empty() ? default_layer(layers) : p_.layer;
    const std::int64_t width = layer_width(layers, layer);
    if (p_.top > samples.size())
      throw Error("", fmt::format("top {} is more than the {} images selected from split '{}'",
                                  p_.top, samples.size(), p_.samples.split));
    std::mt19937_64& rng = ctx.rng();  // one seed per draw, so each is reproducible on its own
    at::Generator unit_gen = at::detail::createCPUGenerator(rng());
    at::Generator direction_gen = at::detail::createCPUGenerator(rng());
    at::Generator chance_gen = at::detail::createCPUGenerator(rng());

    const at::Tensor units =
        choose_units(varying_units(net, layer, samples.images, p_.batch), layer, unit_gen);
    const at::Tensor directions = torch::cat({torch::one_hot(units, width).to(torch::kFloat),
                                              random_directions(p_.units, width, direction_gen)});
    Arrays top = top_images(net, layer, samples, units, directions);
    const at::Tensor purity = label_purity(top.values.at("labels"));
    const at::Tensor chance = chance_purity(samples.labels, p_.top, p_.chance_sets, chance_gen);
    top.values["purity"] = purity.to(torch::kFloat);
    top.values["chance_purity"] = chance.to(torch::kFloat);
    Table table(fmt::format("Label purity of the top {} of {} '{}' images along units and random "
                            "directions of {}",
                            p_.top, samples.size(), p_.samples.split, layer),
                {"units", "random directions", "chance (random sets)"}, purity_columns());
    table.format("sets", CellFormat::count);
    summarise(purity.narrow(0, 0, p_.units), table, 0);
    summarise(purity.narrow(0, p_.units, p_.units), table, 1);
    summarise(chance, table, 2);
    ctx.log(
        fmt::format("purity of the top {} (mean +- sd): units {:.3f} +- {:.3f}, random "
                    "directions {:.3f} +- {:.3f}, chance {:.3f} +- {:.3f}",
                    p_.top, table.at(0, 0), table.at(0, 1), table.at(1, 0), table.at(1, 1),
                    table.at(2, 0), table.at(2, 1)));
    out.put(kTop, std::move(top));
    out.put(kPurity, std::move(table));
  }

  /// The directions and, for each, its `top` best-scoring samples: scores, where they are,
  /// their labels and images.
  Arrays top_images(const Classifier& net, const std::string& layer, const LabelledImages& samples,
                    const at::Tensor& units, const at::Tensor& directions) const {
    const at::Tensor scores = projections(net, layer, samples.images, directions, p_.batch);
    // A stable sort breaks ties by position, so the top sets are reproducible.
    const auto [sorted, order] =
        torch::sort(scores, /*stable=*/true, /*dim=*/0, /*descending=*/true);
    const at::Tensor best = order.narrow(0, 0, p_.top).t().contiguous();  // [2K, top]
    Arrays top;
    top.title =
        fmt::format("Top {} of {} '{}' images along {} units and {} random directions of {}",
                    p_.top, samples.size(), p_.samples.split, p_.units, p_.units, layer);
    top.values["directions"] = directions;
    top.values["units"] = units;
    top.values["scores"] = sorted.narrow(0, 0, p_.top).t().to(torch::kFloat).contiguous();
    top.values["positions"] = best + p_.samples.offset;
    top.values["indices"] = samples.indices.index({best});
    top.values["labels"] = samples.labels.index({best});
    top.values["images"] = samples.images.index({best});
    return top;
  }

  /// Int64 [K], ascending: K of the units that vary, the first ones or distinct random ones.
  at::Tensor choose_units(const at::Tensor& varying, const std::string& layer,
                          at::Generator& gen) const {
    const at::Tensor candidates = varying.nonzero().flatten();
    if (candidates.size(0) < p_.units)
      throw Error("", fmt::format("units {} is more than the {} of the {} units of layer '{}' that "
                                  "vary over the selected images",
                                  p_.units, candidates.size(0), varying.size(0), layer));
    if (p_.unit_choice == "first") return candidates.narrow(0, 0, p_.units);
    const at::Tensor picked = torch::randperm(candidates.size(0), gen, torch::kLong);
    return std::get<0>(candidates.index({picked.narrow(0, 0, p_.units)}).sort());
  }

  /// Float32 [count, width]: Gaussian vectors scaled to unit length.
  static at::Tensor random_directions(std::int64_t count, std::int64_t width, at::Generator& gen) {
    const at::Tensor gaussian = torch::randn({count, width}, gen, torch::kDouble);
    return (gaussian / gaussian.norm(2, {1}, /*keepdim=*/true)).to(torch::kFloat);
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(Units, "units", analysis, "1")
