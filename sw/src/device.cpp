// Device presets and the --device / --device-param options (ssnn/device.hpp).
#include "ssnn/device.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace ssnn {

namespace {
const char* kAihwkit = "IBM aihwkit, src/aihwkit/simulator/presets/devices.py";
}  // namespace

const std::vector<DevicePreset>& device_presets() {
  static const std::vector<DevicePreset> presets = [] {
    std::vector<DevicePreset> v;
    v.push_back({"ideal", "no non-ideality: the register's own states, exact symmetric pulses, no noise", DeviceParams{}, 0,
                 {{"all", "the ideal digital device of the SSNN-BP algorithm"}}});
    {
      DeviceParams p;
      const int states = 1201;
      p.dw_min_dtod = 0.3;
      p.dw_min_std = 0.3;
      p.up_down = 0.0;
      p.up_down_dtod = 0.01;
      p.w_bound_dtod = 0.3;
      p.read_noise = 0.1;
      v.push_back({"rpu-spec",
                   "the RPU device specification of Gokmen and Vlasov (Front. Neurosci. 10:333, 2016) as IBM aihwkit "
                   "encodes it (its default pulsed device is that tile model)",
                   p,
                   states,
                   {{"states", "aihwkit PulsedDevice defaults dw_min = 0.001 over w_min..w_max = -0.6..0.6: 1200 steps, "
                               "1201 states (aihwkit GokmenVlasovPresetDevice: 'to keep 1200 states')"},
                    {"dw_min_dtod", "aihwkit PulsedDevice default dw_min_dtod = 0.3"},
                    {"dw_min_std", "aihwkit PulsedDevice default dw_min_std = 0.3"},
                    {"up_down", "aihwkit PulsedDevice default up_down = 0.0"},
                    {"up_down_dtod", "aihwkit PulsedDevice default up_down_dtod = 0.01"},
                    {"w_bound_dtod", "aihwkit PulsedDevice defaults w_max_dtod = w_min_dtod = 0.3"},
                    {"read_noise", "aihwkit IOParameters default out_noise = 0.06 at w_max = 0.6: 0.1 of w_max"},
                    {"source", "aihwkit src/aihwkit/simulator/configs/devices.py and parameters/io.py; the tile docstring "
                               "of aihwkit's first release names Gokmen and Vlasov 2016 as its basic model"}}});
    }
    {
      DeviceParams p;
      const int states = 1001;
      p.dw_min_dtod = 0.3;
      p.dw_min_std = 3.75;
      p.up_down_dtod = 0.01;
      p.w_bound_dtod = 0.3;
      p.slope_up = 1.0;
      p.slope_down = 1.0;
      p.read_noise = 0.1;
      v.push_back({"reram",
                   "a filamentary ReRAM-like device with soft bounds and large cycle-to-cycle noise: aihwkit "
                   "ReRamSBPresetDevice (fit to Gong et al., Nat. Commun. 9, 2018)",
                   p,
                   states,
                   {{"states", std::string(kAihwkit) + ", ReRamSBPresetDevice dw_min = 0.002 over a range of 2: 1000 steps"},
                    {"slope_up/slope_down", "same preset: SoftBoundsReferenceDevice (soft bounds)"},
                    {"dw_min_dtod", "same preset: dw_min_dtod = 0.3"},
                    {"dw_min_std", "same preset: dw_min_std = 3.75 (additive, mult_noise False)"},
                    {"up_down_dtod", "same preset: up_down_dtod = 0.01"},
                    {"w_bound_dtod", "same preset: w_max_dtod = 0.3 / 1.25, w_min_dtod = 0.3 / 0.75; 0.3 of the range here"},
                    {"read_noise", "aihwkit PresetIOParameters out_noise = 0.1 at w_max = 1"}}});
    }
    {
      DeviceParams p;
      const int states = 1001;
      p.dw_min_dtod = 0.1;
      p.dw_min_std = 0.3;
      p.up_down_dtod = 0.01;
      p.w_bound_dtod = 0.05;
      p.slope_up = 0.1153;
      p.slope_down = 0.5085;
      p.read_noise = 0.1;
      v.push_back({"ecram",
                   "a Li-ion WO3 ECRAM-like device, near-linear with asymmetric state dependence: aihwkit "
                   "EcRamPresetDevice (fit to Tang et al., IEDM 2018)",
                   p,
                   states,
                   {{"states", std::string(kAihwkit) + ", EcRamPresetDevice dw_min = 0.002 over a range of 2: 1000 steps"},
                    {"slope_up/slope_down", "same preset: LinearStepDevice gamma_up = 0.1153, gamma_down = 0.5085"},
                    {"dw_min_dtod", "same preset: dw_min_dtod = 0.1"},
                    {"dw_min_std", "same preset: dw_min_std = 0.3"},
                    {"up_down_dtod", "same preset: up_down_dtod = 0.01"},
                    {"w_bound_dtod", "same preset: w_max_dtod = w_min_dtod = 0.05"},
                    {"read_noise", "aihwkit PresetIOParameters out_noise = 0.1 at w_max = 1"}}});
    }
    {
      DeviceParams p;
      const int states = 201;
      p.dw_min_dtod = 0.2;
      p.dw_min_std = 0.6;
      p.up_down_dtod = 0.05;
      p.w_bound_dtod = 0.1;
      p.slope_up = 1.0;
      p.slope_down = 1.0;
      p.read_noise = 0.1;
      v.push_back({"pcm",
                   "a GST phase-change-like device with few states, saturating steps and large cycle-to-cycle noise: "
                   "aihwkit PCMPresetDevice (fit to Nandakumar et al., Front. Neurosci. 2020), as one bidirectional "
                   "device (aihwkit uses a pair of one-sided devices with refresh)",
                   p,
                   states,
                   {{"states", std::string(kAihwkit) + ", PCMPresetDevice dw_min = 0.01 over a range of 2: 200 steps"},
                    {"slope_up/slope_down", "same preset: ExpStepDevice saturation (gamma 2.5), approximated by soft bounds"},
                    {"dw_min_dtod", "same preset: dw_min_dtod = 0.2"},
                    {"dw_min_std", "same preset: dw_min_std = 0.6"},
                    {"up_down_dtod", "same preset: up_down_dtod = 0.05"},
                    {"w_bound_dtod", "same preset: w_max_dtod = 0.1"},
                    {"read_noise", "aihwkit PresetIOParameters out_noise = 0.1 at w_max = 1"}}});
    }
    return v;
  }();
  return presets;
}

