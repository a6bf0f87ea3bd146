// compare_updates (analysis.hpp): the stochastic coincidence update (eq. 10) against the rate update
// (eq. 9) on the spikes of fixed weights.
//  - exact where the two must agree (T = 1), independent of the update mode the weights were trained in;
//  - unbiased within the counting statistics when the input trains are stationary (flat profile);
//  - biased low with the front-loaded profile on a trained network: input spikes come early, the
//    gradient spikes late, so fewer of them coincide than the rate product n_x n_d / T assumes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "ssnn/analysis.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/network.hpp"
#include "ssnn/trainer.hpp"
#include "test_support.hpp"

using namespace ssnn;

namespace {

// A small network, 784-32-10, with every value that matters for the spikes stated explicitly.
ModelConfig small_config(int timesteps, uint64_t seed) {
  return test_support::explicit_config({32}, timesteps, UpdateMode::kStochastic, seed);
}

// One pass of the chip's per-step stochastic training over the first `samples` subset images.
std::vector<WeightMatrix> trained_weights(const ModelConfig& cfg, size_t samples) {
  const Dataset train = load_named_dataset("subset", "train", "", samples);
  GoldenModel model(cfg);
  test_support::train_one_epoch(model, train);
  return model.weights();
}

double pooled_ratio(const UpdateAgreementLayer& a) {
  return static_cast<double>(a.coincidences_pos + a.coincidences_neg) / (a.rate_pos + a.rate_neg);
}

void expect_same(const UpdateAgreement& a, const UpdateAgreement& b) {
  EXPECT_EQ(a.samples, b.samples);
  EXPECT_EQ(a.correct, b.correct);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t l = 0; l < a.layers.size(); ++l) {
    SCOPED_TRACE("layer " + std::to_string(l));
    const UpdateAgreementLayer& x = a.layers[l];
    const UpdateAgreementLayer& y = b.layers[l];
    EXPECT_EQ(x.coincidences_pos, y.coincidences_pos);
    EXPECT_EQ(x.coincidences_neg, y.coincidences_neg);
    EXPECT_EQ(x.rate_pos, y.rate_pos);
    EXPECT_EQ(x.rate_neg, y.rate_neg);
    EXPECT_EQ(x.mean_sample_cosine, y.mean_sample_cosine);
    EXPECT_EQ(x.summed_cosine, y.summed_cosine);
    EXPECT_EQ(x.slope, y.slope);
    EXPECT_EQ(x.samples, y.samples);
  }
}

}  // namespace

TEST(UpdateAgreement, OneTimestepIsExact) {
  // With T = 1 a coincidence is n_x n_pos exactly, and n_x n_pos / T is the same number: C = R.
  const ModelConfig cfg = small_config(1, 1);
  const Dataset train = load_named_dataset("subset", "train");
  const UpdateAgreement r = compare_updates(cfg, initial_weights(cfg), train, 0);
  EXPECT_EQ(r.samples, train.size());
  ASSERT_EQ(r.layers.size(), 2u);
  for (size_t l = 0; l < 2; ++l) {
    SCOPED_TRACE("layer " + std::to_string(l));
    const UpdateAgreementLayer& a = r.layers[l];
    ASSERT_GT(a.coincidences_pos, 0u) << "some gradient spikes even in one step";
    ASSERT_GT(a.samples, 0u);
    EXPECT_EQ(static_cast<double>(a.coincidences_pos), a.rate_pos);
    EXPECT_EQ(static_cast<double>(a.coincidences_neg), a.rate_neg);
    EXPECT_DOUBLE_EQ(a.ratio_pos, 1.0);
    EXPECT_NEAR(a.mean_sample_cosine, 1.0, 1e-12);
    EXPECT_NEAR(a.summed_cosine, 1.0, 1e-12);
    EXPECT_NEAR(a.norm_ratio, 1.0, 1e-12);
    EXPECT_NEAR(a.slope, 1.0, 1e-12);
  }
}

TEST(UpdateAgreement, IgnoresTheUpdateModeAndIsDeterministic) {
  ModelConfig cfg = small_config(20, 2);
  const std::vector<WeightMatrix> w = initial_weights(cfg);
  const Dataset train = load_named_dataset("subset", "train", "", 60);
  const UpdateAgreement stochastic = compare_updates(cfg, w, train, 60);
  EXPECT_EQ(stochastic.samples, 60u);
  EXPECT_LE(stochastic.correct, 60u);
  ASSERT_EQ(stochastic.layers.size(), 2u);
  EXPECT_EQ(stochastic.layers[0].rows, 784);
  EXPECT_EQ(stochastic.layers[0].cols, 32);
  EXPECT_EQ(stochastic.layers[1].rows, 32);
  EXPECT_EQ(stochastic.layers[1].cols, 10);
  expect_same(stochastic, compare_updates(cfg, w, train, 0));  // 0: all 60
  cfg.update_mode = UpdateMode::kRate;
  expect_same(stochastic, compare_updates(cfg, w, train, 60));
  cfg.update_mode = UpdateMode::kStochasticSample;
  expect_same(stochastic, compare_updates(cfg, w, train, 60));
  // Fewer samples: a prefix of the same per-sample sums (the weights do not move between samples).
  const UpdateAgreement fewer = compare_updates(cfg, w, train, 30);
  EXPECT_EQ(fewer.samples, 30u);
  EXPECT_LT(fewer.layers[0].coincidences_pos, stochastic.layers[0].coincidences_pos);
  EXPECT_LT(fewer.layers[0].rate_pos, stochastic.layers[0].rate_pos);
}

