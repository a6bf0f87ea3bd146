// Shared setup of the golden-model unit tests that train small networks on the shipped subset
// (test_training.cpp, test_checkpoint_file.cpp, test_stochastic.cpp, test_update_agreement.cpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "ssnn/config.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/network.hpp"
#include "ssnn/trainer.hpp"

namespace ssnn::test_support {

// A 784-hidden-10 network with every value that matters for learning stated explicitly, so tuning
// the defaults does not move the tests that use it.
inline ModelConfig explicit_config(std::vector<int> hidden, int timesteps, UpdateMode mode, uint64_t seed) {
  ModelConfig c;
  c.inputs = 784;
  c.hidden = std::move(hidden);
  c.classes = 10;
  c.timesteps = timesteps;
  c.tau_divisor = 10;
  c.input_rate = 0.4;
  c.input_profile = InputProfile::kFrontLoaded;
  c.label_rate = 0.5;
  c.weight_bits = 16;
  c.charge_bits = 24;
  c.potential_bits = 24;
  c.theta = 1024;
  c.theta_out = 1024;
  c.theta_grad = 128;
  c.err_unit = 256;
  c.theta_err = 256;
  c.wta = true;
  c.inhibition = 1024;
  c.update_mode = mode;
  c.pulse = {1};
  c.noise_timesteps = 100;
  c.dropout_input = 0;
  c.dropout_hidden = 0;
  c.init_gain = 1.0;
  c.seed = seed;
  return c;
}

// Options of a silent run: no progress output, no evaluation at epoch ends.  `threads` are the
// evaluation threads (0: all cores).
inline TrainOptions quiet_options(int epochs, int threads) {
  TrainOptions o;
  o.epochs = epochs;
  o.progress = false;
  o.evaluate_each_epoch = false;
  o.threads = threads;
  return o;
}

// One silent epoch of training `model` on `train`, with the default evaluation threads.
inline void train_one_epoch(GoldenModel& model, const Dataset& train) {
  Trainer trainer(model, train, nullptr, quiet_options(1, TrainOptions{}.threads));
  trainer.run();
}

// explicit_config with a weaker inhibition and a two-step pulse schedule: the training tests' network.
inline ModelConfig train_config(std::vector<int> hidden, int T, UpdateMode mode, uint64_t seed) {
  ModelConfig c = explicit_config(std::move(hidden), T, mode, seed);
  c.inhibition = 256;
  c.pulse = {2, 1};
  return c;
}

// quiet_options on one evaluation thread.
inline TrainOptions quiet(int epochs) { return quiet_options(epochs, 1); }

// The shipped subset, loaded once per process.
inline const Dataset& subset_train() {
  static const Dataset d = load_named_dataset("subset", "train");
  return d;
}
inline const Dataset& subset_test() {
  static const Dataset d = load_named_dataset("subset", "test");
  return d;
}

// The first n samples of d.
inline Dataset first(const Dataset& d, size_t n) {
  Dataset out = d;
  n = std::min(n, d.size());
  out.labels.resize(n);
  out.pixels.resize(n * d.pixels_per_image());
  return out;
}

}  // namespace ssnn::test_support
