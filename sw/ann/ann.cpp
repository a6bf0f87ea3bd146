// ANN baseline: multilayer perceptron, backpropagation, dropout, SGD / Adam (see ann.hpp).
#include "ann.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "ssnn/augment.hpp"
#include "ssnn/contract/seeding.hpp"
#include "ssnn/enum_names.hpp"
#include "ssnn/trainer.hpp"

namespace ssnn::ann {

namespace {
constexpr EnumName<Loss> kLosses[] = {{Loss::kSoftmaxCrossEntropy, "softmax-ce"},
                                      {Loss::kSoftmaxCrossEntropy, "ce"},
                                      {Loss::kSoftmaxCrossEntropy, "softmax"},
                                      {Loss::kMse, "mse"}};
constexpr EnumName<Optimizer> kOptimizers[] = {{Optimizer::kSgd, "sgd"}, {Optimizer::kAdam, "adam"}};
constexpr EnumName<Schedule> kSchedules[] = {{Schedule::kConstant, "constant"},
                                             {Schedule::kCosine, "cosine"},
                                             {Schedule::kStep, "step"},
                                             {Schedule::kPerEpoch, "per-epoch"}};

// The value of option `option` called `name`, or std::invalid_argument listing the `expected` names.
template <class E, size_t N>
E parse_named(const EnumName<E> (&table)[N], const std::string& name, const char* option, const char* expected) {
  if (const auto v = value_named(table, name)) return *v;
  throw std::invalid_argument(std::string(option) + ": '" + name + "' is not one of " + expected);
}
}  // namespace

const char* to_string(Loss l) { return name_of(kLosses, l); }
const char* to_string(Optimizer o) { return name_of(kOptimizers, o); }
const char* to_string(Schedule s) { return name_of(kSchedules, s); }

Loss parse_loss(const std::string& s) { return parse_named(kLosses, s, "--loss", "ce, mse"); }
Optimizer parse_optimizer(const std::string& s) { return parse_named(kOptimizers, s, "--optimizer", "sgd, adam"); }
Schedule parse_schedule(const std::string& s) {
  return parse_named(kSchedules, s, "--schedule", "constant, cosine, step, per-epoch");
}

void pin_eigen_blocking() { Eigen::setCpuCacheSizes(32768, 524288, 268435456); }

void AnnConfig::validate() const {
  auto fail = [](const std::string& m) { throw std::invalid_argument(m); };
  if (inputs < 1) fail("--inputs: must be >= 1");
  if (classes < 2) fail("--classes: must be >= 2");
  for (int h : hidden)
    if (h < 1 || h > 100000) fail("--hidden: every size must be in 1..100000");
  if (!(dropout_input >= 0 && dropout_input < 1)) fail("--dropout-input: must be in [0, 1)");
  if (!(dropout_hidden >= 0 && dropout_hidden < 1)) fail("--dropout-hidden: must be in [0, 1)");
  if (!(lr > 0 && std::isfinite(lr))) fail("--lr: must be > 0");
  if (!(momentum >= 0 && momentum < 1)) fail("--momentum: must be in [0, 1)");
  if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) fail("--adam-betas: must be in [0, 1)");
  if (!(adam_eps > 0)) fail("--adam-eps: must be > 0");
  if (!(weight_decay >= 0 && std::isfinite(weight_decay))) fail("--weight-decay: must be >= 0");
  if (batch < 1) fail("--batch: must be >= 1");
  if (epochs < 1) fail("--epochs: must be >= 1");
  if (augment_shift < 0 || augment_shift > kMaxAugmentShift)
    fail("--augment-shift: must be in 0.." + std::to_string(kMaxAugmentShift) + " pixels");
  if ((schedule == Schedule::kPerEpoch) != !lr_scale.empty())
    fail("--lr-scale: give it exactly when --schedule is per-epoch");
  for (double s : lr_scale)
    if (!(s > 0 && std::isfinite(s))) fail("--lr-scale: every entry must be > 0");
}

