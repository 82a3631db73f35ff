// Tests of the spectral plugin's norm code against explicitly built matrices: the Fourier norm of
// periodic convolutions, the iterative norms of zero-padded strided convolutions, linear and
// pooling layers, and the constant bounds of the other layer kinds.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "conv_norms.hpp"
#include "krylov.hpp"
#include "layer_bounds.hpp"

using blindspot::Layer;
using blindspot::LayerKind;
namespace spectral = blindspot::spectral;
using Ints = std::vector<std::int64_t>;
using LinearMap = std::function<torch::Tensor(const torch::Tensor&)>;

namespace {

// The matrix of the linear map f on inputs of `shape`, one column per basis vector, float64.
torch::Tensor matrix_of(const LinearMap& f, const Ints& shape) {
  std::int64_t dim = 1;
  for (std::int64_t size : shape) dim *= size;
  Ints batch = {dim};
  batch.insert(batch.end(), shape.begin(), shape.end());
  return f(torch::eye(dim, torch::kDouble).reshape(batch)).reshape({dim, -1}).t();
}

double largest_singular_value(const torch::Tensor& matrix) {
  return at::linalg_svdvals(matrix)[0].item<double>();
}

torch::Tensor random_kernel(const Ints& shape, std::uint64_t seed) {
  return torch::randn(shape, at::detail::createCPUGenerator(seed), torch::kDouble);
}

// The convolution with periodic padding, as a network would compute it after circular padding.
LinearMap periodic(const torch::Tensor& w, std::int64_t stride, std::int64_t groups = 1) {
  return [=](const torch::Tensor& x) {
    namespace F = torch::nn::functional;
    const torch::Tensor wrapped =
        F::pad(x, F::PadFuncOptions({0, w.size(3) - 1, 0, w.size(2) - 1}).mode(torch::kCircular));
    return torch::conv2d(wrapped, w, {}, stride, Ints{0, 0}, 1, groups);
  };
}

LinearMap zero_padded(const torch::Tensor& w, std::int64_t stride, std::int64_t padding,
                      std::int64_t groups = 1) {
  return
      [=](const torch::Tensor& x) { return torch::conv2d(x, w, {}, stride, padding, 1, groups); };
}

spectral::IterationOptions precise(spectral::Iteration method) {
  return {method, 1e-12, 20000};
}

Layer layer_of(LayerKind kind, const Ints& input, const Ints& output) {
  Layer layer;
  layer.name = "layer";
  layer.kind = kind;
  layer.input_shape = input;
  layer.output_shape = output;
  return layer;
}

spectral::LayerBound bound(
    const Layer& layer, const spectral::IterationOptions& options = spectral::IterationOptions{}) {
  at::Generator generator = at::detail::createCPUGenerator(7);
  return spectral::bound_layer(layer, options, generator);
}

}  // namespace

TEST_CASE("the Fourier norm is the largest singular value of the periodic convolution matrix") {
  struct Case {
    Ints kernel;
    std::int64_t stride, groups;
  };
  for (const Case& c : {Case{{3, 2, 3, 3}, 1, 1}, Case{{3, 2, 3, 3}, 2, 1},
                        Case{{4, 2, 5, 5}, 3, 1}, Case{{4, 2, 3, 3}, 1, 2}}) {
    CAPTURE(c.stride);
    CAPTURE(c.groups);
    const torch::Tensor w = random_kernel(c.kernel, 11);
    const Ints input = {c.kernel[1] * c.groups, 6, 6};
    const spectral::Convolution conv{w, input, {c.stride, c.stride}, {0, 0}, c.groups};
    const double expected =
        largest_singular_value(matrix_of(periodic(w, c.stride, c.groups), input));
    CHECK(spectral::periodic_norm(conv) == doctest::Approx(expected).epsilon(1e-5));
  }
}

