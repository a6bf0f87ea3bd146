// Training as a whole: determinism, resume equivalence, thread independence, learning on the shipped
// subset and initial weights.  The checkpoint file's tests are in test_checkpoint_file.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "ssnn/analysis.hpp"
#include "ssnn/augment.hpp"
#include "ssnn/checkpoint.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/network.hpp"
#include "ssnn/trainer.hpp"
#include "test_files.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace ssnn;
using namespace ssnn::test_support;

// ------------------------------------------------------------------------------ determinism

class Determinism : public ::testing::TestWithParam<UpdateMode> {};

TEST_P(Determinism, SameSeedSameWeightsAndPredictions) {
  ModelConfig cfg = train_config({32}, 12, GetParam(), 11);
  cfg.dropout_input = 0.2;
  cfg.dropout_hidden = 0.3;
  const Dataset data = first(subset_train(), 300);
  const Dataset test = first(subset_test(), 200);
  GoldenModel a(cfg), b(cfg);
  Trainer(a, data, nullptr, quiet(1)).run();
  Trainer(b, data, nullptr, quiet(1)).run();
  EXPECT_TRUE(a.weights() == b.weights());
  EXPECT_FALSE(a.weights() == initial_weights(cfg)) << "training moved the weights";
  const OutputRecords pa = output_counts(a, test, 0, 1);
  const OutputRecords pb = output_counts(b, test, 0, 1);
  EXPECT_EQ(pa.prediction, pb.prediction);
  EXPECT_EQ(pa.counts, pb.counts);

  ModelConfig other = cfg;
  other.seed = 12;
  EXPECT_FALSE(initial_weights(other) == initial_weights(cfg));
  GoldenModel c(other);
  Trainer(c, data, nullptr, quiet(1)).run();
  EXPECT_FALSE(c.weights() == a.weights());
  EXPECT_NE(output_counts(c, test, 0, 1).counts, pa.counts);
}

TEST_P(Determinism, SameInitialWeightsDifferentTrainingSeedDiffers) {
  // The seed also drives the encoders and the shuffle, not only the initial weights.
  const ModelConfig cfg = train_config({16}, 10, GetParam(), 21);
  ModelConfig other = cfg;
  other.seed = 22;
  const Dataset data = first(subset_train(), 100);
  GoldenModel a(cfg), b(other);
  b.weights() = a.weights();
  Trainer(a, data, nullptr, quiet(1)).run();
  Trainer(b, data, nullptr, quiet(1)).run();
  EXPECT_FALSE(a.weights() == b.weights());
}

INSTANTIATE_TEST_SUITE_P(Modes, Determinism,
                         ::testing::Values(UpdateMode::kStochastic, UpdateMode::kRate, UpdateMode::kNoise),
                         [](const auto& info) { return std::string(to_string(info.param)); });

// The surrogate gate lets neurons driven close to threshold pass gradient: more hidden gradient
// spikes and other weights than the paper's gate; 1.0 is the paper's gate exactly.
TEST(SurrogateGate, PassesMoreHiddenGradientThanThePapersGate) {
  const Dataset data = first(subset_train(), 200);
  auto run = [&](double fraction) {
    ModelConfig c = train_config({32}, 20, UpdateMode::kStochastic, 5);
    c.gate_fraction = fraction;
    GoldenModel m(c);
    Trainer t(m, data, nullptr, quiet(1));
    const nlohmann::json activity = t.run()[0].at("train_activity");
    const double hidden_gradient = activity.at("grad_pos_spikes_per_sample")[1].get<double>() +
                                   activity.at("grad_neg_spikes_per_sample")[1].get<double>();
    return std::make_pair(hidden_gradient, m.weights());
  };
  const auto paper = run(1.0);
  const auto surrogate = run(0.5);
  EXPECT_GT(surrogate.first, paper.first * 1.1);
  EXPECT_NE(surrogate.second[0].values, paper.second[0].values);
}