nlohmann::json to_json(const AnnConfig& c) {
  nlohmann::json j{{"inputs", c.inputs},
                   {"hidden", c.hidden},
                   {"classes", c.classes},
                   {"activation", "relu"},
                   {"loss", to_string(c.loss)},
                   {"dropout_input", c.dropout_input},
                   {"dropout_hidden", c.dropout_hidden},
                   {"init", "he-uniform"},
                   {"optimizer", to_string(c.optimizer)},
                   {"lr", c.lr},
                   {"schedule", to_string(c.schedule)},
                   {"momentum", c.momentum},
                   {"beta1", c.beta1},
                   {"beta2", c.beta2},
                   {"adam_eps", c.adam_eps},
                   {"weight_decay", c.weight_decay},
                   {"batch", c.batch},
                   {"epochs", c.epochs},
                   {"seed", c.seed},
                   {"precision", "float32"}};
  if (!c.biases) j["biases"] = false;  // only when off: older records stay comparable
  // Only the per-epoch schedule reads the scale list; leaving it out otherwise keeps older reports comparable.
  if (c.schedule == Schedule::kPerEpoch) j["lr_scale"] = c.lr_scale;
  // Only when on, so records written before augmentation existed still compare equal.
  if (c.augment_flip || c.augment_shift > 0) {
    j["augment_flip"] = c.augment_flip;
    j["augment_shift"] = c.augment_shift;
  }
  return j;
}

namespace {

// Counter-based uniform [0, 1) stream of one (key, stream) pair: draw i = mix(base + i).
struct UniformStream {
  explicit UniformStream(uint64_t key, uint64_t stream_id) : base(splitmix64(key ^ (stream_id * 0xD1B54A32D192ED03ull))) {}
  double operator()(uint64_t i) const { return static_cast<double>(splitmix64(base + i) >> 11) * 0x1.0p-53; }
  uint64_t base;
};

}  // namespace

template <typename Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> input_batch(const Dataset& data, const uint32_t* indices,
                                                                   size_t count) {
  const size_t n = data.pixels_per_image();
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> x(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(count));
  const Scalar inv = Scalar(1) / Scalar(255);
  for (size_t j = 0; j < count; ++j) {
    const uint8_t* img = data.image(indices[j]);
    Scalar* col = x.col(static_cast<Eigen::Index>(j)).data();
    for (size_t i = 0; i < n; ++i) col[i] = static_cast<Scalar>(img[i]) * inv;
  }
  return x;
}

template <typename Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> dropout_scale(uint64_t key, uint64_t stream_id, double p,
                                                                    Eigen::Index rows, Eigen::Index cols) {
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> m(rows, cols);
  const UniformStream u(key, stream_id);
  const Scalar keep = static_cast<Scalar>(1.0 / (1.0 - p));
  Scalar* d = m.data();
  const uint64_t size = static_cast<uint64_t>(rows) * static_cast<uint64_t>(cols);
  for (uint64_t i = 0; i < size; ++i) d[i] = u(i) < p ? Scalar(0) : keep;
  return m;
}

template <typename Scalar>
Mlp<Scalar>::Mlp(const AnnConfig& cfg) : cfg_(cfg) {
  cfg_.validate();
  pin_eigen_blocking();
  std::vector<int> sizes{cfg_.inputs};
  sizes.insert(sizes.end(), cfg_.hidden.begin(), cfg_.hidden.end());
  sizes.push_back(cfg_.classes);
  const uint64_t key = sample_key(cfg_.seed, Phase::kInit, 0, 0);
  for (int l = 0; l + 1 < static_cast<int>(sizes.size()); ++l) {
    const Eigen::Index in = sizes[l], out = sizes[l + 1];
    const UniformStream u(key, stream::kInitBase + static_cast<uint64_t>(l));
    const double bound = std::sqrt(6.0 / static_cast<double>(in));
    Matrix w(out, in);
    for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = static_cast<Scalar>((2.0 * u(static_cast<uint64_t>(i)) - 1.0) * bound);
    w_.push_back(std::move(w));
    b_.push_back(Vector::Zero(out));
    mw_.push_back(Matrix::Zero(out, in));
    mb_.push_back(Vector::Zero(out));
    if (cfg_.optimizer == Optimizer::kAdam) {
      vw_.push_back(Matrix::Zero(out, in));
      vb_.push_back(Vector::Zero(out));
    }
  }
}

template <typename Scalar>
typename Mlp<Scalar>::Matrix Mlp<Scalar>::logits(const Matrix& x) const {
  Matrix a = x;
  for (size_t l = 0; l < w_.size(); ++l) {
    Matrix z = w_[l] * a;
    z.colwise() += b_[l];
    if (l + 1 == w_.size()) return z;
    a = z.cwiseMax(Scalar(0));
  }
  return a;
}

