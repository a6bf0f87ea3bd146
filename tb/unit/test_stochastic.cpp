// The paper's characterisation figures as tests (analysis.hpp):
//  - figure 4: stochastic multiplication with the chip's LFSR trains is unbiased and its error std
//    falls as 1/sqrt(T);
//  - figure 5: WTA lateral inhibition concentrates the output spike distribution on the top output.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "ssnn/analysis.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/network.hpp"
#include "ssnn/trainer.hpp"
#include "test_support.hpp"

using namespace ssnn;

// ------------------------------------------------------------------------------ figure 4

TEST(StochasticMult, GridIsThePapers) {
  const std::vector<double> g = product_grid(0.02);
  ASSERT_EQ(g.size(), 50u);
  EXPECT_DOUBLE_EQ(g.front(), 0.0);
  EXPECT_NEAR(g.back(), 0.98, 1e-12);
  const StochasticMultResult r = stochastic_mult_errors(10, 1);
  EXPECT_EQ(r.error.size(), 2500u);
  EXPECT_EQ(r.stats.n, 2500u);
}

TEST(StochasticMult, ErrorsAreBoundedAndExactForZeroOperands) {
  const StochasticMultResult r = stochastic_mult_errors(100, 3);
  for (size_t k = 0; k < r.error.size(); ++k) {
    const double p = r.a[k] * r.b[k];
    ASSERT_GE(r.error[k], -p - 1e-12);
    ASSERT_LE(r.error[k], 1 - p + 1e-12);
    // The estimate is a count over T.
    const double count = (r.error[k] + p) * 100;
    ASSERT_NEAR(count, std::round(count), 1e-9);
    if (r.a[k] == 0 || r.b[k] == 0) {
      ASSERT_EQ(r.error[k], 0.0) << "a zero train never coincides";
    }
  }
}

TEST(StochasticMult, DeterministicPerSeed) {
  const StochasticMultResult a = stochastic_mult_errors(50, 7);
  const StochasticMultResult b = stochastic_mult_errors(50, 7);
  const StochasticMultResult c = stochastic_mult_errors(50, 8);
  EXPECT_EQ(a.error, b.error);
  EXPECT_NE(a.error, c.error);
}

TEST(StochasticMult, UnbiasedAndStdFallsAsOneOverSqrtT) {
  const std::vector<int> Ts{50, 100, 200, 500, 1000};
  for (uint64_t seed : {1ull, 2ull, 3ull}) {
    std::vector<double> scaled;
    for (int T : Ts) {
      const StochasticMultResult r = stochastic_mult_errors(T, seed);
      // Zero mean: within 4 standard errors (plus the Q0.16 rounding of the operands, < 1e-5).
      EXPECT_NEAR(r.stats.mean, 0.0, 4 * r.stats.std / std::sqrt(static_cast<double>(r.stats.n)) + 1e-5)
          << "T=" << T << " seed " << seed;
      const double s = r.stats.std * std::sqrt(static_cast<double>(T));
      scaled.push_back(s);
      // Against the binomial prediction sqrt(mean p(1-p) / T) over the grid (about 0.368 / sqrt(T)).
      const double ideal = stochastic_mult_ideal_std(T) * std::sqrt(static_cast<double>(T));
      EXPECT_NEAR(s, ideal, 0.10 * ideal) << "T=" << T << " seed " << seed;
    }
    // std * sqrt(T) is constant: the spread over T is within 12 % of its mean.
    const double lo = *std::min_element(scaled.begin(), scaled.end());
    const double hi = *std::max_element(scaled.begin(), scaled.end());
    const double mean = std::accumulate(scaled.begin(), scaled.end(), 0.0) / static_cast<double>(scaled.size());
    EXPECT_LT((hi - lo) / mean, 0.12) << "seed " << seed;
  }
  EXPECT_NEAR(stochastic_mult_ideal_std(1), 0.368, 0.001);
}

TEST(StochasticMult, TrainsAreIndependent) {
  // Were a and b drawn from one train, the AND would estimate min(a, b), not a b: a strong positive bias.
  // Check the pairs with a = b, where that bias is largest (a - a^2, up to 0.25).
  const StochasticMultResult r = stochastic_mult_errors(1000, 5);
  std::vector<double> diag;
  for (size_t k = 0; k < r.error.size(); ++k)
    if (r.a[k] == r.b[k]) diag.push_back(r.error[k]);
  const SampleStats s = sample_stats(diag);
  EXPECT_EQ(s.n, 50u);
  EXPECT_NEAR(s.mean, 0.0, 4 * s.std / std::sqrt(50.0) + 1e-5);
}

TEST(SampleStats, KnownValues) {
  const SampleStats s = sample_stats({1, 2, 3, 4});
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_DOUBLE_EQ(s.std, std::sqrt(1.25));
  EXPECT_EQ(sample_stats({}).n, 0u);
}

// ------------------------------------------------------------------------------ figure 5