TEST_CASE("the iterative norm is the largest singular value of the zero-padded strided matrix") {
  struct Case {
    std::int64_t stride, padding, groups;
  };
  for (const auto method : {spectral::Iteration::lanczos, spectral::Iteration::power})
    for (const Case& c : {Case{1, 1, 1}, Case{2, 1, 1}, Case{2, 0, 1}, Case{1, 2, 2}}) {
      CAPTURE(static_cast<int>(method));
      CAPTURE(c.stride);
      CAPTURE(c.padding);
      const torch::Tensor w = random_kernel({3, 2, 3, 3}, 5);
      const Ints input = {2 * c.groups, 6, 6};
      const torch::Tensor grouped = c.groups == 1 ? w : torch::cat({w, w.flip(0)}, 0);
      const spectral::Convolution conv{
          grouped, input, {c.stride, c.stride}, {c.padding, c.padding}, c.groups};
      const double expected = largest_singular_value(
          matrix_of(zero_padded(grouped, c.stride, c.padding, c.groups), input));
      const auto top = spectral::top_singular_value(
          spectral::gram_operator(conv), torch::randn({1, 36 * input[0]}, torch::kDouble),
          precise(method));
      CHECK(top.converged);
      CHECK(top.value.item<double>() == doctest::Approx(expected).epsilon(1e-5));
    }
}

TEST_CASE("the periodic norm on the zero-padded size bounds the convolution as it runs") {
  // Zero padding p embeds the input into a torus of size n + 2p without wrapping, so the
  // periodic norm on that torus bounds the layer as it runs.
  const torch::Tensor w = random_kernel({8, 4, 5, 5}, 3);
  const spectral::Convolution as_run{w, {4, 12, 12}, {1, 1}, {2, 2}};
  const spectral::Convolution torus{w, {4, 16, 16}, {1, 1}, {0, 0}};
  const auto top = spectral::top_singular_value(spectral::gram_operator(as_run),
                                                torch::randn({1, 576}, torch::kDouble), {});
  CHECK(top.value.item<double>() <= spectral::periodic_norm(torus) * (1 + 1e-9));
}

TEST_CASE("each row of a batch gets the norm of its own matrix") {
  const torch::Tensor scales = torch::tensor({{3.0, 1.0, 0.5}, {0.1, 0.2, 0.3}, {0.0, 0.0, 0.0}},
                                             torch::kDouble);  // diagonal matrices, one per row
  auto gram = [&](const torch::Tensor& rows) { return rows * scales * scales; };
  for (const auto method : {spectral::Iteration::lanczos, spectral::Iteration::power}) {
    const auto top =
        spectral::top_singular_value(gram, torch::ones({3, 3}, torch::kDouble), precise(method));
    CHECK(top.converged);
    CHECK(torch::allclose(top.value, torch::tensor({3.0, 0.3, 0.0}, torch::kDouble), 1e-6, 1e-9));
  }
}

TEST_CASE("a linear layer's bound is its largest singular value") {
  Layer layer = layer_of(LayerKind::linear, {300}, {200});
  layer.weight = torch::randn({200, 300}, at::detail::createCPUGenerator(2)) / 17.0;
  const double expected = largest_singular_value(layer.weight.to(torch::kDouble));
  const spectral::LayerBound lanczos = bound(layer);
  CHECK(lanczos.size == "300x200");
  CHECK(lanczos.bound == doctest::Approx(expected).epsilon(1e-5));
  CHECK(lanczos.steps < 200);
  CHECK(std::isnan(lanczos.fourier));
}

TEST_CASE("a conv layer reports its Fourier and its iterative norm; the bound is the latter") {
  Layer layer = layer_of(LayerKind::conv2d, {2, 6, 6}, {3, 3, 3});
  layer.weight = random_kernel({3, 2, 3, 3}, 9).to(torch::kFloat);
  layer.kernel = {3, 3};
  layer.stride = {2, 2};
  layer.padding = {1, 1};
  const spectral::LayerBound b = bound(layer);
  CHECK(b.size == "2x3x3x3");
  CHECK(b.stride == 2);
  const torch::Tensor w = layer.weight.to(torch::kDouble);
  CHECK(
      b.fourier ==
      doctest::Approx(largest_singular_value(matrix_of(periodic(w, 2), {2, 6, 6}))).epsilon(1e-5));
  CHECK(b.bound == b.iterative);
  CHECK(b.bound ==
        doctest::Approx(largest_singular_value(matrix_of(zero_padded(w, 2, 1), {2, 6, 6})))
            .epsilon(1e-5));

  layer.output_shape = {3, 2, 2};  // as a dilated kernel would give: not what the layer list says
  const spectral::LayerBound dilated = bound(layer);
  CHECK(std::isnan(dilated.bound));
  CHECK(dilated.unknown.find("dilation") != std::string::npos);
  layer.input_shape.clear();
  CHECK(bound(layer).unknown.find("input shape unknown") != std::string::npos);
}