// Hidden membranes starting at half their threshold round the spike count to nearest instead of
// down: from the same weights and inputs, more hidden forward (and gradient) spikes.
TEST(StartPotential, HalfThresholdStartAddsHiddenSpikes) {
  const Dataset data = first(subset_train(), 20);
  auto hidden_spikes = [&](double forward_start, double gradient_start) {
    // Rate updates land after the sample: its spikes see the initial weights throughout.
    ModelConfig c = train_config({32}, 20, UpdateMode::kRate, 5);
    c.forward_start = forward_start;
    c.gradient_start = gradient_start;
    std::pair<uint64_t, uint64_t> sum{0, 0};
    for (size_t i = 0; i < data.size(); ++i) {
      GoldenModel m(c);  // the same initial weights for every sample and every start
      Workspace ws(m.config());
      SampleSpec spec{Phase::kTrain, 0, i, true};
      m.run_sample(ws, data.image(i), data.label(i), spec);
      sum.first += ws.counters.forward_spikes[1];
      sum.second += ws.counters.pos_spikes[1] + ws.counters.neg_spikes[1];
    }
    return sum;
  };
  const auto paper = hidden_spikes(0, 0);
  const auto forward = hidden_spikes(0.5, 0);
  const auto gradient = hidden_spikes(0, 0.5);
  EXPECT_GT(forward.first, paper.first + paper.first / 10);
  EXPECT_GT(gradient.second, paper.second + paper.second / 50);  // measured: +4 %
  EXPECT_EQ(gradient.first, paper.first);  // the gradient start leaves the forward pass alone
}

TEST(EpochOrder, IsASeededPermutation) {
  const std::vector<uint32_t> a = epoch_order(1, 0, 1000);
  std::vector<uint32_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (uint32_t i = 0; i < 1000; ++i) ASSERT_EQ(sorted[i], i);
  EXPECT_EQ(a, epoch_order(1, 0, 1000));
  EXPECT_NE(a, epoch_order(1, 1, 1000));
  EXPECT_NE(a, epoch_order(2, 0, 1000));
  EXPECT_TRUE(epoch_order(1, 0, 0).empty());
}

// ------------------------------------------------------------------------------ initial weights