TEST(UpdateAgreement, RefusesWeightsOrDataThatDoNotFit) {
  const ModelConfig cfg = small_config(10, 1);
  const Dataset train = load_named_dataset("subset", "train", "", 10);
  std::vector<WeightMatrix> w = initial_weights(cfg);
  std::vector<WeightMatrix> one_layer(w.begin(), w.begin() + 1);
  EXPECT_THROW(compare_updates(cfg, one_layer, train, 10), std::invalid_argument);
  std::vector<WeightMatrix> narrow = w;
  narrow[1] = WeightMatrix(31, 10);
  EXPECT_THROW(compare_updates(cfg, narrow, train, 10), std::invalid_argument);
  Dataset small_images = train;
  small_images.rows = small_images.cols = 14;
  EXPECT_THROW(compare_updates(cfg, w, small_images, 10), std::invalid_argument);
  Dataset many_classes = train;
  many_classes.num_classes = 12;
  EXPECT_THROW(compare_updates(cfg, w, many_classes, 10), std::invalid_argument);
}

TEST(UpdateAgreement, FlatInputsAreUnbiased) {
  // With the flat profile a pixel's spikes are i.i.d. over the steps of a sample, so a coincidence
  // count has the rate product as its expectation.  Each coincidence is a rare, nearly independent
  // event (a pixel spikes with probability <= 0.4, independently of the gradient spikes of that step
  // but for a weak within-step dependence), so the count's standard deviation is at most Poisson,
  // sqrt(count): |ratio - 1| < 4 / sqrt(count) is a 4-standard-deviation bound.  (At these settings,
  // 12 seeds x He-initialised and trained weights stayed within 2 / sqrt(count).)  "Trained" is one
  // pass of per-step stochastic training with front-loaded inputs; only the analysis runs flat.
  for (uint64_t seed : {1u, 2u, 3u}) {
    ModelConfig cfg = small_config(30, seed);
    const std::vector<WeightMatrix> he = initial_weights(cfg);
    const std::vector<WeightMatrix> trained = trained_weights(cfg, 300);
    cfg.input_profile = InputProfile::kFlat;
    const Dataset train = load_named_dataset("subset", "train", "", 300);
    for (const auto* w : {&he, &trained}) {
      SCOPED_TRACE(std::string(w == &he ? "He-initialised" : "trained") + ", seed " + std::to_string(seed));
      const UpdateAgreementLayer a = compare_updates(cfg, *w, train, 300).layers[0];
      ASSERT_GT(a.coincidences_pos, 100000u) << "enough coincidences for a tight bound";
      ASSERT_GT(a.coincidences_neg, 100000u);
      EXPECT_LT(std::abs(a.ratio_pos - 1), 4 / std::sqrt(static_cast<double>(a.coincidences_pos))) << a.ratio_pos;
      EXPECT_LT(std::abs(a.ratio_neg - 1), 4 / std::sqrt(static_cast<double>(a.coincidences_neg))) << a.ratio_neg;
      std::printf("flat, %s, seed %llu: input layer ratio pos %.4f (%llu) neg %.4f (%llu), summed cosine %.3f, "
                  "slope %.3f\n",
                  w == &he ? "He init" : "trained", static_cast<unsigned long long>(seed), a.ratio_pos,
                  static_cast<unsigned long long>(a.coincidences_pos), a.ratio_neg,
                  static_cast<unsigned long long>(a.coincidences_neg), a.summed_cosine, a.slope);
    }
  }
}

TEST(UpdateAgreement, FrontLoadedInputsUndercountCoincidencesOnATrainedNetwork) {
  // The same trained weights and samples, front-loaded against flat inputs.  What holds on every one
  // of 12 seeds checked (front-loaded: pooled ratio 0.74-0.80, negative ratio 0.61-0.70, slope
  // 0.39-0.69; flat: all within 0.003 of 1): the front-loaded coincidences fall short of the rate
  // products, most of all for the negative (depressing) updates, far beyond the counting noise, and
  // the coincidence update is a shrunk copy of the rate update (slope < 1).  The positive ratio alone
  // is not asserted: on one seed in 12 it was 1.00.
  for (uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const ModelConfig front = small_config(30, seed);
    const std::vector<WeightMatrix> w = trained_weights(front, 300);
    ModelConfig flat = front;
    flat.input_profile = InputProfile::kFlat;
    const Dataset train = load_named_dataset("subset", "train", "", 300);
    const UpdateAgreementLayer f = compare_updates(front, w, train, 300).layers[0];
    const UpdateAgreementLayer u = compare_updates(flat, w, train, 300).layers[0];
    const double count = static_cast<double>(f.coincidences_pos + f.coincidences_neg);
    EXPECT_LT(pooled_ratio(f), pooled_ratio(u) - 0.1) << "front " << pooled_ratio(f) << " flat " << pooled_ratio(u);
    EXPECT_GT(pooled_ratio(u) - pooled_ratio(f), 20 / std::sqrt(count)) << "a bias, not counting noise";
    EXPECT_LT(f.ratio_neg, u.ratio_neg - 0.2) << "front " << f.ratio_neg << " flat " << u.ratio_neg;
    EXPECT_LT(f.slope, u.slope - 0.2) << "front " << f.slope << " flat " << u.slope;
    std::printf("seed %llu, input layer, front-loaded vs flat: pooled ratio %.3f vs %.3f, neg %.3f vs %.3f, "
                "slope %.3f vs %.3f, summed cosine %.3f vs %.3f\n",
                static_cast<unsigned long long>(seed), pooled_ratio(f), pooled_ratio(u), f.ratio_neg, u.ratio_neg,
                f.slope, u.slope, f.summed_cosine, u.summed_cosine);
  }
}
