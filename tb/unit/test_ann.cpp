// ANN baseline (sw/ann/ann.hpp): backpropagation against finite differences, determinism,
// learning on the shipped subset, and the ann_baseline command line.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ann.hpp"
#include "ssnn/augment.hpp"
#include "ssnn/contract/seeding.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/process.hpp"
#include "ssnn/trainer.hpp"
#include "test_files.hpp"

namespace fs = std::filesystem;
using ssnn::ann::AnnConfig;
using ssnn::ann::Loss;
using ssnn::ann::Mlp;

namespace {

// One thread for the matrix products: the tests run beside others, where spinning OpenMP workers only lose.
const int kOneThread = (Eigen::setNbThreads(1), 1);

AnnConfig tiny_config(Loss loss, double dropout) {
  AnnConfig c;
  c.inputs = 6;
  c.hidden = {5, 4};
  c.classes = 3;
  c.loss = loss;
  c.dropout_input = dropout;
  c.dropout_hidden = dropout;
  c.seed = 7;
  return c;
}

// Central differences of the mean loss against the backpropagated gradient, every parameter.
void check_gradients(Loss loss, double dropout) {
  Mlp<double> net(tiny_config(loss, dropout));
  const int B = 4;
  Mlp<double>::Matrix x(6, B);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<double>(ssnn::splitmix64(100 + i) >> 11) * 0x1.0p-53;
  for (auto& b : net.biases())
    for (Eigen::Index i = 0; i < b.size(); ++i) b(i) = 0.1 * (static_cast<double>(ssnn::splitmix64(500 + i) >> 11) * 0x1.0p-53 - 0.3);
  const std::vector<uint8_t> labels{0, 2, 1, 2};
  const uint64_t key = 12345;
  std::vector<Mlp<double>::Matrix> gw;
  std::vector<Mlp<double>::Vector> gb;
  net.loss_and_gradients(x, labels, key, gw, gb);
  const double h = 1e-6;
  double worst = 0;
  size_t checked = 0;
  auto check = [&](double& param, double analytic) {
    const double keep = param;
    param = keep + h;
    const double up = net.loss(x, labels, key);
    param = keep - h;
    const double down = net.loss(x, labels, key);
    param = keep;
    const double numeric = (up - down) / (2 * h);
    worst = std::max(worst, std::abs(numeric - analytic) / std::max(1e-3, std::abs(numeric) + std::abs(analytic)));
    ++checked;
  };
  for (size_t l = 0; l < net.weights().size(); ++l) {
    for (Eigen::Index i = 0; i < net.weights()[l].size(); ++i) check(net.weights()[l].data()[i], gw[l].data()[i]);
    for (Eigen::Index i = 0; i < net.biases()[l].size(); ++i) check(net.biases()[l].data()[i], gb[l].data()[i]);
  }
  EXPECT_EQ(checked, size_t{(6 * 5 + 5) + (5 * 4 + 4) + (4 * 3 + 3)});
  EXPECT_LT(worst, 1e-6) << "loss " << ssnn::ann::to_string(loss) << ", dropout " << dropout;
}

const ssnn::Dataset& subset(const std::string& split) {
  static const ssnn::Dataset train = ssnn::load_named_dataset("subset", "train");
  static const ssnn::Dataset test = ssnn::load_named_dataset("subset", "test");
  return split == "train" ? train : test;
}

AnnConfig subset_config() {
  AnnConfig c;
  c.hidden = {64};
  c.epochs = 2;
  c.batch = 50;
  c.seed = 3;
  return c;
}

}  // namespace

TEST(Ann, GradientMatchesFiniteDifferencesCrossEntropy) { check_gradients(Loss::kSoftmaxCrossEntropy, 0.0); }
TEST(Ann, GradientMatchesFiniteDifferencesMse) { check_gradients(Loss::kMse, 0.0); }
TEST(Ann, GradientMatchesFiniteDifferencesWithDropout) {
  check_gradients(Loss::kSoftmaxCrossEntropy, 0.3);
  check_gradients(Loss::kMse, 0.3);
}