template <typename Scalar>
const typename Mlp<Scalar>::Matrix& Mlp<Scalar>::forward(const Matrix& x, uint64_t dropout_key) {
  const size_t L = w_.size();
  a_.resize(L);
  z_.resize(L);
  scale_.resize(L);
  for (size_t l = 0; l < L; ++l) {
    const double p = l == 0 ? cfg_.dropout_input : cfg_.dropout_hidden;
    const Matrix& in = l == 0 ? x : a_[l];  // a_[l] (l > 0) holds ReLU(z_[l-1]) until masked here
    if (p > 0) {
      scale_[l] = dropout_scale<Scalar>(dropout_key, stream::kDropoutBase + l, p, in.rows(), in.cols());
      a_[l] = in.cwiseProduct(scale_[l]);
    } else {
      scale_[l].resize(0, 0);
      if (l == 0) a_[0] = x;
    }
    z_[l].noalias() = w_[l] * a_[l];
    z_[l].colwise() += b_[l];
    if (l + 1 < L) a_[l + 1] = z_[l].cwiseMax(Scalar(0));
  }
  return z_[L - 1];
}

template <typename Scalar>
double Mlp<Scalar>::output_loss(const std::vector<uint8_t>& labels, Matrix* delta, size_t* correct) const {
  const Matrix& z = z_.back();
  const Eigen::Index B = z.cols();
  if (static_cast<Eigen::Index>(labels.size()) != B) throw std::invalid_argument("labels do not match the batch");
  double loss = 0;
  size_t right = 0;
  if (delta) delta->resize(z.rows(), B);
  for (Eigen::Index j = 0; j < B; ++j) {
    const auto col = z.col(j);
    Eigen::Index arg = 0;
    const Scalar zmax = col.maxCoeff(&arg);
    const Eigen::Index y = labels[static_cast<size_t>(j)];
    if (y >= z.rows()) throw std::invalid_argument("label out of range of the output layer");
    right += arg == y;
    if (cfg_.loss == Loss::kSoftmaxCrossEntropy) {
      double sum = 0;
      for (Eigen::Index i = 0; i < z.rows(); ++i) sum += std::exp(static_cast<double>(col(i) - zmax));
      loss += std::log(sum) - static_cast<double>(col(y) - zmax);
      if (delta)
        for (Eigen::Index i = 0; i < z.rows(); ++i)
          (*delta)(i, j) = static_cast<Scalar>((std::exp(static_cast<double>(col(i) - zmax)) / sum - (i == y ? 1.0 : 0.0)) /
                                               static_cast<double>(B));
    } else {
      for (Eigen::Index i = 0; i < z.rows(); ++i) {
        const double e = static_cast<double>(col(i)) - (i == y ? 1.0 : 0.0);
        loss += 0.5 * e * e;
        if (delta) (*delta)(i, j) = static_cast<Scalar>(e / static_cast<double>(B));
      }
    }
  }
  if (correct) *correct = right;
  return loss / static_cast<double>(B);
}

template <typename Scalar>
double Mlp<Scalar>::loss(const Matrix& x, const std::vector<uint8_t>& labels, uint64_t dropout_key) {
  forward(x, dropout_key);
  return output_loss(labels, nullptr, nullptr);
}

template <typename Scalar>
double Mlp<Scalar>::loss_and_gradients(const Matrix& x, const std::vector<uint8_t>& labels, uint64_t dropout_key,
                                       std::vector<Matrix>& grad_w, std::vector<Vector>& grad_b, size_t* correct) {
  forward(x, dropout_key);
  Matrix delta;
  const double loss = output_loss(labels, &delta, correct);
  const size_t L = w_.size();
  grad_w.resize(L);
  grad_b.resize(L);
  for (size_t l = L; l-- > 0;) {
    grad_w[l].noalias() = delta * a_[l].transpose();
    grad_b[l] = delta.rowwise().sum();
    if (l == 0) break;
    Matrix back = w_[l].transpose() * delta;  // d loss / d a_[l]
    if (scale_[l].size()) back = back.cwiseProduct(scale_[l]);
    delta = (z_[l - 1].array() > Scalar(0)).select(back.array(), Scalar(0)).matrix();
  }
  return loss;
}

