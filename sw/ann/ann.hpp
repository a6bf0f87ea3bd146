// ANN baseline: a conventional multilayer perceptron trained by backpropagation (Eigen), the
// "Baseline ANN" rows of the paper's tables 1 and 2 (784-1280-10, ReLU, softmax cross-entropy,
// dropout 0.2 / 0.3).  Library ssnn_ann (sw/ann/), CLI ann_baseline; docs/results.md.
//
// Determinism: every random number comes from the project's seeding rule (seeding.hpp) through a
// counter-based SplitMix64 stream, never from <random> distributions (whose output differs between
// standard libraries):
//   init of weight layer l      key(seed, init, 0, 0), stream kInitBase + l, drawn column-major
//   epoch order                 epoch_order(seed, epoch, n) (trainer.hpp), as the golden model
//   dropout of minibatch k      key(seed, train, epoch, k), stream kDropoutBase + layer
// So a run is a function of (config, data, seed) and of the thread count: Eigen's matrix products
// choose their blocking (and so the order of the floating-point sums) by thread count and by the
// cache sizes; the cache sizes are pinned (pin_eigen_blocking), so runs with the same seed and thread
// count are bit-identical on any x86-64 host with the same build (portable SSE2 code, no
// -march=native); another thread count, compiler or architecture agrees to rounding, which training
// amplifies to about the seed-to-seed spread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "ssnn/idx.hpp"

namespace ssnn::ann {

enum class Loss { kSoftmaxCrossEntropy, kMse };
enum class Optimizer { kSgd, kAdam };
enum class Schedule { kConstant, kCosine, kStep, kPerEpoch };

const char* to_string(Loss l);
const char* to_string(Optimizer o);
const char* to_string(Schedule s);
// Parse "ce" / "softmax-ce" / "mse", "sgd" / "adam", "constant" / "cosine" / "step" (std::invalid_argument).
Loss parse_loss(const std::string& s);
Optimizer parse_optimizer(const std::string& s);
Schedule parse_schedule(const std::string& s);

// Eigen's matrix-product blocking from fixed cache sizes instead of the host's: the sizes Eigen reads
// on the 2-core AMD EPYC VM of the committed runs (L1 32 KiB, L2 512 KiB, L3 256 MiB). Called by Mlp's
// constructor; global to Eigen.
void pin_eigen_blocking();

struct AnnConfig {
  int inputs = 784;
  std::vector<int> hidden{1280};
  int classes = 10;
  Loss loss = Loss::kSoftmaxCrossEntropy;  // kMse: linear outputs, 0.5 * squared error to the one-hot target
  double dropout_input = 0.2;               // inverted dropout: kept units are scaled by 1 / (1 - p)
  double dropout_hidden = 0.3;
  Optimizer optimizer = Optimizer::kAdam;
  double lr = 1e-3;               // peak learning rate
  Schedule schedule = Schedule::kCosine;  // per minibatch: cosine from lr to 0 over the run; step: x0.1 at 50 % and 75 %
  // kPerEpoch: lr x lr_scale[epoch] (the last entry repeats), e.g. the SNN's pulse list 8,8,4,4,2,2,1 read as a
  // learning-rate shape, to train the ANN on the chip's schedule.
  std::vector<double> lr_scale;
  double momentum = 0.9;          // SGD (heavy ball: v = mu v + g, w -= lr v)
  double beta1 = 0.9, beta2 = 0.999, adam_eps = 1e-8;
  double weight_decay = 0.0;      // L2 coefficient added to the weight gradients (not the biases)
  bool biases = true;             // false: biases stay at zero, as in the SNN (whose neurons have none)
  int batch = 100;
  int epochs = 30;
  uint64_t seed = 1;
  // Training-set augmentation, the golden model's transform and draws (ssnn/augment.hpp).
  bool augment_flip = false;
  int augment_shift = 0;

  int layers() const { return static_cast<int>(hidden.size()) + 1; }  // weight layers
  // Throws std::invalid_argument naming the option ("--lr: ...").
  void validate() const;
};
nlohmann::json to_json(const AnnConfig& c);

// Images as network inputs: column j = image j, pixels / 255 in [0, 1].
template <typename Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> input_batch(const Dataset& data, const uint32_t* indices,
                                                                   size_t count);

// The multilayer perceptron.  Weight layer l maps layer l (size n_l) to layer l+1: W[l] is n_{l+1} x n_l,
// b[l] n_{l+1}; a minibatch is a matrix with one sample per column.
template <typename Scalar>
class Mlp {
 public:
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