TEST(Ann, DropoutScaleIsInvertedDropout) {
  const auto m = ssnn::ann::dropout_scale<float>(99, 0x20000, 0.3, 300, 100);
  size_t dropped = 0;
  for (Eigen::Index i = 0; i < m.size(); ++i) {
    const float v = m.data()[i];
    ASSERT_TRUE(v == 0.0f || v == static_cast<float>(1.0 / 0.7));
    dropped += v == 0.0f;
  }
  EXPECT_NEAR(static_cast<double>(dropped) / static_cast<double>(m.size()), 0.3, 0.01);
  EXPECT_EQ(m, (ssnn::ann::dropout_scale<float>(99, 0x20000, 0.3, 300, 100)));
  EXPECT_NE(m, (ssnn::ann::dropout_scale<float>(98, 0x20000, 0.3, 300, 100)));
}

TEST(Ann, HeInitialisationBounds) {
  AnnConfig c = subset_config();
  Mlp<float> net(c);
  const double bound = std::sqrt(6.0 / 784.0);
  const auto& w = net.weights()[0];
  EXPECT_LE(w.cwiseAbs().maxCoeff(), bound);
  EXPECT_GT(w.cwiseAbs().maxCoeff(), 0.99 * bound);
  EXPECT_NEAR(w.mean(), 0.0, 0.01 * bound);
  EXPECT_NEAR(std::sqrt(w.squaredNorm() / static_cast<double>(w.size())), std::sqrt(2.0 / 784.0), 0.01 * bound);
}

TEST(Ann, LearningRateSchedules) {
  AnnConfig c;
  c.lr = 0.1;
  EXPECT_DOUBLE_EQ(ssnn::ann::learning_rate(c, 0, 100), 0.1);
  EXPECT_NEAR(ssnn::ann::learning_rate(c, 50, 100), 0.05, 1e-12);
  EXPECT_NEAR(ssnn::ann::learning_rate(c, 100, 100), 0.0, 1e-12);
  c.schedule = ssnn::ann::Schedule::kStep;
  EXPECT_DOUBLE_EQ(ssnn::ann::learning_rate(c, 49, 100), 0.1);
  EXPECT_DOUBLE_EQ(ssnn::ann::learning_rate(c, 60, 100), 0.1 * 0.1);
  EXPECT_DOUBLE_EQ(ssnn::ann::learning_rate(c, 80, 100), 0.1 * 0.01);
  c.schedule = ssnn::ann::Schedule::kConstant;
  EXPECT_DOUBLE_EQ(ssnn::ann::learning_rate(c, 80, 100), 0.1);
  // Per epoch (4 epochs of 25 steps): the list's entries in turn, the last repeating, to the end of the run.
  c.schedule = ssnn::ann::Schedule::kPerEpoch;
  c.epochs = 4;
  c.lr_scale = {1, 0.5};
  EXPECT_DOUBLE_EQ(ssnn::ann::learning_rate(c, 24, 100), 0.1);
  EXPECT_DOUBLE_EQ(ssnn::ann::learning_rate(c, 25, 100), 0.05);
  EXPECT_DOUBLE_EQ(ssnn::ann::learning_rate(c, 99, 100), 0.05);
  EXPECT_DOUBLE_EQ(ssnn::ann::learning_rate(c, 100, 100), 0.05);
  c.lr_scale = {1, 0.5, 0.25, 0.125};
  EXPECT_DOUBLE_EQ(ssnn::ann::learning_rate(c, 75, 100), 0.0125);
}

TEST(Ann, ConfigValidation) {
  AnnConfig c;
  c.dropout_hidden = 1.0;
  EXPECT_THROW(c.validate(), std::invalid_argument);
  c = AnnConfig{};
  c.lr = 0;
  EXPECT_THROW(c.validate(), std::invalid_argument);
  c = AnnConfig{};
  c.hidden = {0};
  EXPECT_THROW(c.validate(), std::invalid_argument);
  c = AnnConfig{};
  c.schedule = ssnn::ann::Schedule::kPerEpoch;  // a per-epoch schedule needs its list, and only it takes one
  EXPECT_THROW(c.validate(), std::invalid_argument);
  c.lr_scale = {1, 0};
  EXPECT_THROW(c.validate(), std::invalid_argument);
  c.lr_scale = {1, 0.5};
  EXPECT_NO_THROW(c.validate());
  EXPECT_EQ(ssnn::ann::to_json(c).at("lr_scale"), nlohmann::json({1, 0.5}));
  c.schedule = ssnn::ann::Schedule::kCosine;
  EXPECT_THROW(c.validate(), std::invalid_argument);
  // Reports of the other schedules carry no scale list, so those written before it existed still compare equal.
  EXPECT_FALSE(ssnn::ann::to_json(AnnConfig{}).contains("lr_scale"));
  EXPECT_EQ(ssnn::ann::parse_schedule("per-epoch"), ssnn::ann::Schedule::kPerEpoch);
  EXPECT_THROW(ssnn::ann::parse_loss("hinge"), std::invalid_argument);
  EXPECT_EQ(ssnn::ann::parse_loss("mse"), Loss::kMse);
}