template <typename Scalar>
void Mlp<Scalar>::apply(const std::vector<Matrix>& grad_w, const std::vector<Vector>& grad_b, double lr) {
  ++steps_;
  const Scalar wd = static_cast<Scalar>(cfg_.weight_decay);
  const Scalar eta = static_cast<Scalar>(lr);
  if (cfg_.optimizer == Optimizer::kSgd) {
    const Scalar mu = static_cast<Scalar>(cfg_.momentum);
    for (size_t l = 0; l < w_.size(); ++l) {
      if (wd > 0) mw_[l] = mu * mw_[l] + grad_w[l] + wd * w_[l];
      else mw_[l] = mu * mw_[l] + grad_w[l];
      w_[l] -= eta * mw_[l];
      if (!cfg_.biases) continue;
      mb_[l] = mu * mb_[l] + grad_b[l];
      b_[l] -= eta * mb_[l];
    }
    return;
  }
  const double t = static_cast<double>(steps_);
  const Scalar b1 = static_cast<Scalar>(cfg_.beta1), b2 = static_cast<Scalar>(cfg_.beta2);
  // Bias correction folded into the step size (Kingma & Ba, section 2).
  const Scalar c1 = static_cast<Scalar>(1.0 / (1.0 - std::pow(cfg_.beta1, t)));
  const Scalar c2 = static_cast<Scalar>(1.0 / (1.0 - std::pow(cfg_.beta2, t)));
  const Scalar eps = static_cast<Scalar>(cfg_.adam_eps);
  auto step = [&](auto& param, auto& m, auto& v, const auto& g) {
    m.array() = b1 * m.array() + (Scalar(1) - b1) * g.array();
    v.array() = b2 * v.array() + (Scalar(1) - b2) * g.array().square();
    param.array() -= eta * (m.array() * c1) / ((v.array() * c2).sqrt() + eps);
  };
  for (size_t l = 0; l < w_.size(); ++l) {
    if (wd > 0) {
      const Matrix g = grad_w[l] + wd * w_[l];
      step(w_[l], mw_[l], vw_[l], g);
    } else {
      step(w_[l], mw_[l], vw_[l], grad_w[l]);
    }
    if (cfg_.biases) step(b_[l], mb_[l], vb_[l], grad_b[l]);
  }
}

template <typename Scalar>
EvalStats evaluate(const Mlp<Scalar>& net, const Dataset& data, size_t batch) {
  EvalStats s;
  std::vector<uint32_t> idx(data.size());
  std::iota(idx.begin(), idx.end(), 0u);
  const bool ce = net.config().loss == Loss::kSoftmaxCrossEntropy;
  double loss = 0;
  for (size_t start = 0; start < data.size(); start += batch) {
    const size_t n = std::min(batch, data.size() - start);
    const auto z = net.logits(input_batch<Scalar>(data, idx.data() + start, n));
    for (Eigen::Index j = 0; j < z.cols(); ++j) {
      Eigen::Index arg = 0;
      const Scalar zmax = z.col(j).maxCoeff(&arg);
      const Eigen::Index y = data.label(start + static_cast<size_t>(j));
      s.correct += arg == y;
      double sum = 0;
      for (Eigen::Index i = 0; i < z.rows(); ++i) {
        const double v = static_cast<double>(z(i, j));
        if (ce) sum += std::exp(v - static_cast<double>(zmax));
        else sum += 0.5 * (v - (i == y)) * (v - (i == y));
      }
      loss += ce ? std::log(sum) - static_cast<double>(z(y, j) - zmax) : sum;
    }
  }
  s.total = data.size();
  s.loss = s.total ? loss / static_cast<double>(s.total) : 0.0;
  return s;
}

double learning_rate(const AnnConfig& cfg, uint64_t step, uint64_t total_steps) {
  const double f = total_steps ? static_cast<double>(step) / static_cast<double>(total_steps) : 0.0;
  switch (cfg.schedule) {
    case Schedule::kConstant: return cfg.lr;
    case Schedule::kCosine: return cfg.lr * 0.5 * (1.0 + std::cos(3.14159265358979323846 * f));
    case Schedule::kStep: return cfg.lr * (f < 0.5 ? 1.0 : f < 0.75 ? 0.1 : 0.01);
    case Schedule::kPerEpoch: {
      if (cfg.lr_scale.empty()) return cfg.lr;
      // The epoch of this step; the step one past the run's end belongs to the last epoch.
      const uint64_t per_epoch = std::max<uint64_t>(1, total_steps / static_cast<uint64_t>(std::max(1, cfg.epochs)));
      const size_t epoch = static_cast<size_t>(std::min<uint64_t>(step / per_epoch, static_cast<uint64_t>(cfg.epochs - 1)));
      return cfg.lr * cfg.lr_scale[std::min(epoch, cfg.lr_scale.size() - 1)];
    }
  }
  return cfg.lr;
}