  explicit Mlp(const AnnConfig& cfg);  // He-uniform weights U(-sqrt(6/fan_in), +sqrt(6/fan_in)), zero biases

  const AnnConfig& config() const { return cfg_; }
  std::vector<Matrix>& weights() { return w_; }
  std::vector<Vector>& biases() { return b_; }
  const std::vector<Matrix>& weights() const { return w_; }
  const std::vector<Vector>& biases() const { return b_; }

  // Output layer pre-activations (logits) without dropout.
  Matrix logits(const Matrix& x) const;

  // One minibatch: forward with the dropout masks of `dropout_key` (where the config's p > 0), the mean loss
  // over the batch, and its gradients into grad_w / grad_b (without weight decay).  Returns the loss;
  // `correct` (if given) receives how many argmax predictions of the dropped-out net were right.
  double loss_and_gradients(const Matrix& x, const std::vector<uint8_t>& labels, uint64_t dropout_key,
                            std::vector<Matrix>& grad_w, std::vector<Vector>& grad_b, size_t* correct = nullptr);

  // The mean loss alone (same forward as above), for gradient checks.
  double loss(const Matrix& x, const std::vector<uint8_t>& labels, uint64_t dropout_key);

  // One optimiser step with learning rate lr (weight decay and momentum / Adam moments included).
  void apply(const std::vector<Matrix>& grad_w, const std::vector<Vector>& grad_b, double lr);

 private:
  // Forward pass keeping what backprop needs; returns the logits.
  const Matrix& forward(const Matrix& x, uint64_t dropout_key);
  double output_loss(const std::vector<uint8_t>& labels, Matrix* delta, size_t* correct) const;

  AnnConfig cfg_;
  std::vector<Matrix> w_;
  std::vector<Vector> b_;
  // Optimiser state (momentum or Adam first moments, Adam second moments), step count.
  std::vector<Matrix> mw_, vw_;
  std::vector<Vector> mb_, vb_;
  uint64_t steps_ = 0;
  // Forward state: a_[0] = dropped-out input, z_[l] pre-activations, a_[l] = dropped-out activations,
  // scale_[l] = dropout mask / (1 - p) of layer l (empty: no dropout there).
  std::vector<Matrix> a_, z_, scale_;
};

extern template class Mlp<float>;
extern template class Mlp<double>;

// Dropout scale matrix of one layer: entries 0 (dropped, probability p) or 1 / (1 - p); rows x cols,
// drawn column-major from stream `stream_id` of `key`.
template <typename Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> dropout_scale(uint64_t key, uint64_t stream_id, double p,
                                                                    Eigen::Index rows, Eigen::Index cols);

struct EvalStats {
  size_t total = 0, correct = 0;
  double loss = 0;  // mean loss
  double accuracy() const { return total ? static_cast<double>(correct) / static_cast<double>(total) : 0.0; }
};
template <typename Scalar>
EvalStats evaluate(const Mlp<Scalar>& net, const Dataset& data, size_t batch = 1000);

struct EpochStats {
  int epoch = 0;  // 1-based
  double lr_start = 0, lr_end = 0;
  double train_loss = 0, train_accuracy = 0;  // of the dropped-out net while training
  double test_loss = -1, test_accuracy = -1;  // -1: no test set
  double train_seconds = 0, test_seconds = 0;
};
// JSON form (the report's history): one key per member, named as the member.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EpochStats, epoch, lr_start, lr_end, train_loss, train_accuracy, test_loss,
                                   test_accuracy, train_seconds, test_seconds)

// Learning rate at minibatch `step` of `total_steps`.
double learning_rate(const AnnConfig& cfg, uint64_t step, uint64_t total_steps);

// Trains cfg.epochs epochs (shuffled each epoch, last partial minibatch kept), evaluating on `test`
// (if given) after each; `on_epoch` (if given) sees each epoch's statistics as it ends.
std::vector<EpochStats> train(Mlp<float>& net, const Dataset& train_set, const Dataset* test,
                              const std::function<void(const EpochStats&)>& on_epoch = {});

}  // namespace ssnn::ann