const DevicePreset* find_device_preset(const std::string& name) {
  for (const DevicePreset& p : device_presets())
    if (p.name == name) return &p;
  return nullptr;
}

std::string device_preset_names() {
  std::string names;
  for (const DevicePreset& p : device_presets()) names += (names.empty() ? "" : ", ") + p.name;
  return names;
}

namespace {

struct ParamSpec {
  const char* name;
  double DeviceParams::*field;
  double lo, hi;
  bool lo_open;  // lo itself is not allowed
};
constexpr ParamSpec kParams[] = {
    {"dw_min_dtod", &DeviceParams::dw_min_dtod, 0, 10, false},
    {"dw_min_std", &DeviceParams::dw_min_std, 0, 10, false},
    {"up_down", &DeviceParams::up_down, -1, 1, true},
    {"up_down_dtod", &DeviceParams::up_down_dtod, 0, 1, false},
    {"w_bound_dtod", &DeviceParams::w_bound_dtod, 0, 1, false},
    {"slope_up", &DeviceParams::slope_up, 0, 10, false},
    {"slope_down", &DeviceParams::slope_down, 0, 10, false},
    {"read_noise", &DeviceParams::read_noise, 0, 10, false},
    {"stuck_fraction", &DeviceParams::stuck_fraction, 0, 1, false},
};

std::string param_names() {
  std::string names = "states";
  for (const ParamSpec& s : kParams) names += std::string(", ") + s.name;
  return names;
}

}  // namespace

std::vector<std::pair<std::string, double>> device_param_values(const DeviceParams& p) {
  std::vector<std::pair<std::string, double>> v;
  for (const ParamSpec& s : kParams) v.emplace_back(s.name, p.*s.field);
  return v;
}

void check_device_params(const DeviceParams& p) {
  for (const ParamSpec& s : kParams) {
    const double v = p.*s.field;
    if (!(s.lo_open ? v > s.lo : v >= s.lo) || !(v <= s.hi))
      throw ConfigError(fmt::format("--device-param {}: {} is out of range {}{}, {}]", s.name, v, s.lo_open ? "(" : "[",
                                    s.lo, s.hi));
  }
}

void select_device(ModelConfig& cfg, const std::string& name, bool keep_states) {
  const DevicePreset* preset = find_device_preset(name);
  if (!preset) throw ConfigError(fmt::format("--device: '{}' is not a device preset ({})", name, device_preset_names()));
  cfg.device = preset->name;
  cfg.device_params = preset->params;
  if (!keep_states) cfg.device_states = preset->states;
}

void set_device_param(ModelConfig& cfg, const std::string& assignment) {
  const size_t eq = assignment.find('=');
  const std::string name = assignment.substr(0, eq);
  if (eq == std::string::npos || name.empty())
    throw ConfigError(fmt::format("--device-param: '{}' is not NAME=VALUE (names: {})", assignment, param_names()));
  const std::string text = assignment.substr(eq + 1);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(v))
    throw ConfigError(fmt::format("--device-param {}: '{}' is not a number", name, text));
  if (name == "states") {
    if (v != std::floor(v) || v < 0 || v > (1 << 20))
      throw ConfigError(fmt::format("--device-param states: {} must be 0 (the register's own) or 2..1048576", text));
    cfg.device_states = static_cast<int>(v);
    return;
  }
  for (const ParamSpec& s : kParams) {
    if (name != s.name) continue;
    DeviceParams p = cfg.device_params;
    p.*s.field = v;
    check_device_params(p);
    cfg.device_params = p;
    return;
  }
  throw ConfigError(fmt::format("--device-param: '{}' is not a device parameter ({})", name, param_names()));
}

}  // namespace ssnn