// Same seed (and thread count): bit-identical weights and history, whatever cache sizes Eigen was
// told before; another seed: different.
TEST(Ann, DeterministicForASeed) {
  for (auto opt : {ssnn::ann::Optimizer::kAdam, ssnn::ann::Optimizer::kSgd}) {
    AnnConfig c = subset_config();
    c.optimizer = opt;
    c.lr = opt == ssnn::ann::Optimizer::kSgd ? 0.05 : 1e-3;
    Mlp<float> a(c);
    const auto ha = ssnn::ann::train(a, subset("train"), &subset("test"));
    // Another host's caches would change Eigen's blocking: Mlp pins it again.
    Eigen::setCpuCacheSizes(8192, 65536, 1 << 20);
    Mlp<float> b(c);
    const auto hb = ssnn::ann::train(b, subset("train"), &subset("test"));
    for (size_t l = 0; l < a.weights().size(); ++l) {
      EXPECT_EQ(a.weights()[l], b.weights()[l]);
      EXPECT_EQ(a.biases()[l], b.biases()[l]);
    }
    ASSERT_EQ(ha.size(), hb.size());
    for (size_t e = 0; e < ha.size(); ++e) {
      EXPECT_EQ(ha[e].train_loss, hb[e].train_loss);
      EXPECT_EQ(ha[e].test_accuracy, hb[e].test_accuracy);
    }
    c.seed = 4;
    Mlp<float> d(c);
    ssnn::ann::train(d, subset("train"), nullptr);
    EXPECT_NE(a.weights()[0], d.weights()[0]);
  }
}

// --no-bias: the biases stay at zero for both optimisers while the weights learn; the record says so
// only when they are off.
TEST(Ann, BiasesStayZeroWhenOff) {
  for (auto opt : {ssnn::ann::Optimizer::kAdam, ssnn::ann::Optimizer::kSgd}) {
    AnnConfig c = subset_config();
    c.optimizer = opt;
    c.lr = opt == ssnn::ann::Optimizer::kSgd ? 0.05 : 1e-3;
    c.epochs = 1;
    c.biases = false;
    Mlp<float> net(c);
    const auto initial = net.weights()[0];
    ssnn::ann::train(net, subset("train"), nullptr);
    for (const auto& b : net.biases()) EXPECT_TRUE(b.isZero(0)) << b.transpose();
    EXPECT_NE(net.weights()[0], initial);
    AnnConfig on = c;
    on.biases = true;
    Mlp<float> with(on);
    ssnn::ann::train(with, subset("train"), nullptr);
    EXPECT_FALSE(with.biases()[0].isZero(0));
    EXPECT_EQ(ssnn::ann::to_json(c).at("biases"), false);
    EXPECT_FALSE(ssnn::ann::to_json(on).contains("biases"));
  }
}

