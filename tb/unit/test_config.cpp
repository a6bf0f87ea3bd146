// ModelConfig: pulse sizes stay within 32 bits whatever the device options, validation of the
// update modes' accumulators, and a strict JSON form (checkpoints carry it).
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ssnn/config.hpp"
#include "ssnn/contract/synapse.hpp"

using namespace ssnn;

namespace {

ModelConfig network(int inputs, std::vector<int> hidden, int classes) {
  ModelConfig c;
  c.inputs = inputs;
  c.hidden = std::move(hidden);
  c.classes = classes;
  return c;
}

ModelConfig small_config() { return network(16, {8}, 4); }

// small_config() at `weight_bits` with thresholds that fit it (forward `theta`, gradient theta / 8,
// inhibition theta / 4) and a pulse of `pulse` LSBs times 1000 in every weight layer, past the
// pulse cap 2^(weight_bits + 1).
ModelConfig oversized_pulse_config(int weight_bits, int32_t theta, int32_t pulse) {
  ModelConfig c = small_config();
  c.weight_bits = weight_bits;
  c.theta = c.theta_out = theta;
  c.theta_grad = theta / 8;
  c.inhibition = theta / 4;
  c.pulse = {pulse};
  c.layer_pulse_ratio = {1000, 1000};
  return c;
}

// The one-line message validate() refuses `c` with, or "" when it accepts it.
std::string validation_error(const ModelConfig& c) {
  try {
    c.validate();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string config_error(const nlohmann::json& j) {
  ModelConfig c;
  try {
    from_json(j, c);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return validation_error(c);
}

// Every value of `bad` in `field` is refused naming `option`; `good` is accepted.
void expect_range(double ModelConfig::*field, std::initializer_list<double> bad, double good, const char* option) {
  ModelConfig c = small_config();
  for (double v : bad) {
    c.*field = v;
    EXPECT_NE(validation_error(c).find(option), std::string::npos) << option << " " << v;
  }
  c.*field = good;
  EXPECT_EQ(validation_error(c), "");
}

}  // namespace

TEST(Validate, GateFractionRange) {
  expect_range(&ModelConfig::gate_fraction, {0.0, -0.5, 1.5, std::nan("")}, 0.25, "--gate-fraction");
}

TEST(GateThreshold, FractionOfTheTrainingThreshold) {
  ModelConfig c = small_config();
  c.theta = 1000;
  c.dropout_input = 0.2;
  EXPECT_EQ(c.gate_threshold(1, false), 1000);  // 1.0: the forward threshold itself
  EXPECT_EQ(c.gate_threshold(1, true), c.forward_threshold(1, true));
  c.gate_fraction = 0.5;
  EXPECT_EQ(c.gate_threshold(1, false), 500);
  EXPECT_EQ(c.gate_threshold(1, true), 400);  // half of the dropout-scaled 800
  c.gate_fraction = 1e-9;
  EXPECT_EQ(c.gate_threshold(1, false), 1);  // never below one LSB
  // Old records without the key read as the paper's gate.
  nlohmann::json j = c;
  j.erase("gate_fraction");
  ModelConfig back;
  from_json(j, back);
  EXPECT_EQ(back.gate_fraction, 1.0);
}

TEST(Validate, StartFractionRange) {
  expect_range(&ModelConfig::forward_start, {-0.1, 1.0, 2.0, std::nan("")}, 0.5, "--forward-start");
  expect_range(&ModelConfig::gradient_start, {-0.1, 1.0, 2.0, std::nan("")}, 0.99, "--gradient-start");
}

TEST(StartPotential, FractionOfTheThresholdInUse) {
  ModelConfig c = small_config();
  c.theta = 1000;
  c.theta_grad = 300;
  c.dropout_input = 0.2;  // the first hidden layer's training threshold is 800 (inverted dropout)
  EXPECT_EQ(c.forward_start_potential(1, false), 0);  // the paper: every membrane starts at 0
  EXPECT_EQ(c.gradient_start_potential(1), 0);
  c.forward_start = 0.5;
  c.gradient_start = 0.5;
  EXPECT_EQ(c.forward_start_potential(1, false), 500);
  EXPECT_EQ(c.forward_start_potential(1, true), 400);  // half of the dropout-scaled 800
  EXPECT_EQ(c.gradient_start_potential(1), 150);
  nlohmann::json j = c;
  j.erase("forward_start");
  j.erase("gradient_start");
  ModelConfig back;
  from_json(j, back);  // records older than the option read as the paper's start
  EXPECT_EQ(back.forward_start, 0.0);
  EXPECT_EQ(back.gradient_start, 0.0);
}

TEST(GradientThreshold, PerHiddenLayerRatio) {
  ModelConfig c = small_config();
  c.hidden = {8, 6, 4};
  c.theta_grad = 300;
  EXPECT_EQ(c.gradient_threshold(1), 300);  // no ratio: one threshold for every hidden layer
  EXPECT_EQ(c.gradient_threshold(3), 300);
  c.theta_grad_ratio = {8, 0.5};  // the third hidden layer has no entry: ratio 1
  EXPECT_EQ(validation_error(c), "");
  EXPECT_EQ(c.gradient_threshold(1), 2400);
  EXPECT_EQ(c.gradient_threshold(2), 150);
  EXPECT_EQ(c.gradient_threshold(3), 300);
  EXPECT_EQ(c.gradient_threshold(4), c.theta_err);  // the output error neurons
  c.theta_grad_ratio = {1e-9};
  EXPECT_EQ(c.gradient_threshold(1), 1);  // never below one LSB
  c.gradient_start = 0.5;
  c.theta_grad_ratio = {8};
  EXPECT_EQ(c.gradient_start_potential(1), 1200);  // the start follows the layer's own threshold
  EXPECT_EQ(c.gradient_start_potential(2), 150);
  for (const std::vector<double>& bad : std::vector<std::vector<double>>{{1, 1, 1, 1}, {0}, {-1}, {std::nan("")}, {1e7}}) {
    c.theta_grad_ratio = bad;
    EXPECT_NE(validation_error(c).find("--theta-grad-ratio"), std::string::npos) << bad.size() << " " << bad[0];
  }
  c.theta_grad_ratio = {1e6};  // 3e8 LSBs: beyond a 24-bit potential register
  c.potential_bits = 24;
  EXPECT_NE(validation_error(c).find("exceeds the 24-bit potential register"), std::string::npos);
  nlohmann::json j = c;
  j.erase("theta_grad_ratio");
  ModelConfig back;
  from_json(j, back);  // records older than the option: one threshold for all
  EXPECT_TRUE(back.theta_grad_ratio.empty());
}

TEST(ForwardThreshold, PerHiddenLayerRatio) {
  ModelConfig c = small_config();
  c.hidden = {8, 6, 4};
  c.theta = 1000;
  c.theta_out = 700;
  c.dropout_hidden = 0.5;
  c.theta_ratio = {1, 0.25};  // the third hidden layer has no entry: ratio 1
  EXPECT_EQ(validation_error(c), "");
  EXPECT_EQ(c.nominal_threshold(1), 1000);
  EXPECT_EQ(c.nominal_threshold(2), 250);
  EXPECT_EQ(c.nominal_threshold(3), 1000);
  EXPECT_EQ(c.nominal_threshold(4), 700);  // the output keeps theta_out
  EXPECT_EQ(c.forward_threshold(2, true), 125);  // inverted dropout on the hidden inputs
  EXPECT_EQ(c.gate_threshold(2, false), 250);
  for (const std::vector<double>& bad : std::vector<std::vector<double>>{{1, 1, 1, 1}, {0}, {-2}, {std::nan("")}}) {
    c.theta_ratio = bad;
    EXPECT_NE(validation_error(c).find("--theta-ratio"), std::string::npos) << bad.size() << " " << bad[0];
  }
  c.theta_ratio = {1, 1e5};  // 1e8 LSBs: beyond a 24-bit potential register
  c.potential_bits = 24;
  EXPECT_NE(validation_error(c).find("hidden layer 2's threshold exceeds"), std::string::npos);
  nlohmann::json j = c;
  j.erase("theta_ratio");
  ModelConfig back;
  from_json(j, back);  // records older than the option: one hidden threshold for all
  EXPECT_TRUE(back.theta_ratio.empty());
}

TEST(SynapseParams, HugePulsesAreClampedNotOverflowed) {
  // 8000 LSB x ratio 1000 x device level 8191 x (1 + 5) is about 4e11: far beyond 32 bits.
  ModelConfig c = oversized_pulse_config(14, 4000, 8000);
  c.device_states = 3;
  c.device_asymmetry = 5;
  ASSERT_NO_THROW(c.validate());
  const SynapseParams p = c.synapse_params(0, 0);
  const int32_t cap = int32_t{1} << (c.weight_bits + 1);
  EXPECT_EQ(p.pulse_up, cap);
  EXPECT_EQ(p.pulse_down, cap);
  EXPECT_EQ(p.w_max, 8191);
  EXPECT_EQ(p.w_min, -8191);
}

TEST(SynapseParams, SmallPulsesAreUnchanged) {
  ModelConfig c = small_config();
  c.pulse = {4, 2};
  c.layer_pulse_ratio = {1, 0.25};
  c.device_asymmetry = 0.5;
  EXPECT_EQ(c.synapse_params(0, 0).pulse_up, 4);
  EXPECT_EQ(c.synapse_params(0, 0).pulse_down, 6);
  EXPECT_EQ(c.synapse_params(0, 1).pulse_up, 1);
  EXPECT_EQ(c.synapse_params(1, 0).pulse_up, 2);
  EXPECT_EQ(c.synapse_params(1, 0).pulse_down, 3);
  c.device_asymmetry = -0.5;
  c.device_states = 5;  // half = 2 levels of 16383
  EXPECT_EQ(c.synapse_params(0, 0).pulse_up, 4 * 16383);
  EXPECT_EQ(c.synapse_params(0, 0).pulse_down, 2 * 16383);
}

TEST(SynapseParams, AClampedPulseMovesEveryWeightToTheSameBound) {
  // The clamp is invisible to coincidence updates: any pulse at the cap already crosses the whole
  // weight range, even with the largest pulse-to-pulse variation subtracted.
  ModelConfig c = oversized_pulse_config(8, 100, 127);
  c.pulse_noise = 127;
  ASSERT_NO_THROW(c.validate());
  const SynapseParams clamped = c.synapse_params(0, 0);
  SynapseParams huge = clamped;
  huge.pulse_up = huge.pulse_down = 127000;
  for (int32_t w = clamped.w_min; w <= clamped.w_max; w += 17)
    for (uint32_t word = 0; word < 4096; word += 37) {
      EXPECT_EQ(coincidence_update(clamped, w, true, true, false, word), coincidence_update(huge, w, true, true, false, word));
      EXPECT_EQ(coincidence_update(clamped, w, true, false, true, word), coincidence_update(huge, w, true, false, true, word));
    }
}

TEST(Validate, StochasticSampleSumMustFit32Bits) {
  ModelConfig c = small_config();
  c.update_mode = UpdateMode::kStochasticSample;
  c.timesteps = 100000;
  c.pulse = {30000};
  const std::string pulse_error = validation_error(c);
  EXPECT_NE(pulse_error.find("--pulse"), std::string::npos)
      << (pulse_error.empty() ? "accepted T x pulse beyond 32 bits" : pulse_error);
  c.timesteps = 50;
  EXPECT_NO_THROW(c.validate());
  c.update_mode = UpdateMode::kStochastic;  // per-step updates saturate at once: no sum to overflow
  c.timesteps = 100000;
  EXPECT_NO_THROW(c.validate());
}

// The step accumulator bound is exact: fan-in x 2^(weight_bits-1) < 2^30.  784-1280-10 takes 20-bit
// weights (1280 x 2^19 = 0.625 x 2^30) but not 21-bit ones; a fan-in of 2048 stops at 19 bits.
TEST(Validate, StepAccumulatorBoundIsExact) {
  ModelConfig c = network(784, {1280}, 10);
  c.weight_bits = 20;
  c.theta = c.theta_out = 131072;
  EXPECT_NO_THROW(c.validate());
  c.weight_bits = 21;
  const std::string width_error = validation_error(c);
  EXPECT_NE(width_error.find("--weight-bits: 21 bits times a fan-in of 1280"), std::string::npos)
      << (width_error.empty() ? "accepted 21-bit weights at fan-in 1280" : width_error);
  c.weight_bits = 20;
  c.hidden = {2048};  // 2048 x 2^19 = 2^30 exactly: one too many
  EXPECT_THROW(c.validate(), ConfigError);
  c.hidden = {2047};
  EXPECT_NO_THROW(c.validate());
  c.weight_bits = 19;
  c.hidden = {2048};
  EXPECT_NO_THROW(c.validate());
}

TEST(Validate, NoiseTimestepsMustBeFinite) {
  ModelConfig c = small_config();
  c.noise_timesteps = std::numeric_limits<double>::infinity();
  EXPECT_THROW(c.validate(), ConfigError);
  c.noise_timesteps = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(c.validate(), ConfigError);
}

// A flat input profile may spike at every step (rate 1, the chip's stress test); the front-loaded
// ramp peaks at twice its mean, so it stops at 0.5.
TEST(Validate, InputRateRangeDependsOnTheProfile) {
  ModelConfig c = small_config();
  c.input_profile = InputProfile::kFlat;
  c.input_rate = 1.0;
  EXPECT_NO_THROW(c.validate());
  c.input_rate = 1.5;
  EXPECT_THROW(c.validate(), ConfigError);
  c.input_profile = InputProfile::kFrontLoaded;
  c.input_rate = 0.5;
  EXPECT_NO_THROW(c.validate());
  c.input_rate = 0.6;
  const std::string rate_error = validation_error(c);
  EXPECT_NE(rate_error.find("--input-rate"), std::string::npos)
      << (rate_error.empty() ? "accepted a front-loaded rate above 0.5" : rate_error);
}

TEST(ConfigJson, RoundTrip) {
  ModelConfig c = small_config();
  c.pulse = {8, 4, 2};
  c.layer_pulse_ratio = {1, 0.5};
  c.seed = std::numeric_limits<uint64_t>::max();
  c.update_mode = UpdateMode::kRate;
  const nlohmann::json j = c;
  ModelConfig back;
  from_json(j, back);
  EXPECT_EQ(nlohmann::json(back), j);
}

TEST(ConfigJson, WrongTypesAndRangesAreConfigErrorsNamingTheKey) {
  const nlohmann::json good = small_config();
  struct Case {
    const char* key;
    nlohmann::json value;
  };
  const Case cases[] = {
      {"inputs", 1e10},                 // a float where an int belongs (a plain cast would be undefined)
      {"inputs", 3.5},
      {"inputs", "784"},
      {"timesteps", 4294967296LL},      // beyond 32 bits
      {"theta", -4294967296LL},
      {"seed", -1},                     // negative into an unsigned field
      {"hidden", 8},                    // not an array
      {"hidden", nlohmann::json::array({8, "x"})},
      {"pulse", nlohmann::json::array({1e12})},
      {"wta", 1},
      {"tau_divisor", "ten"},
      {"update_mode", 3},
      {"input_profile", nullptr},
  };
  for (const Case& k : cases) {
    nlohmann::json j = good;
    j[k.key] = k.value;
    const std::string msg = config_error(j);
    EXPECT_NE(msg.find(k.key), std::string::npos) << k.key << " = " << k.value.dump() << ": '" << msg << "'";
  }
  EXPECT_NE(config_error(nlohmann::json::array({1, 2})).find("object"), std::string::npos);
  EXPECT_EQ(config_error(good), "");
}

TEST(InferenceOverrides, UnsetKeepsTheTrainedConfigSetReplacesOnlyItsField) {
  ModelConfig trained;
  trained.timesteps = 100;
  trained.tau_divisor = 50;
  trained.seed = 101;
  trained.theta = 65536;
  const ModelConfig same = InferenceOverrides{}.apply(trained);
  EXPECT_EQ(nlohmann::json(same), nlohmann::json(trained));

  InferenceOverrides longer;
  longer.timesteps = 400;
  longer.tau_divisor = 200;
  ModelConfig c = longer.apply(trained);
  EXPECT_EQ(c.timesteps, 400);
  EXPECT_DOUBLE_EQ(c.tau_divisor, 200.0);
  EXPECT_EQ(c.seed, 101u);
  EXPECT_EQ(c.theta, 65536);

  InferenceOverrides reseeded;
  reseeded.seed = 0;  // a seed of 0 is a seed, not "unset": reseed says whether it applies
  EXPECT_EQ(reseeded.apply(trained).seed, 101u);
  reseeded.reseed = true;
  c = reseeded.apply(trained);
  EXPECT_EQ(c.seed, 0u);
  EXPECT_EQ(c.timesteps, 100);

  InferenceOverrides absurd;
  absurd.timesteps = 1000000;  // validated like a trained configuration
  EXPECT_THROW(absurd.apply(trained), ConfigError);
}