TEST(InitialWeights, HeUniformWithinTheBound) {
  ModelConfig cfg = train_config({200}, 10, UpdateMode::kStochastic, 3);
  const std::vector<WeightMatrix> w = initial_weights(cfg);
  ASSERT_EQ(w.size(), 2u);
  for (int l = 0; l < 2; ++l) {
    const WeightMatrix& m = w[static_cast<size_t>(l)];
    ASSERT_EQ(m.rows, cfg.layer_size(l));
    ASSERT_EQ(m.cols, cfg.layer_size(l + 1));
    const int32_t theta_post = l == 1 ? cfg.theta_out : cfg.theta;
    const double bound = std::sqrt(6.0 / m.rows) * theta_post;
    double sum = 0, sq = 0;
    int32_t lo = 0, hi = 0;
    for (int32_t v : m.values) {
      ASSERT_LE(std::abs(v), std::lround(bound));
      sum += v;
      sq += static_cast<double>(v) * v;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    const double n = static_cast<double>(m.values.size());
    const double std_expect = bound / std::sqrt(3.0);  // uniform on [-b, b]
    EXPECT_NEAR(sum / n, 0.0, 4 * std_expect / std::sqrt(n)) << "layer " << l;
    EXPECT_NEAR(std::sqrt(sq / n), std_expect, 0.05 * std_expect) << "layer " << l;
    EXPECT_LT(lo, -0.95 * bound);
    EXPECT_GT(hi, 0.95 * bound);
  }
  // init_gain scales the bound.
  cfg.init_gain = 0.5;
  const std::vector<WeightMatrix> half = initial_weights(cfg);
  for (int32_t v : half[0].values) ASSERT_LE(std::abs(v), std::lround(0.5 * std::sqrt(6.0 / 784) * 1024));
}

// ------------------------------------------------------------------------------ resume equivalence

struct ResumeCase {
  UpdateMode mode;
  uint64_t stop_after;   // samples before the interruption
  uint64_t every;        // periodic checkpoints (0: none)
  double dropout;
  const char* name;
  bool augment = false;  // mirrored and shifted training images
};
// Stable, readable test names in CTest (the default printer dumps the bytes, pointer included).
void PrintTo(const ResumeCase& c, std::ostream* os) { *os << c.name; }

class Resume : public TempDir, public ::testing::WithParamInterface<ResumeCase> {};

TEST_P(Resume, EndsIdenticalToAnUninterruptedRun) {
  const ResumeCase rc = GetParam();
  ModelConfig cfg = train_config({24}, 10, rc.mode, 31);
  cfg.dropout_input = rc.dropout;
  cfg.dropout_hidden = rc.dropout;
  cfg.augment_flip = rc.augment;
  cfg.augment_shift = rc.augment ? 2 : 0;
  const Dataset data = first(subset_train(), 200);
  const Dataset test = first(subset_test(), 100);
  TrainOptions opt = quiet(3);
  opt.evaluate_each_epoch = true;

  GoldenModel full(cfg);
  Trainer straight(full, data, &test, opt);
  const nlohmann::json h_full = straight.run();
  EXPECT_FALSE(straight.stopped_early());

  // Interrupted: stop, then continue in a fresh model and trainer from the checkpoint file (twice when
  // the stop point allows, to resume a resumed run).
  const std::string ckpt = path("run.ckpt");
  opt.checkpoint_path = ckpt;
  opt.checkpoint_every = rc.every;
  opt.stop_after = rc.stop_after;
  {
    GoldenModel m(cfg);
    Trainer t(m, data, &test, opt);
    t.run();
    ASSERT_TRUE(t.stopped_early());
    ASSERT_TRUE(fs::exists(ckpt));
    for (const auto& e : fs::directory_iterator(fs::path(ckpt).parent_path()))
      EXPECT_NE(e.path().filename().string().rfind(fs::path(ckpt).filename().string() + ".tmp", 0), 0u)
          << "atomic write leaves no temporary file: " << e.path();
    const Checkpoint c = load_checkpoint(ckpt);
    EXPECT_EQ(static_cast<uint64_t>(c.epoch) * data.size() + c.position, rc.stop_after);
    EXPECT_TRUE(c.weights == m.weights());
  }
  {
    GoldenModel m(cfg);
    Trainer t(m, data, &test, opt);  // stops once more after stop_after further samples
    t.resume_from(load_checkpoint(ckpt));
    t.run();
  }
  GoldenModel resumed(cfg);
  opt.stop_after = 0;
  Trainer t(resumed, data, &test, opt);
  t.resume_from(load_checkpoint(ckpt));
  const nlohmann::json h_resumed = t.run();
  EXPECT_FALSE(t.stopped_early());

  EXPECT_TRUE(resumed.weights() == full.weights()) << "weights differ from the uninterrupted run";
  ASSERT_EQ(h_resumed.size(), h_full.size());
  for (size_t e = 0; e < h_full.size(); ++e) {
    EXPECT_EQ(h_resumed[e].at("train_accuracy"), h_full[e].at("train_accuracy")) << "epoch " << e;
    EXPECT_EQ(h_resumed[e].at("test_accuracy"), h_full[e].at("test_accuracy")) << "epoch " << e;
  }
  // The final checkpoint is at the end of the last epoch.
  const Checkpoint last = load_checkpoint(ckpt);
  EXPECT_EQ(last.epoch, 3);
  EXPECT_EQ(last.position, 0u);
  EXPECT_TRUE(last.weights == full.weights());
}

INSTANTIATE_TEST_SUITE_P(
    Points, Resume,
    ::testing::Values(ResumeCase{UpdateMode::kStochastic, 130, 0, 0.0, "StochasticMidEpoch"},
                      ResumeCase{UpdateMode::kStochastic, 200, 0, 0.0, "StochasticEpochBoundary"},
                      ResumeCase{UpdateMode::kStochastic, 77, 50, 0.2, "StochasticDropoutPeriodic"},
                      ResumeCase{UpdateMode::kStochastic, 330, 40, 0.1, "StochasticAugmentedSecondEpoch", true},
                      ResumeCase{UpdateMode::kRate, 130, 0, 0.0, "RateMidEpoch"},
                      ResumeCase{UpdateMode::kRate, 200, 0, 0.0, "RateEpochBoundary"},
                      ResumeCase{UpdateMode::kNoise, 251, 0, 0.2, "NoiseSecondEpoch"}),
    [](const auto& info) { return std::string(info.param.name); });

// ------------------------------------------------------------------------------ augmentation

TEST(Augmentation, TrainerPresentsTheDrawnTransformAndEvaluationNone) {
  ModelConfig cfg = train_config({24}, 10, UpdateMode::kStochastic, 5);
  cfg.augment_flip = true;
  cfg.augment_shift = 2;
  const Dataset data = first(subset_train(), 80);
  const Dataset test = first(subset_test(), 100);
  GoldenModel trained(cfg);
  Trainer(trained, data, nullptr, quiet(2)).run();

  // The same two epochs by hand: the epoch order, each position's draw applied to its image.
  GoldenModel by_hand(cfg);
  Workspace ws(cfg);
  std::vector<uint8_t> image(data.pixels_per_image());
  int transformed = 0;
  for (int epoch = 0; epoch < 2; ++epoch) {
    const std::vector<uint32_t> order = epoch_order(cfg.seed, epoch, data.size());
    for (uint64_t pos = 0; pos < data.size(); ++pos) {
      const AugmentDraw d = augment_draw(cfg, static_cast<uint64_t>(epoch), pos);
      transformed += !d.identity();
      augment_image(d, data.image(order[pos]), data.rows, data.cols, image.data());
      by_hand.run_sample(ws, image.data(), data.label(order[pos]),
                         SampleSpec{Phase::kTrain, static_cast<uint64_t>(epoch), pos, true});
    }
  }
  EXPECT_GT(transformed, 140) << "flip or a nonzero shift: all but 1/50 of the draws";
  EXPECT_TRUE(trained.weights() == by_hand.weights());

  ModelConfig plain_cfg = cfg;
  plain_cfg.augment_flip = false;
  plain_cfg.augment_shift = 0;
  GoldenModel plain(plain_cfg);
  Trainer(plain, data, nullptr, quiet(2)).run();
  EXPECT_FALSE(plain.weights() == trained.weights()) << "augmentation must change what is learned";

  // Inference never augments: the trained weights score the same under either configuration.
  GoldenModel same_weights(plain_cfg);
  same_weights.weights() = trained.weights();
  const EvalResult a = evaluate(trained, test, 1, false), b = evaluate(same_weights, test, 1, false);
  EXPECT_EQ(a.correct, b.correct);
  EXPECT_EQ(a.confusion, b.confusion);
}

// ------------------------------------------------------------------------------ threads

TEST(Evaluate, ResultDoesNotDependOnThreadCount) {
  const ModelConfig cfg = train_config({48}, 12, UpdateMode::kStochastic, 41);
  GoldenModel model(cfg);
  Trainer(model, first(subset_train(), 200), nullptr, quiet(1)).run();
  const Dataset test = first(subset_test(), 300);
  const EvalResult one = evaluate(model, test, 1, false);
  const EvalResult two = evaluate(model, test, 2, false);
  EXPECT_EQ(one.total, 300u);
  EXPECT_EQ(one.correct, two.correct);
  EXPECT_EQ(one.confusion, two.confusion);
  EXPECT_EQ(one.counters.forward_spikes, two.counters.forward_spikes);
  EXPECT_EQ(one.counters.synaptic_reads, two.counters.synaptic_reads);
  EXPECT_GT(one.counters.forward_spikes[0], 0u);
  size_t sum = 0;
  for (const auto& row : one.confusion)
    for (uint32_t v : row) sum += v;
  EXPECT_EQ(sum, 300u);
  // Inference does not touch the weights.
  const std::vector<WeightMatrix> before = model.weights();
  evaluate(model, test, 2, false);
  EXPECT_TRUE(model.weights() == before);
}

TEST(TrainThreads, WeightsDoNotDependOnThreadsSharingASample) {
  // Hidden neurons split across threads within a sample: the result must be bit-identical, for one
  // and two hidden layers, both update modes, with dropout.  Kept small: the per-step barriers are
  // slow when the machine is oversubscribed (CTest runs tests in parallel).
  for (UpdateMode mode : {UpdateMode::kStochastic, UpdateMode::kRate}) {
    for (const std::vector<int>& hidden : {std::vector<int>{37}, std::vector<int>{29, 18}}) {
      ModelConfig cfg = train_config(hidden, 5, mode, 61);
      cfg.dropout_input = 0.2;
      cfg.dropout_hidden = 0.2;
      const Dataset data = first(subset_train(), 10);
      std::vector<std::vector<WeightMatrix>> results;
      std::vector<nlohmann::json> histories;
      for (int threads : {1, 2}) {
        GoldenModel model(cfg);
        TrainOptions opt = quiet(1);
        opt.train_threads = threads;
        Trainer t(model, data, nullptr, opt);
        histories.push_back(t.run());
        results.push_back(model.weights());
      }
      EXPECT_TRUE(results[0] == results[1]) << to_string(mode) << " hidden layers " << hidden.size();
      EXPECT_EQ(histories[0][0].at("train_accuracy"), histories[1][0].at("train_accuracy"));
      EXPECT_EQ(histories[0][0].at("train_activity"), histories[1][0].at("train_activity"));
      EXPECT_FALSE(results[0] == initial_weights(cfg));
    }
  }
}

// Weights of a register at most 16 bits wide are read and pulsed in a 16-bit working copy; wider ones
// in 32 bits.  The same network with 16- and 17-bit registers, its weights never near either bound,
// must train to identical weights and outputs, including after the weights were changed from outside
// between epochs (the next sample must see the change) and with pulses applied densely and sparsely.
TEST(WeightCopy, SixteenBitWorkingCopyTrainsAsThe32BitWeights) {
  for (UpdateMode mode : {UpdateMode::kStochastic, UpdateMode::kStochasticSample, UpdateMode::kRate}) {
    for (const std::vector<int>& hidden : {std::vector<int>{300}, std::vector<int>{40, 24}}) {
      ModelConfig narrow = train_config(hidden, 12, mode, 71);
      narrow.dropout_hidden = 0.2;
      ModelConfig wide = narrow;
      wide.weight_bits = 17;
      const Dataset data = first(subset_train(), 60);
      std::vector<std::vector<WeightMatrix>> weights;
      std::vector<OutputRecords> outputs;
      for (const ModelConfig& cfg : {narrow, wide}) {
        GoldenModel model(cfg);
        Trainer(model, data, nullptr, quiet(1)).run();
        // A change from outside between epochs: every fifth weight of the first layer moves.
        std::vector<int32_t>& w0 = model.weights()[0].values;
        for (size_t k = 0; k < w0.size(); k += 5) w0[k] = w0[k] / 2 + 3;
        Trainer(model, data, nullptr, quiet(1)).run();
        weights.push_back(model.weights());
        outputs.push_back(output_counts(model, first(subset_test(), 50), 0, 2));
      }
      const std::string what = std::string(to_string(mode)) + ", hidden layers " + std::to_string(hidden.size());
      for (const WeightMatrix& w : weights[1])
        for (int32_t v : w.values) ASSERT_LT(std::abs(v), 30000) << what << ": a weight came near the 16-bit bound";
      EXPECT_TRUE(weights[0] == weights[1]) << what;
      EXPECT_FALSE(weights[0] == initial_weights(narrow)) << what;
      EXPECT_EQ(outputs[0].counts, outputs[1].counts) << what;
    }
  }
}

// ------------------------------------------------------------------------------ learning

TEST(Learning, StochasticModeLearnsTheSubset) {
  // 784-100-10, T = 20, two epochs of stochastic coincidence updates on the 2,000 shipped images.
  // It reaches about 80-83 % over seeds 1-5 (chance: 10 %).
  const ModelConfig cfg = train_config({100}, 20, UpdateMode::kStochastic, 1);
  GoldenModel model(cfg);
  Trainer t(model, subset_train(), nullptr, quiet(2));
  const nlohmann::json h = t.run();
  ASSERT_EQ(h.size(), 2u);
  const EvalResult e = evaluate(model, subset_test(), 1, false);
  std::printf("stochastic 784-100-10 T=20, 2 epochs: train accuracy %.3f, %.3f; test accuracy %.3f\n",
              h[0].at("train_accuracy").get<double>(), h[1].at("train_accuracy").get<double>(), e.accuracy());
  EXPECT_GE(e.accuracy(), 0.70);
  EXPECT_GT(h[1].at("train_accuracy").get<double>(), h[0].at("train_accuracy").get<double>() - 0.02)
      << "the second epoch is not worse";
  EXPECT_GT(e.counters.forward_spikes[1], 0u);
}

TEST(Learning, RateModeLearnsTheSubset) {
  const ModelConfig cfg = train_config({100}, 20, UpdateMode::kRate, 1);
  GoldenModel model(cfg);
  Trainer(model, subset_train(), nullptr, quiet(2)).run();
  const EvalResult e = evaluate(model, subset_test(), 1, false);
  std::printf("rate 784-100-10 T=20, 2 epochs: test accuracy %.3f\n", e.accuracy());
  EXPECT_GE(e.accuracy(), 0.70);
}
