// Adversarial training (paper Section 4.2): the pool an attack component keeps, checked against
// FGSM worked out by hand on a linear model, and training with it through the model plugins.
#include <doctest/doctest.h>
#include <torch/torch.h>

#include "blindspot/adversarial_pool.hpp"
#include "blindspot/testing.hpp"

using blindspot::LabelledImages;
using blindspot::PoolOptions;
using blindspot::Value;
namespace testing = blindspot::testing;

namespace {

/// Two classes of four pixels: class 0's logit is w . x, class 1's is -w . x.
const at::Tensor kWeight = torch::tensor({{1.f, -1.f, .5f, -.5f}, {-1.f, 1.f, -.5f, .5f}});

/// Six training images, all inside [0.2, 0.8] so that a step of 0.1 is never clipped, and all
/// classified correctly by kWeight: w . x is 0.4, 0.15, 0.1 for class 0 and the negatives for 1.
std::shared_ptr<const blindspot::Dataset> six_images() {
  return testing::hand_made_dataset(testing::images_from_rows({{.7f, .3f, .5f, .5f},
                                                               {.5f, .4f, .6f, .5f},
                                                               {.6f, .5f, .4f, .4f},
                                                               {.2f, .6f, .5f, .5f},
                                                               {.4f, .5f, .5f, .6f},
                                                               {.5f, .6f, .4f, .4f}},
                                                              {1, 2, 2}),
                                    {0, 0, 0, 1, 1, 1}, 2, 100);
}

/// fgsm's parameters as the host completes them: `given` over its defaults.
Value fgsm(const std::map<std::string, Value>& given) {
  std::vector<blindspot::ParamProblem> problems;
  auto params = testing::plugin_entry("fgsm").describe().validate(given, problems);
  REQUIRE(problems.empty());
  params["plugin"] = Value::of("fgsm");
  return Value::of(params);
}

/// The pool examples of `pool` as FGSM makes them on the linear model: x + eps * sign(w_other -
/// w_label), with the true labels and the training samples' indices.
void check_examples(const LabelledImages& pool, const LabelledImages& train, double epsilon) {
  for (std::int64_t i = 0; i < pool.size(); ++i) {
    CAPTURE(i);
    const std::int64_t source = pool.indices[i].item<std::int64_t>() - 100;
    REQUIRE(source >= 0);
    REQUIRE(source < train.size());
    const std::int64_t label = train.labels[source].item<std::int64_t>();
    CHECK(pool.labels[i].item<std::int64_t>() == label);
    const at::Tensor direction = (kWeight[1 - label] - kWeight[label]).sign().view({1, 2, 2});
    const at::Tensor expected = train.images[source] + epsilon * direction;
    CHECK(torch::allclose(pool.images[i], expected, 0, 1e-6));
  }
}

}  // namespace

TEST_CASE("the pool holds the attack's examples of training samples and replaces a fraction") {
  const auto data = six_images();
  const LabelledImages& train = data->split("test");
  const auto model = testing::linear_model(kWeight);
  const auto ctx = testing::context(3);
  torch::manual_seed(3);  // the pool draws its sources and slots from LibTorch's generator
  PoolOptions options{fgsm({{"epsilon", Value::of(0.1)}}), 0.5, 8, 0.5, 2};
  blindspot::AdversarialPool pool(options, model->net, train, *ctx);

  // No pool during the first `every` = 2 steps of plain training.
  CHECK(pool.draw(6).size() == 0);
  CHECK(pool.draw(6).size() == 0);
  CHECK(pool.made() == 0);

  // Before step 2 the whole pool is made; each draw adds round(6 * 0.5 / 0.5) = 6 examples.
  CHECK(pool.draw(6).size() == 6);
  const LabelledImages& now = pool.examples();  // refreshes change its tensors in place
  const LabelledImages first{now.images.clone(), now.labels.clone(), now.indices.clone()};
  REQUIRE(first.size() == 8);
  check_examples(first, train, 0.1);
  // Every example moves w . x by 0.1 * ||w||_1 = 0.3 towards the other class: the examples of
  // the four samples with |w . x| < 0.3 are fooled, those of the other two are not.
  const std::int64_t misclassified =
      blindspot::predict(*model->net, first.images).ne(first.labels).sum().item<std::int64_t>();
  CHECK(pool.made() == 8);
  CHECK(pool.attacked() == 8);  // all six samples are classified correctly
  CHECK(pool.fooled() == misclassified);
  CHECK(misclassified > 0);

  // Step 3 is not a refresh (every 2 steps): the pool is unchanged.
  pool.draw(6);
  CHECK(torch::equal(pool.examples().images, first.images));
  CHECK(torch::equal(pool.examples().indices, first.indices));

  // Step 4 replaces round(0.5 * 8) = 4 slots: the other 4 stay as they were.
  pool.draw(6);
  CHECK(pool.made() == 12);
  const LabelledImages& fourth = pool.examples();
  check_examples(fourth, train, 0.1);
  std::int64_t kept = 0;
  for (std::int64_t i = 0; i < 8; ++i)
    kept += torch::equal(fourth.images[i], first.images[i]) ? 1 : 0;
  CHECK(kept >= 4);
  CHECK(kept < 8);  // all 4 new sources equal to the old ones has chance (1/6)^4; not seed 3
}

