// Small helpers shared by plugin tests: error messages and finite-difference gradient checks.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "blindspot/testing.hpp"

namespace blindspot::testing {

namespace {

/// logits = images.flatten(1) @ weight^T (+ bias).
class LinearClassifier final : public Classifier {
 public:
  LinearClassifier(at::Tensor weight, at::Tensor bias)
      : weight_(std::move(weight)), bias_(std::move(bias)) {}
  at::Tensor logits(const at::Tensor& images) const override {
    at::Tensor out = images.flatten(1).matmul(weight_.t());
    return bias_.defined() ? out + bias_ : out;
  }
  std::int64_t num_classes() const override { return weight_.size(0); }
  TensorMap state() const override {
    TensorMap out{{"weight", weight_}};
    if (bias_.defined()) out["bias"] = bias_;
    return out;
  }
  void load_state(const TensorMap& state) override {
    weight_ = state.at("weight");
    if (state.count("bias")) bias_ = state.at("bias");
  }
  std::vector<Layer> layers() const override { return {}; }
  at::Tensor activations(const std::string& layer, const at::Tensor&) const override {
    throw Error("", "a linear test model has no layer " + layer);
  }

 private:
  at::Tensor weight_, bias_;
};

}  // namespace

std::shared_ptr<const Model> linear_model(const at::Tensor& weight, const at::Tensor& bias) {
  return std::make_shared<Model>(std::make_shared<LinearClassifier>(weight, bias));
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

double gradient_error(const Classifier& model, const at::Tensor& images, const at::Tensor& labels,
                      int pixels, double eps) {
  at::Tensor grad = input_gradient(model, images, labels);
  auto total = [&](const at::Tensor& x) {
    torch::NoGradGuard no_grad;
    return torch::nn::functional::cross_entropy(
               model.logits(x), labels,
               torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
        .item<double>();
  };
  at::Tensor largest = std::get<1>(grad.abs().flatten().topk(pixels));
  double worst = 0.0;
  for (std::int64_t k = 0; k < largest.size(0); ++k) {
    std::int64_t pixel = largest[k].item<std::int64_t>();
    at::Tensor plus = images.clone(), minus = images.clone();
    plus.view(-1)[pixel] += eps;
    minus.view(-1)[pixel] -= eps;
    double numeric = (total(plus) - total(minus)) / (2 * eps);
    double analytic = grad.flatten()[pixel].item<double>();
    // Relative for gradients above 1, absolute below (float32 differences lose digits there).
    worst = std::max(worst, std::abs(numeric - analytic) / (1.0 + std::abs(analytic)));
  }
  return worst;
}

}  // namespace blindspot::testing