TEST_CASE("max pooling is 1 without overlap and sqrt(windows per pixel) with it, and tight") {
  struct Case {
    std::int64_t size, kernel, stride, padding;
    double expected;
  };
  for (const Case& c : {Case{12, 2, 2, 0, 1.0}, Case{13, 3, 2, 0, 2.0}, Case{13, 3, 2, 1, 2.0},
                        Case{9, 3, 1, 1, 3.0}, Case{5, 5, 1, 0, 1.0}}) {
    CAPTURE(c.kernel);
    CAPTURE(c.stride);
    const auto pool = [&](const torch::Tensor& x) {
      return torch::max_pool2d(x, c.kernel, c.stride, c.padding);
    };
    const torch::Tensor one = torch::zeros({1, 1, c.size, c.size});
    const torch::Tensor pooled = pool(one);
    const Ints output(pooled.sizes().begin() + 1, pooled.sizes().end());
    Layer layer = layer_of(LayerKind::max_pool, {1, c.size, c.size}, output);
    layer.kernel = {c.kernel, c.kernel};
    layer.stride = {c.stride, c.stride};
    layer.padding = {c.padding, c.padding};
    const double b = bound(layer).bound;
    CHECK(b == doctest::Approx(c.expected));
    // Tight: raising the pixel that the most windows share moves that many outputs by as much.
    double worst = 0.0;
    for (std::int64_t pixel = 0; pixel < c.size * c.size; ++pixel) {
      torch::Tensor raised = one.clone();
      raised.view(-1)[pixel] = 1.0;
      worst = std::max(worst, (pool(raised) - pool(one)).norm().item<double>());
    }
    CHECK(worst == doctest::Approx(b));
    // And an upper bound on random pairs.
    const torch::Tensor a = torch::randn({64, 1, c.size, c.size});
    const torch::Tensor d = torch::randn({64, 1, c.size, c.size}) * 0.1;
    const torch::Tensor ratio =
        (pool(a + d) - pool(a)).flatten(1).norm(2, 1) / d.flatten(1).norm(2, 1);
    CHECK(ratio.max().item<double>() <= b + 1e-5);
  }
}

TEST_CASE("average pooling's bound is the norm of its matrix, padding counted in the average") {
  Layer layer = layer_of(LayerKind::avg_pool, {2, 7, 7}, {2, 4, 4});
  layer.kernel = {3, 3};
  layer.stride = {2, 2};
  layer.padding = {1, 1};
  const auto pool = [](const torch::Tensor& x) { return torch::avg_pool2d(x, 3, 2, 1); };
  const spectral::LayerBound b = bound(layer);
  CHECK(b.size == "avg 3x3");
  CHECK(b.bound ==
        doctest::Approx(largest_singular_value(matrix_of(pool, {2, 7, 7}))).epsilon(1e-5));
}

TEST_CASE("batch norm, sigmoid, ReLU, tanh and flatten have their known constants") {
  Layer norm = layer_of(LayerKind::batch_norm, {3, 4, 4}, {3, 4, 4});
  norm.weight = torch::tensor({0.5f, -2.0f, 1.0f});
  norm.running_var = torch::tensor({0.25f, 3.0f, 0.01f});
  norm.eps = 1e-5;
  CHECK(bound(norm).bound == doctest::Approx(1.0 / std::sqrt(0.01 + 1e-5)));
  norm.running_var = torch::Tensor();
  CHECK(bound(norm).unknown == "running variance unknown");
  CHECK(bound(layer_of(LayerKind::sigmoid, {}, {})).bound == 0.25);
  for (const LayerKind kind : {LayerKind::relu, LayerKind::tanh, LayerKind::flatten}) {
    CHECK(bound(layer_of(kind, {}, {})).bound == 1.0);
    CHECK(spectral::is_unit_kind(kind));
  }
  const spectral::LayerBound other = bound(layer_of(LayerKind::other, {}, {}));
  CHECK(std::isnan(other.bound));
  CHECK(other.unknown == "a layer of unknown kind");
  CHECK(other.size == "other");
}
