// The torchscript model plugin: a model trained in PyTorch and saved with torch.jit.save.
#include <fmt/format.h>

#include <cmath>
#include <filesystem>

#include "blindspot/plugin.hpp"
#include "script_classifier.hpp"

namespace {

using namespace blindspot;

/// The ports of the torchscript node.
const Port<Model> kModel{"model"};

// The last non-empty line: where the TorchScript interpreter puts the cause, after its traceback.
std::string last_line(std::string text) {
  text.erase(text.find_last_not_of(" \n") + 1);
  return text.substr(text.find_last_of('\n') + 1);
}

// Loads `path`; throws Error naming it if it is missing or not TorchScript.
torch::jit::Module load(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw Error(path, "no such file");
  try {
    return torch::jit::load(path, torch::kCPU);
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    throw Error(path, "not a TorchScript file: " + what.substr(0, what.find('\n')));
  }
}

// The model's output for a zero batch of two inputs of `shape`; throws Error naming `path` if it
// fails or is not (batch, classes).
at::Tensor zero_batch_output(torch::jit::Module& module, const std::string& path,
                             const std::vector<std::int64_t>& shape) {
  std::vector<std::int64_t> batch = {2};
  batch.insert(batch.end(), shape.begin(), shape.end());
  const std::string failed =
      fmt::format("forward failed on a zero batch of shape {}: ", shape_text(batch));
  at::Tensor out;
  try {
    torch::NoGradGuard no_grad;
    module.eval();
    out = module.forward({torch::zeros(batch)}).toTensor();
  } catch (const c10::Error& e) {
    throw Error(path, failed + last_line(e.what_without_backtrace()));
  } catch (const std::exception& e) {  // the interpreter's JITException, after a traceback
    throw Error(path, failed + last_line(e.what()));
  }
  if (out.dim() != 2 || out.size(0) != 2)
    throw Error(path, fmt::format("output has shape {}, expected (batch, classes)",
                                  shape_text(out.sizes())));
  return out;
}

// Throws Error unless `values` (parameter `name`) holds one finite number for each channel, the
// first axis of `input_shape`.
void check_per_channel(const char* name, const std::vector<double>& values,
                       const std::vector<std::int64_t>& input_shape) {
  const std::int64_t channels = input_shape[0];
  if (static_cast<std::int64_t>(values.size()) != channels)
    throw Error("", fmt::format("{} has {} value{}, but input_shape {} has {} channel{}", name,
                                values.size(), values.size() == 1 ? "" : "s",
                                shape_text(input_shape), channels, channels == 1 ? "" : "s"));
  for (std::size_t c = 0; c < values.size(); ++c)
    if (!std::isfinite(values[c]))
      throw Error("", fmt::format("{}[{}] is {}; expected a finite number", name, c,
                                  Value::of(values[c]).to_yaml()));
}

/// The torchscript node: loads the file; the archive keeps its weights, not the file.
class TorchScript final : public ModelNode {
 public:
  struct Params {
    std::string path;
    std::vector<std::int64_t> input_shape;
    std::vector<double> input_range;
    std::vector<double> mean, stddev;
    std::int64_t classes;
  };

  static Schema describe() {
    return Schema::of<Params>(
               "A model saved from PyTorch with torch.jit.save (TorchScript); "
               "see experiments/make_torchscript_model.py")
        .param(&Params::path, "path", Value{}, "the TorchScript file (.pt) to load")
        .file()
        .param(&Params::input_shape, "input_shape", std::vector<std::int64_t>{1, 28, 28},
               "shape of one input the model expects; images are reshaped to it")
        .range(1, 65536)
        .param(&Params::input_range, "input_range", std::vector<double>{0.0, 1.0},
               "pixel range the model expects: images in [0, 1] are mapped linearly to it")
        .param(&Params::mean, "mean", std::vector<double>{},
               "per-channel mean subtracted after input_range (torchvision's Normalize); one "
               "value per channel, input_shape[0] channels")
        .param(&Params::stddev, "std", std::vector<double>{},
               "per-channel standard deviation divided by after subtracting mean; one value per "
               "channel, each > 0")
        .above(0)
        .param(&Params::classes, "classes", 0,
               "number of classes; 0 = the width of the model's output")
        .at_least(0)
        .output(kModel, "the loaded classifier");
  }

  explicit TorchScript(const Params& p) : p_(p) {}

 private:
  std::shared_ptr<Classifier> build(const Inputs&) const override {
    if (p_.input_range.size() != 2 || p_.input_range[0] == p_.input_range[1])
      throw Error("", fmt::format("input_range must be two different numbers [low, high]; got {}",
                                  Value::of(p_.input_range).to_yaml()));
    if (p_.input_shape.empty()) throw Error("", "input_shape must not be empty");
    if (p_.mean.empty() != p_.stddev.empty())
      throw Error("",
                  fmt::format("{} is given without {}; give both, one value per channel, or "
                              "neither",
                              p_.mean.empty() ? "std" : "mean", p_.mean.empty() ? "mean" : "std"));
    if (!p_.mean.empty()) {
      check_per_channel("mean", p_.mean, p_.input_shape);
      check_per_channel("std", p_.stddev, p_.input_shape);
    }
    torch::jit::Module module = load(p_.path);
    const std::int64_t classes = zero_batch_output(module, p_.path, p_.input_shape).size(1);
    if (p_.classes != 0 && p_.classes != classes)
      throw Error(p_.path, fmt::format("output has {} classes, but parameter 'classes' is {}",
                                       classes, p_.classes));
    return std::make_shared<ScriptClassifier>(p_.path, module, p_.input_shape, p_.input_range[0],
                                              p_.input_range[1], p_.mean, p_.stddev, classes);
  }

  void run(const Inputs& in, Outputs& out, RunContext& ctx) override {
    auto net = build(in);
    ctx.log(fmt::format("loaded {}: {} classes, {} layers", p_.path, net->num_classes(),
                        net->layers().size()));
    out.put(kModel, Model{net});
  }

  const Params p_;
};

}  // namespace

BLINDSPOT_PLUGIN(TorchScript, "torchscript", model, "2")