std::vector<EpochStats> train(Mlp<float>& net, const Dataset& train_set, const Dataset* test,
                              const std::function<void(const EpochStats&)>& on_epoch) {
  const AnnConfig& cfg = net.config();
  const size_t n = train_set.size();
  const size_t B = static_cast<size_t>(cfg.batch);
  const uint64_t batches = (n + B - 1) / B;
  const uint64_t total = batches * static_cast<uint64_t>(cfg.epochs);
  std::vector<EpochStats> out;
  std::vector<Mlp<float>::Matrix> gw;
  std::vector<Mlp<float>::Vector> gb;
  std::vector<uint8_t> labels;
  // With augmentation, sample `start + j` of the epoch is its image under that position's draw.
  const bool augmenting = cfg.augment_flip || cfg.augment_shift > 0;
  Dataset batch_images;
  batch_images.rows = train_set.rows;
  batch_images.cols = train_set.cols;
  std::vector<uint32_t> batch_index;
  auto augmented_batch = [&](int epoch, const std::vector<uint32_t>& order, size_t start, size_t count) {
    const size_t pixels = train_set.pixels_per_image();
    batch_images.pixels.resize(count * pixels);
    batch_images.labels.resize(count);
    batch_index.resize(count);
    for (size_t j = 0; j < count; ++j) {
      const AugmentDraw d = augment_draw(cfg.seed, cfg.augment_flip, cfg.augment_shift,
                                         static_cast<uint64_t>(epoch), start + j);
      augment_image(d, train_set.image(order[start + j]), train_set.rows, train_set.cols,
                    batch_images.pixels.data() + j * pixels);
      batch_index[j] = static_cast<uint32_t>(j);
    }
    return input_batch<float>(batch_images, batch_index.data(), count);
  };
  uint64_t step = 0;
  for (int epoch = 0; epoch < cfg.epochs; ++epoch) {
    EpochStats e;
    e.epoch = epoch + 1;
    e.lr_start = learning_rate(cfg, step, total);
    const double t0 = now_seconds();
    const std::vector<uint32_t> order = epoch_order(cfg.seed, epoch, n);
    double loss_sum = 0;
    size_t correct = 0;
    for (uint64_t k = 0; k < batches; ++k, ++step) {
      const size_t start = k * B, count = std::min(B, n - start);
      const auto x = augmenting ? augmented_batch(epoch, order, start, count)
                                : input_batch<float>(train_set, order.data() + start, count);
      labels.resize(count);
      for (size_t j = 0; j < count; ++j) labels[j] = train_set.label(order[start + j]);
      size_t right = 0;
      const uint64_t key = sample_key(cfg.seed, Phase::kTrain, static_cast<uint64_t>(epoch), k);
      loss_sum += net.loss_and_gradients(x, labels, key, gw, gb, &right) * static_cast<double>(count);
      correct += right;
      net.apply(gw, gb, learning_rate(cfg, step, total));
    }
    e.lr_end = learning_rate(cfg, step, total);
    e.train_loss = n ? loss_sum / static_cast<double>(n) : 0.0;
    e.train_accuracy = n ? static_cast<double>(correct) / static_cast<double>(n) : 0.0;
    e.train_seconds = now_seconds() - t0;
    if (test) {
      const double t1 = now_seconds();
      const EvalStats s = evaluate(net, *test);
      e.test_loss = s.loss;
      e.test_accuracy = s.accuracy();
      e.test_seconds = now_seconds() - t1;
    }
    out.push_back(e);
    if (on_epoch) on_epoch(e);
  }
  return out;
}

template class Mlp<float>;
template class Mlp<double>;
template Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic> input_batch<float>(const Dataset&, const uint32_t*, size_t);
template Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic> input_batch<double>(const Dataset&, const uint32_t*, size_t);
template Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic> dropout_scale<float>(uint64_t, uint64_t, double,
                                                                                   Eigen::Index, Eigen::Index);
template Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic> dropout_scale<double>(uint64_t, uint64_t, double,
                                                                                     Eigen::Index, Eigen::Index);
template EvalStats evaluate<float>(const Mlp<float>&, const Dataset&, size_t);
template EvalStats evaluate<double>(const Mlp<double>&, const Dataset&, size_t);

}  // namespace ssnn::ann
