// ModelConfig: derived quantities, validation and JSON form.
#include "ssnn/config.hpp"
#include "ssnn/device.hpp"
#include "ssnn/enum_names.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>


namespace ssnn {

namespace {
constexpr EnumName<UpdateMode> kUpdateModes[] = {{UpdateMode::kStochastic, "stochastic"},
                                                 {UpdateMode::kStochasticSample, "stochastic-sample"},
                                                 {UpdateMode::kRate, "rate"},
                                                 {UpdateMode::kNoise, "noise"}};
constexpr EnumName<InputProfile> kInputProfiles[] = {
    {InputProfile::kFrontLoaded, "front-loaded"}, {InputProfile::kFrontLoaded, "ramp"}, {InputProfile::kFlat, "flat"}};
}  // namespace

const char* to_string(UpdateMode mode) { return name_of(kUpdateModes, mode); }

UpdateMode parse_update_mode(const std::string& name) {
  if (const auto mode = value_named(kUpdateModes, name)) return *mode;
  throw ConfigError(
      fmt::format("--mode: unknown update mode '{}' (expected stochastic, stochastic-sample, rate or noise)", name));
}

const char* to_string(InputProfile profile) { return name_of(kInputProfiles, profile); }

InputProfile parse_input_profile(const std::string& name) {
  if (const auto profile = value_named(kInputProfiles, name)) return *profile;
  throw ConfigError(fmt::format("--input-profile: unknown profile '{}' (expected front-loaded or flat)", name));
}

int ModelConfig::layer_size(int l) const {
  if (l == 0) return inputs;
  if (l == layers()) return classes;
  return hidden.at(static_cast<size_t>(l - 1));
}

int32_t ModelConfig::pulse_for_epoch(int epoch) const {
  const size_t i = static_cast<size_t>(epoch < 0 ? 0 : epoch);
  return i < pulse.size() ? pulse[i] : pulse.back();
}

NeuronParams ModelConfig::neuron_params() const {
  return NeuronParams{filter_beta_q16(timesteps, tau_divisor), charge_bits, potential_bits};
}

namespace {
double dropout_into(const ModelConfig& c, int layer) {
  // Dropout on the inputs of `layer` (1-based post layer): pixels for layer 1, hidden units above.
  return layer == 1 ? c.dropout_input : c.dropout_hidden;
}
// The largest pulse synapse_params() hands out: twice the register span, at least the widest
// weight range (2^weight_bits - 1) plus the largest pulse-to-pulse variation (< 2^(weight_bits-1)).
// A clamped pulse therefore still takes any weight to its bound in one coincidence, exactly as the
// unclamped pulse would, and pulse arithmetic stays far from 32-bit overflow.
double pulse_cap(int weight_bits) { return std::ldexp(1.0, weight_bits + 1); }
int32_t scaled(int32_t value, double keep) {
  const auto v = static_cast<int32_t>(std::lround(value * keep));
  return v < 1 ? 1 : v;
}
// A per-hidden-layer threshold: `base` x the layer's entry of `ratio` (hidden layer 1 first; a
// missing entry is 1), at least one LSB.
int32_t per_hidden_layer(int32_t base, const std::vector<double>& ratio, int layer) {
  const auto k = static_cast<size_t>(layer - 1);
  return layer < 1 || k >= ratio.size() ? base : scaled(base, ratio[k]);
}
}  // namespace

int32_t ModelConfig::nominal_threshold(int layer) const {
  return layer == layers() ? theta_out : per_hidden_layer(theta, theta_ratio, layer);
}

int32_t ModelConfig::forward_threshold(int layer, bool training) const {
  const int32_t nominal = nominal_threshold(layer);
  return training ? scaled(nominal, 1.0 - dropout_into(*this, layer)) : nominal;
}

int32_t ModelConfig::gate_threshold(int layer, bool training) const {
  const int32_t forward = forward_threshold(layer, training);
  return gate_fraction >= 1.0 ? forward : scaled(forward, gate_fraction);
}

int32_t ModelConfig::gradient_threshold(int layer) const {
  if (layer == layers()) return theta_err;
  return per_hidden_layer(theta_grad, theta_grad_ratio, layer);
}

int32_t ModelConfig::forward_start_potential(int layer, bool training) const {
  return static_cast<int32_t>(std::lround(forward_threshold(layer, training) * forward_start));
}

int32_t ModelConfig::gradient_start_potential(int layer) const {
  return static_cast<int32_t>(std::lround(gradient_threshold(layer) * gradient_start));
}

int32_t ModelConfig::inhibition_for(bool training) const {
  if (!wta) return 0;
  return training ? scaled(inhibition, 1.0 - dropout_into(*this, layers())) : inhibition;
}

SynapseParams ModelConfig::synapse_params(int epoch, int layer) const {
  SynapseParams p;
  // Computed in double and clamped to pulse_cap(): a pulse times a ratio, a device level and an
  // asymmetry factor can exceed 32 bits.
  double step = pulse_for_epoch(epoch);
  if (layer >= 0 && static_cast<size_t>(layer) < layer_pulse_ratio.size())
    step = std::max(1.0, static_cast<double>(std::lround(step * layer_pulse_ratio[static_cast<size_t>(layer)])));
  p.w_min = signed_min(weight_bits);
  p.w_max = signed_max(weight_bits);
  if (device_states > 1) {
    const int32_t half = (device_states - 1) / 2 > 0 ? (device_states - 1) / 2 : 1;
    const int32_t level = signed_max(weight_bits) / half;
    p.w_max = half * level;
    p.w_min = -half * level;
    step *= level;
  }
  const double cap = pulse_cap(weight_bits);
  p.pulse_up = static_cast<int32_t>(std::min(step, cap));
  p.pulse_down = static_cast<int32_t>(std::llround(std::min(step * (1.0 + device_asymmetry), cap)));
  p.pulse_noise = pulse_noise;
  return p;
}

int32_t ModelConfig::state_quantum() const {
  if (device_states <= 1) return 1;
  const int32_t half = (device_states - 1) / 2 > 0 ? (device_states - 1) / 2 : 1;
  return signed_max(weight_bits) / half;
}

DeviceRule ModelConfig::device_rule() const { return ssnn::device_rule(device_params, synapse_params(0, 0).w_max); }

ModelConfig InferenceOverrides::apply(const ModelConfig& trained) const {
  ModelConfig c = trained;
  if (timesteps > 0) c.timesteps = timesteps;
  if (tau_divisor > 0) c.tau_divisor = tau_divisor;
  if (reseed) c.seed = seed;
  c.validate();
  return c;
}

void ModelConfig::validate() const {
  auto fail = [](const std::string& msg) { throw ConfigError(msg); };
  if (inputs < 1 || inputs > 65536) fail(fmt::format("inputs: {} pixels per image is out of range 1..65536", inputs));
  if (hidden.empty()) fail("--hidden: at least one hidden layer is required");
  for (int h : hidden)
    if (h < 1 || h > 65536) fail(fmt::format("--hidden: layer size {} is out of range 1..65536", h));
  if (classes < 2 || classes > 64) fail(fmt::format("--classes: {} is out of range 2..64", classes));
  if (timesteps < 1 || timesteps > 100000)
    fail(fmt::format("--timesteps: {} is out of range 1..100000", timesteps));
  if (!(tau_divisor > 0) || tau_divisor > 1e6) fail(fmt::format("--tau-divisor: {} must be > 0", tau_divisor));
  // The front-loaded ramp peaks at twice the mean rate, so it allows half the flat profile's range.
  if (input_profile == InputProfile::kFlat ? !(input_rate > 0) || input_rate > 1
                                           : !(input_rate > 0) || input_rate > 0.5)
    fail(input_profile == InputProfile::kFlat
             ? fmt::format("--input-rate: {} is out of range (0, 1] (flat profile)", input_rate)
             : fmt::format("--input-rate: {} is out of range (0, 0.5] (the front-loaded ramp peaks at twice it)",
                           input_rate));
  if (!(label_rate > 0) || label_rate > 1) fail(fmt::format("--label-rate: {} is out of range (0, 1]", label_rate));
  if (weight_bits < 2 || weight_bits > 24) fail(fmt::format("--weight-bits: {} is out of range 2..24", weight_bits));
  if (charge_bits < 8 || charge_bits > 30) fail(fmt::format("--charge-bits: {} is out of range 8..30", charge_bits));
  if (potential_bits < 8 || potential_bits > 30)
    fail(fmt::format("--potential-bits: {} is out of range 8..30", potential_bits));
  // Within-step accumulators are 32-bit and the step functions need |input| < 2^30 (neuron.hpp):
  // the widest fan-in times the largest weight magnitude, 2^(weight_bits-1) (the most negative
  // register value), must stay below 2^30.  Exact, not rounded up to whole bits: 1,280 inputs of
  // 20-bit weights reach at most 671,088,640 < 2^30.
  int max_fan_in = inputs;
  for (int l = 1; l <= layers(); ++l) max_fan_in = std::max(max_fan_in, layer_size(l));
  if ((int64_t{max_fan_in} << (weight_bits - 1)) >= (int64_t{1} << 30))
    fail(fmt::format("--weight-bits: {} bits times a fan-in of {} overflows the 30-bit step accumulator",
                     weight_bits, max_fan_in));
  auto check_threshold = [&](const char* name, int64_t v, int bits) {
    if (v < 1) fail(fmt::format("{}: {} must be at least 1", name, v));
    if (v > signed_max(bits))
      fail(fmt::format("{}: {} exceeds the {}-bit potential register, the neuron could never fire", name, v, bits));
  };
  check_threshold("--theta", theta, potential_bits);
  check_threshold("--theta-out", theta_out, potential_bits);
  check_threshold("--theta-grad", theta_grad, potential_bits);
  check_threshold("--theta-err", theta_err, potential_bits);
  check_threshold("--err-unit", err_unit, charge_bits);
  if (theta > int64_t{signed_max(weight_bits)} * inputs)
    fail(fmt::format("--theta: {} can never be reached by {} inputs of {}-bit weights", theta, inputs, weight_bits));
  if (!(gate_fraction > 0) || gate_fraction > 1)
    fail(fmt::format("--gate-fraction: {} is out of range (0, 1]", gate_fraction));
  if (!(forward_start >= 0) || forward_start >= 1)
    fail(fmt::format("--forward-start: {} is out of range [0, 1)", forward_start));
  if (!(gradient_start >= 0) || gradient_start >= 1)
    fail(fmt::format("--gradient-start: {} is out of range [0, 1)", gradient_start));
  if (inhibition < 0 || inhibition > signed_max(potential_bits))
    fail(fmt::format("--inhibition: {} is out of range 0..{}", inhibition, signed_max(potential_bits)));
  if (pulse.empty()) fail("--pulse: at least one value is required");
  for (int32_t p : pulse)
    if (p < 1 || p > signed_max(weight_bits))
      fail(fmt::format("--pulse: {} is out of range 1..{} for {}-bit weights", p, signed_max(weight_bits),
                       weight_bits));
  auto check_ratios = [&](const char* name, const char* what, int32_t base, const std::vector<double>& ratio) {
    if (ratio.size() > hidden.size()) fail(fmt::format("{}: {} values for {} hidden layers", name, ratio.size(), hidden.size()));
    for (size_t k = 0; k < ratio.size(); ++k) {
      if (!(ratio[k] > 0) || ratio[k] > 1e6) fail(fmt::format("{}: {} is out of range (0, 1e6]", name, ratio[k]));
      if (base * ratio[k] > static_cast<double>(signed_max(potential_bits)))
        fail(fmt::format("{}: hidden layer {}'s {} exceeds the {}-bit potential register", name, k + 1, what,
                         potential_bits));
    }
  };
  check_ratios("--theta-ratio", "threshold", theta, theta_ratio);
  check_ratios("--theta-grad-ratio", "gradient threshold", theta_grad, theta_grad_ratio);
  if (layer_pulse_ratio.size() > static_cast<size_t>(layers()))
    fail(fmt::format("--layer-pulse-ratio: {} values for {} weight layers", layer_pulse_ratio.size(), layers()));
  for (double r : layer_pulse_ratio)
    if (!(r > 0) || r > 1000) fail(fmt::format("--layer-pulse-ratio: {} is out of range (0, 1000]", r));
  if (!(noise_timesteps >= 1) || noise_timesteps > 1e9)
    fail(fmt::format("--noise-timesteps: {} is out of range 1..1e9", noise_timesteps));
  if (!(dropout_input >= 0 && dropout_input < 1))
    fail(fmt::format("--dropout-input: {} is out of range [0, 1)", dropout_input));
  if (!(dropout_hidden >= 0 && dropout_hidden < 1))
    fail(fmt::format("--dropout-hidden: {} is out of range [0, 1)", dropout_hidden));
  if (augment_shift < 0 || augment_shift > kMaxAugmentShift)
    fail(fmt::format("--augment-shift: {} is out of range 0..{} pixels", augment_shift, kMaxAugmentShift));
  if (!(init_gain > 0) || init_gain > 100) fail(fmt::format("--init-gain: {} is out of range (0, 100]", init_gain));
  if (device_states < 0 || device_states == 1 || device_states > (1 << 20))
    fail(fmt::format("--device-states: {} must be 0 (ideal) or 2..1048576", device_states));
  if (device_states > 1 && device_states - 1 > 2 * int64_t{signed_max(weight_bits)})
    fail(fmt::format("--device-states: {} levels do not fit in {}-bit weights", device_states, weight_bits));
  if (!(device_asymmetry > -1) || device_asymmetry > 10)
    fail(fmt::format("--device-asymmetry: {} is out of range (-1, 10]", device_asymmetry));
  if (pulse_noise < 0 || pulse_noise > signed_max(weight_bits))
    fail(fmt::format("--pulse-noise: {} is out of range 0..{}", pulse_noise, signed_max(weight_bits)));
  if (!device_params.pulses_ideal()) {
    if (update_mode != UpdateMode::kStochastic)
      fail(fmt::format("--device {}: the device model acts on coincidence pulses; it needs --mode stochastic (--mode {})",
                       device, to_string(update_mode)));
    if (pulse_noise != 0)
      fail(fmt::format("--pulse-noise: {} cannot be combined with --device {} (its cycle-to-cycle noise is "
                       "--device-param dw_min_std)", pulse_noise, device));
  }
  check_device_params(device_params);
  if (update_mode == UpdateMode::kStochasticSample) {
    // The per-sample sum of up to T coincidence pulses is held in a 32-bit accumulator per cross-point.
    int64_t largest = 0;
    for (size_t e = 0; e < pulse.size(); ++e)
      for (int l = 0; l < layers(); ++l) {
        const SynapseParams sp = synapse_params(static_cast<int>(e), l);
        largest = std::max<int64_t>(largest, std::max(sp.pulse_up, sp.pulse_down));
      }
    if (largest * timesteps > std::numeric_limits<int32_t>::max())
      fail(fmt::format("--pulse: with --mode stochastic-sample, {} coincidences of up to {} LSB overflow the 32-bit "
                       "per-sample sum (lower --pulse or --timesteps)", timesteps, largest));
  }
}


namespace {

// Strict JSON readers: a value of the wrong type or out of its field's range is a ConfigError naming
// the key (nlohmann's own conversions would cast 1e10 or -1 into an int without complaint).
[[noreturn]] void bad_field(const char* key, const nlohmann::json& v, const char* expected) {
  // Structured values by type only: dump() recurses once per nesting level.
  std::string text = v.is_structured() ? std::string("an ") + v.type_name() : v.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  throw ConfigError(fmt::format("config: '{}' is {}, expected {}", key, text, expected));
}

template <typename T>
T json_integer(const char* key, const nlohmann::json& v) {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
  using Lim = std::numeric_limits<T>;
  if (v.is_number_unsigned()) {
    const auto x = v.get<uint64_t>();
    if (x <= static_cast<uint64_t>(Lim::max())) return static_cast<T>(x);
  } else if (v.is_number_integer()) {
    const auto x = v.get<int64_t>();
    if (x >= 0 ? static_cast<uint64_t>(x) <= static_cast<uint64_t>(Lim::max())
               : Lim::is_signed && x >= static_cast<int64_t>(Lim::min()))
      return static_cast<T>(x);
  }
  bad_field(key, v, Lim::is_signed ? "a 32-bit integer" : "a non-negative 64-bit integer");
}

void read_value(const char* key, const nlohmann::json& v, bool& out) {
  if (!v.is_boolean()) bad_field(key, v, "true or false");
  out = v.get<bool>();
}
void read_value(const char* key, const nlohmann::json& v, double& out) {
  if (!v.is_number()) bad_field(key, v, "a number");
  out = v.get<double>();
}
void read_value(const char* key, const nlohmann::json& v, int32_t& out) { out = json_integer<int32_t>(key, v); }
void read_value(const char* key, const nlohmann::json& v, uint64_t& out) { out = json_integer<uint64_t>(key, v); }
void read_value(const char* key, const nlohmann::json& v, std::string& out) {
  if (!v.is_string()) bad_field(key, v, "a string");
  out = v.get<std::string>();
}
template <typename T>
void read_value(const char* key, const nlohmann::json& v, std::vector<T>& out) {
  if (!v.is_array()) bad_field(key, v, "an array");
  if (v.size() > 65536) bad_field(key, v, "at most 65536 values");
  std::vector<T> values(v.size());
  for (size_t i = 0; i < v.size(); ++i) read_value(key, v[i], values[i]);
  out = std::move(values);
}

void read_value(const char* key, const nlohmann::json& v, InputProfile& out) {
  std::string name;
  read_value(key, v, name);
  out = parse_input_profile(name);
}
void read_value(const char* key, const nlohmann::json& v, UpdateMode& out) {
  std::string name;
  read_value(key, v, name);
  out = parse_update_mode(name);
}

// A field as a record holds it.
template <typename T>
nlohmann::json record_value(const T& field) {
  if constexpr (std::is_enum_v<T>) {
    return to_string(field);
  } else {
    return field;
  }
}

// Every field of a record's "config" but the device, with its key, in record order: to_json and
// from_json both walk this list, so each key is written once. The enums travel as their names.
template <class Config, class Visit>
void visit_fields(Config& c, Visit&& visit) {
  visit("inputs", c.inputs);
  visit("hidden", c.hidden);
  visit("classes", c.classes);
  visit("timesteps", c.timesteps);
  visit("tau_divisor", c.tau_divisor);
  visit("input_rate", c.input_rate);
  visit("input_profile", c.input_profile);
  visit("label_rate", c.label_rate);
  visit("weight_bits", c.weight_bits);
  visit("charge_bits", c.charge_bits);
  visit("potential_bits", c.potential_bits);
  visit("theta", c.theta);
  visit("theta_out", c.theta_out);
  visit("theta_grad", c.theta_grad);
  visit("err_unit", c.err_unit);
  visit("theta_err", c.theta_err);
  visit("gate_fraction", c.gate_fraction);  // absent in records older than the surrogate gate: 1.0
  visit("forward_start", c.forward_start);  // absent in older records: 0
  visit("gradient_start", c.gradient_start);
  visit("wta", c.wta);
  visit("inhibition", c.inhibition);
  visit("update_mode", c.update_mode);
  visit("pulse", c.pulse);
  visit("layer_pulse_ratio", c.layer_pulse_ratio);
  visit("theta_grad_ratio", c.theta_grad_ratio);  // absent in older records: one threshold for all layers
  visit("theta_ratio", c.theta_ratio);
  visit("noise_timesteps", c.noise_timesteps);
  visit("dropout_input", c.dropout_input);
  visit("dropout_hidden", c.dropout_hidden);
  visit("init_gain", c.init_gain);
  visit("augment_flip", c.augment_flip);
  visit("augment_shift", c.augment_shift);
  visit("device_states", c.device_states);
  visit("device_asymmetry", c.device_asymmetry);
  visit("pulse_noise", c.pulse_noise);
  visit("seed", c.seed);
}

}  // namespace

void to_json(nlohmann::json& j, const ModelConfig& c) {
  j = nlohmann::json::object();
  visit_fields(c, [&](const char* key, const auto& field) { j[key] = record_value(field); });
  // Only a non-ideal device is recorded, so the records of the ideal one stay as they were.
  if (c.device != "ideal" || !c.device_params.ideal()) {
    j["device"] = c.device;
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [name, value] : device_param_values(c.device_params)) params[name] = value;
    j["device_params"] = params;
  }
}

void from_json(const nlohmann::json& j, ModelConfig& c) {
  ModelConfig d;  // absent keys keep their defaults
  c = d;
  if (!j.is_object()) throw ConfigError("config: expected a JSON object");
  visit_fields(c, [&](const char* key, auto& field) {
    if (j.contains(key)) read_value(key, j.at(key), field);
  });
  if (j.contains("device")) read_value("device", j.at("device"), c.device);
  if (j.contains("device_params")) {
    const nlohmann::json& params = j.at("device_params");
    if (!params.is_object()) bad_field("device_params", params, "an object");
    for (const auto& [name, value] : params.items()) {
      double v = 0;
      read_value("device_params", value, v);
      set_device_param(c, name + "=" + fmt::format("{}", v));
    }
  }
}

}  // namespace ssnn