TEST(OutputDistribution, SortedCountsKnownValues) {
  const std::vector<std::vector<int32_t>> counts{{3, 1, 0}, {0, 0, 0}, {0, 2, 2}};
  const SortedDistribution d = sorted_count_distribution(counts);
  EXPECT_EQ(d.samples, 2u);
  EXPECT_EQ(d.silent, 1u);
  ASSERT_EQ(d.mean.size(), 3u);
  EXPECT_DOUBLE_EQ(d.mean[0], 0.625);
  EXPECT_DOUBLE_EQ(d.mean[1], 0.375);
  EXPECT_DOUBLE_EQ(d.mean[2], 0.0);
  EXPECT_DOUBLE_EQ(d.top1, 0.625);
  const double h1 = -(0.75 * std::log2(0.75) + 0.25 * std::log2(0.25));
  EXPECT_NEAR(d.entropy_bits, (h1 + 1.0) / 2, 1e-12);
}

TEST(OutputDistribution, SoftmaxKnownValues) {
  // logit = 5 * count / T: counts {10, 0} at T = 10 give logits {5, 0}.
  const SortedDistribution d = sorted_softmax_distribution({{0, 10}}, 10, 5.0);
  ASSERT_EQ(d.mean.size(), 2u);
  EXPECT_NEAR(d.mean[0], std::exp(5.0) / (std::exp(5.0) + 1), 1e-12);
  EXPECT_NEAR(d.mean[0] + d.mean[1], 1.0, 1e-12);
  // A silent sample is uniform under softmax (it is not left out).
  const SortedDistribution u = sorted_softmax_distribution({{0, 0, 0, 0}}, 10, 5.0);
  EXPECT_EQ(u.silent, 0u);
  EXPECT_NEAR(u.top1, 0.25, 1e-12);
  EXPECT_NEAR(u.entropy_bits, 2.0, 1e-12);
}

namespace {

// A small network, 784-64-10, with every value that matters for learning stated explicitly.
ModelConfig small_config() { return test_support::explicit_config({64}, 20, UpdateMode::kStochastic, 5); }

}  // namespace

TEST(OutputDistribution, CountsDoNotDependOnThreads) {
  const Dataset test = load_named_dataset("subset", "test", "", 100);
  GoldenModel model(small_config());
  const OutputRecords a = output_counts(model, test, 0, 1);
  const OutputRecords b = output_counts(model, test, 0, 2);
  EXPECT_EQ(a.counts, b.counts);
  EXPECT_EQ(a.prediction, b.prediction);
  ASSERT_EQ(a.counts.size(), 100u);
  // And they are what evaluate() scores.
  const EvalResult e = evaluate(model, test, 2, false);
  EXPECT_DOUBLE_EQ(a.accuracy, e.accuracy());
}

TEST(OutputDistribution, WtaSharpensTheOutputDistribution) {
  const ModelConfig cfg = small_config();
  const Dataset train = load_named_dataset("subset", "train");
  const Dataset test = load_named_dataset("subset", "test");
  GoldenModel model(cfg);
  test_support::train_one_epoch(model, train);

  // One thread: tests run in parallel under CTest (thread independence is tested above).
  const WtaComparison r = compare_wta(cfg, model.weights(), test, 500, 1);
  for (const SortedDistribution* d : {&r.raw, &r.wta, &r.softmax}) {
    ASSERT_EQ(d->mean.size(), 10u);
    EXPECT_NEAR(std::accumulate(d->mean.begin(), d->mean.end(), 0.0), 1.0, 1e-9);
    EXPECT_TRUE(std::is_sorted(d->mean.rbegin(), d->mean.rend())) << "sorted in descending order";
    EXPECT_GT(d->samples, 400u) << "most test samples make the outputs spike";
  }
  // The trained network answers (well above chance) in both modes: the comparison is meaningful.
  EXPECT_GT(r.raw_accuracy, 0.4);
  EXPECT_GT(r.wta_accuracy, 0.4);
  // Figure 5: WTA concentrates the output activity on the top output.
  EXPECT_GT(r.wta.top1, r.raw.top1 + 0.05) << "raw " << r.raw.top1 << " wta " << r.wta.top1;
  EXPECT_LT(r.wta.entropy_bits, r.raw.entropy_bits - 0.1) << "raw " << r.raw.entropy_bits << " wta " << r.wta.entropy_bits;
  EXPECT_LT(r.wta.mean[1], r.raw.mean[1]) << "the runner-up is muted";
  std::printf("top-1 share: raw %.3f  wta %.3f  softmax %.3f;  entropy bits: raw %.3f  wta %.3f  softmax %.3f; "
              "accuracy raw %.3f wta %.3f\n",
              r.raw.top1, r.wta.top1, r.softmax.top1, r.raw.entropy_bits, r.wta.entropy_bits, r.softmax.entropy_bits,
              r.raw_accuracy, r.wta_accuracy);
}