TEST_CASE("each draw adds round(batch * mix / (1 - mix)) pool examples") {
  const auto data = six_images();
  const auto model = testing::linear_model(kWeight);
  const auto ctx = testing::context();
  for (const auto& [mix, batch, expected] :
       std::vector<std::tuple<double, std::int64_t, std::int64_t>>{
           {0.5, 6, 6}, {0.2, 10, 3}, {0.9, 2, 18}, {0.1, 4, 0}}) {
    CAPTURE(mix);
    PoolOptions options{fgsm({}), mix, 5, 0.1, 1};
    blindspot::AdversarialPool pool(options, model->net, data->split("test"), *ctx);
    CHECK(pool.draw(batch).size() == 0);  // step 0: the pool is made before step 1
    const LabelledImages drawn = pool.draw(batch);
    CHECK(drawn.size() == expected);
    CHECK(drawn.images.sizes() == at::IntArrayRef{expected, 1, 2, 2});
  }
}

TEST_CASE("pool_mix 0 trains exactly the plain model, and a pool changes the weights") {
  const auto data = testing::tiny_dataset();
  auto weights = [&](const std::string& with) {
    const auto out =
        testing::run_node("softmax", "{epochs: 3, batch: 8" + with + "}", {{"data", data}}, 5);
    return testing::classifier_of(out).state();
  };
  const auto plain = weights("");
  const auto unused = weights(", pool_mix: 0, pool_size: 7, adversarial: {plugin: szegedy}");
  const auto pooled = weights(", pool_mix: 0.3, pool_size: 7, pool_every: 2");
  for (const auto& [name, tensor] : plain) {
    CAPTURE(name);
    CHECK(torch::equal(tensor, unused.at(name)));
    CHECK_FALSE(torch::equal(tensor, pooled.at(name)));
  }
}

TEST_CASE("training with an FGSM pool makes the model harder to fool by FGSM") {
  // 1,000 MNIST digits to train on, 500 to attack.
  const auto data =
      testing::run_node("dataset", "{source: mnist, train: 1000, test: 500}", {}).find("data");
  // The smallest FGSM step that fools each correctly classified test digit (bisection up to 1),
  // averaged.
  auto smallest_step = [&](const std::string& with) {
    const auto out =
        testing::run_node("softmax", "{epochs: 10, batch: 50" + with + "}", {{"data", data}}, 2);
    const auto set = testing::run_attack("fgsm", "{epsilon: 1, search: true, search_steps: 20}",
                                         {{"model", out.find("model")}, {"data", data}});
    const at::Tensor attacked = set.original_prediction.eq(set.labels);
    return set.extra.at("epsilon_linf").index({attacked}).mean().item<double>();
  };
  const double plain = smallest_step("");
  const double pooled = smallest_step(
      ", adversarial: {plugin: fgsm, epsilon: 0.1}, pool_mix: 0.5, pool_size: 200, pool_every: 5, "
      "pool_replace: 0.5");
  MESSAGE("mean smallest FGSM step: plain " << plain << ", trained with the pool " << pooled);
  CHECK(pooled > 1.2 * plain);  // 0.078 and 0.112 when written
}

TEST_CASE("an attack that needs more than a model and data fails with one line naming it") {
  const std::string message = testing::error_of([] {
    testing::run_node("softmax",
                      "{epochs: 1, batch: 8, adversarial: {plugin: amplify}, pool_mix: 0.5, "
                      "pool_every: 1}",
                      {{"data", testing::tiny_dataset()}});
  });
  CAPTURE(message);
  CHECK(message.find("adversarial pool, attack 'amplify'") != std::string::npos);
  CHECK(message.find("input 'set' is not connected") != std::string::npos);
  CHECK(message.find('\n') == std::string::npos);
}