// One epoch with augmentation trains exactly like one plain epoch on a data set in which every image
// already carries the transform of the position it is presented at (each index appears once per
// epoch); the record lists the options only when they are on.
TEST(Ann, AugmentationTransformsEachPresentedImage) {
  AnnConfig c = subset_config();
  c.epochs = 1;
  c.augment_flip = true;
  c.augment_shift = 2;
  const ssnn::Dataset& train = subset("train");
  Mlp<float> augmented(c);
  ssnn::ann::train(augmented, train, nullptr);

  ssnn::Dataset pre = train;
  const std::vector<uint32_t> order = ssnn::epoch_order(c.seed, 0, train.size());
  for (size_t pos = 0; pos < order.size(); ++pos)
    ssnn::augment_image(ssnn::augment_draw(c.seed, true, 2, 0, pos), train.image(order[pos]), train.rows,
                        train.cols, pre.pixels.data() + size_t{order[pos]} * train.pixels_per_image());
  AnnConfig plain = c;
  plain.augment_flip = false;
  plain.augment_shift = 0;
  Mlp<float> by_hand(plain), untransformed(plain);
  ssnn::ann::train(by_hand, pre, nullptr);
  ssnn::ann::train(untransformed, train, nullptr);
  for (size_t l = 0; l < augmented.weights().size(); ++l) EXPECT_EQ(augmented.weights()[l], by_hand.weights()[l]);
  EXPECT_NE(augmented.weights()[0], untransformed.weights()[0]);

  EXPECT_EQ(ssnn::ann::to_json(c).at("augment_shift"), 2);
  EXPECT_FALSE(ssnn::ann::to_json(plain).contains("augment_flip"));
  c.augment_shift = 9;
  EXPECT_THROW(c.validate(), std::invalid_argument);
}

// 2,000 training images, 6 epochs: far above the 10 % of chance for both losses (86.9 % and 78.7 %
// when written; a 784-256-10 net reaches 87-88 % on the subset, about 98 % on full MNIST).
TEST(Ann, LearnsTheSubset) {
  ASSERT_EQ(kOneThread, 1);
  for (Loss loss : {Loss::kSoftmaxCrossEntropy, Loss::kMse}) {
    AnnConfig c = subset_config();
    c.hidden = {128};
    c.epochs = 6;
    c.lr = 2e-3;
    c.loss = loss;
    Mlp<float> net(c);
    const auto h = ssnn::ann::train(net, subset("train"), &subset("test"));
    EXPECT_GT(h.back().test_accuracy, loss == Loss::kMse ? 0.7 : 0.8) << ssnn::ann::to_string(loss);
    EXPECT_LT(h.back().train_loss, h.front().train_loss);
    EXPECT_EQ(ssnn::ann::evaluate(net, subset("test")).accuracy(), h.back().test_accuracy);
  }
}

namespace {

int run(const std::string& args, std::string* err = nullptr) {
  std::vector<std::string> argv{SSNN_ANN_BIN};
  std::istringstream words(args);
  for (std::string w; words >> w;) argv.push_back(w);
  std::string captured;
  const int status = ssnn::run_program(argv, &captured);
  if (err) *err = captured;
  return status;
}

}  // namespace

TEST(AnnCli, WritesAResultRecord) {
  const fs::path report = fs::temp_directory_path() / ("ssnn_ann_report_" + std::to_string(::getpid()) + ".json");
  ASSERT_EQ(run("--dataset subset --hidden 32 --epochs 2 --batch 25 --train-samples 1000 --test-samples 200 --seed 5 --quiet "
                "--report " +
                report.string()),
            0);
  std::ifstream in(report);
  const nlohmann::json r = nlohmann::json::parse(in);
  fs::remove(report);
  ssnn::test_support::expect_record_fields(
      r, {{"dataset", "subset"}, {"level", "ann"}, {"update_mode", "backprop"}, {"wta", "softmax"},
          {"hidden", nlohmann::json::array({32})}, {"timesteps", 0}, {"epochs", 2}, {"train_samples", 1000},
          {"test_samples", 200}, {"seed", 5}});
  EXPECT_EQ(r.at("history").size(), 2u);
  EXPECT_EQ(r.at("history").back().at("test_accuracy"), r.at("test_accuracy"));
  EXPECT_GT(r.at("test_accuracy").get<double>(), 0.5);
  EXPECT_TRUE(r.at("command").get<std::string>().find("--hidden 32") != std::string::npos);
  EXPECT_TRUE(r.contains("machine"));
  EXPECT_TRUE(r.contains("wall_seconds"));
}

TEST(AnnCli, BadOptionsFailWithOneLine) {
  for (const std::string args : {"--loss hinge", "--dropout-input 1.5", "--epochs 0", "--dataset nope", "--lr -1",
                                 "--hidden ''"}) {
    std::string err;
    EXPECT_NE(run(args + " --epochs 1 --train-samples 10 --test-samples 10", &err), 0) << args;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << args << ": " << err;
    EXPECT_NE(err.find("ann_baseline"), std::string::npos) << err;
  }
}
