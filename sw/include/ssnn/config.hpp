// Model configuration: topology, encoding, fixed-point formats, thresholds, learning and device options.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ssnn/contract/encoder.hpp"
#include "ssnn/contract/neuron.hpp"
#include "ssnn/contract/synapse.hpp"

namespace ssnn {

enum class UpdateMode {
  kStochastic,  // eq. 10, per-step AND-gate coincidence pulses: the chip's mode
  kRate,        // eq. 9, rate product at the end of the sample: the paper's non-stochastic baseline
  kNoise,       // eq. 9 plus the variance of stochastic updates at noise_timesteps (figures 7-8)
  kStochasticSample,  // eq. 10 as written: coincidences counted every step, applied at the sample's end
};

const char* to_string(UpdateMode mode);
UpdateMode parse_update_mode(const std::string& name);  // throws ConfigError
const char* to_string(InputProfile profile);
InputProfile parse_input_profile(const std::string& name);

// A nonsense parameter: the message is one line naming the option.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The largest --augment-shift the model accepts (pixels each way; augment.hpp applies it).
constexpr int kMaxAugmentShift = 8;

struct ModelConfig {
  // Topology: inputs -> hidden... -> classes.
  int inputs = 784;
  std::vector<int> hidden{1280};
  int classes = 10;

  // Time.
  int timesteps = 50;
  double tau_divisor = 10.0;  // tau = T / tau_divisor (paper: 10)

  // Encoding.
  double input_rate = 0.4;  // average spike probability of a full-intensity pixel (paper: 0.3..0.5)
  InputProfile input_profile = InputProfile::kFrontLoaded;
  double label_rate = 0.5;  // target train of the true class

  // Fixed-point widths (signed registers).
  int weight_bits = kWeightBits;
  int charge_bits = kChargeBits;
  int potential_bits = kPotentialBits;

  // Thresholds, in weight LSBs unless stated.
  // theta = 2^14 LSB makes one pulse 1/4096 theta: fine enough for rate updates (docs/theory.md).
  int32_t theta = 16384;      // hidden forward neurons (the paper's theta = 5 sets the weight unit)
  // Per hidden layer (first hidden layer first), theta multiplier; empty or missing entries mean 1.
  // A hidden layer fed by another hidden layer sees far fewer input spikes than one fed by pixels.
  std::vector<double> theta_ratio{};
  int32_t theta_out = 16384;  // output forward neurons
  int32_t theta_grad = 1024;  // hidden gradient neurons (theta_b): gradient gain theta/theta_grad
  // Per hidden layer (first hidden layer first), theta_grad multiplier; empty or missing entries
  // mean 1.  A deeper network compounds the gain theta/theta_grad once per hidden layer on the way
  // down, so its lower layers need a larger gradient threshold (docs/theory.md).
  std::vector<double> theta_grad_ratio{};
  int32_t err_unit = 256;     // charge one label/output spike brings to an output error neuron
  int32_t theta_err = 128;    // output error neurons (theta_N), in the same unit as err_unit
  // Hidden gradient gate: opens at the forward neuron's first spike (1.0, the paper) or, below 1,
  // once its membrane potential reaches gate_fraction x its threshold (surrogate gate).
  double gate_fraction = 1.0;
  // Where a hidden composite's membranes start each sample, as a fraction of their thresholds.
  // 0 (the paper): the spike count is floor(charge / theta); 0.5 rounds it to nearest instead, so a
  // neuron (or gradient stream) driven past half its threshold fires once rather than not at all.
  double forward_start = 0.0;   // hidden forward neurons, x forward_threshold
  double gradient_start = 0.0;  // hidden positive and negative gradient neurons, x theta_grad

  // Winner-take-all lateral inhibition at the output (inhibition in LSBs per output spike).
  bool wta = true;
  int32_t inhibition = 4096;

  // Learning.
  UpdateMode update_mode = UpdateMode::kStochastic;
  std::vector<int32_t> pulse{4};  // LSBs per coincidence, one entry per epoch (last one repeats)
  // Per weight layer, the pulse is max(1, round(pulse * ratio)); empty or missing entries mean 1.
  // A smaller ratio for the output weights curbs learning within the sample (docs/theory.md).
  std::vector<double> layer_pulse_ratio{};
  double noise_timesteps = 100;   // kNoise: the T whose stochastic-update variance is emulated
  double dropout_input = 0.0;     // drop probability of input pixels, per sample
  double dropout_hidden = 0.0;    // drop probability of hidden neurons, per sample
  double init_gain = 1.0;         // He-uniform bound sqrt(6/fan_in) * theta_post * init_gain
  // Training-set augmentation (host side, sw/include/ssnn/augment.hpp): each presented image is
  // mirrored left-right with probability 1/2 and moved by up to augment_shift pixels each way.
  bool augment_flip = false;
  int32_t augment_shift = 0;

  // Device non-idealities of the crossbar (all off by default).
  int device_states = 0;          // > 1: weights live on this many levels spanning the register
  double device_asymmetry = 0.0;  // down pulse = up pulse * (1 + asymmetry)
  int32_t pulse_noise = 0;        // pulse-to-pulse variation U{-n..n} LSB

  uint64_t seed = 1;

  // Derived.
  int layers() const { return static_cast<int>(hidden.size()) + 1; }  // weight layers
  int layer_size(int l) const;  // l = 0 inputs .. layers() classes
  int32_t pulse_for_epoch(int epoch) const;
  NeuronParams neuron_params() const;
  // Nominal forward threshold of layer 1..layers(): theta x ratio (hidden), theta_out (output).
  int32_t nominal_threshold(int layer) const;
  // Thresholds during training with dropout: theta * (1 - p_in) (inverted dropout), nominal otherwise.
  int32_t forward_threshold(int layer, bool training) const;
  int32_t inhibition_for(bool training) const;
  // Potential that opens a hidden layer's gradient gate: the forward threshold scaled by gate_fraction.
  int32_t gate_threshold(int layer, bool training) const;
  // Gradient threshold of layer `layer`: hidden layers (1..layers()-1) max(1, round(theta_grad * ratio)),
  // the output layer's error neurons (layers()) theta_err.
  int32_t gradient_threshold(int layer) const;
  // Start potentials of hidden layer `layer`'s forward and gradient neurons.
  int32_t forward_start_potential(int layer, bool training) const;
  int32_t gradient_start_potential(int layer) const;
  // The cross-point behaviour of weight layer `layer` (0 = input weights) during `epoch`.
  SynapseParams synapse_params(int epoch, int layer) const;

  void validate() const;  // throws ConfigError naming the offending option
};

// What inference may change in trained weights' configuration (`ssnn_golden eval`, `ssnn_chip_tb
// --load-weights`): the window, the kernel divisor and the master seed of the inference streams.
// Unset fields keep the trained value; the weights and every threshold stay as trained.
struct InferenceOverrides {
  int timesteps = 0;       // 0: trained T
  double tau_divisor = 0;  // 0: trained divisor
  bool reseed = false;     // draw the inference streams from `seed` instead of the trained seed
  uint64_t seed = 0;

  // The trained configuration with the overrides applied, validated (one-line error on a bad value).
  ModelConfig apply(const ModelConfig& trained) const;
};

void to_json(nlohmann::json& j, const ModelConfig& c);
void from_json(const nlohmann::json& j, ModelConfig& c);

}  // namespace ssnn
