// Device presets and the --device / --device-param options (ssnn/device.hpp).
#include "ssnn/device.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace ssnn {

namespace {

// A device preset of IBM aihwkit (src/aihwkit/simulator/presets/devices.py): the parameters, and
// what the sources must say in words; each number's citation is made from the number itself.
struct AihwkitPreset {
  const char* name;
  const char* summary;
  const char* preset_class;      // the aihwkit class, e.g. "ReRamSBPresetDevice"
  const char* steps;             // how its dw_min and weight range give the states
  int states;
  DeviceParams params;           // dw_min_dtod, dw_min_std, up_down_dtod, w_bound_dtod, slopes, read_noise
  const char* slopes;            // what in the preset slope_up / slope_down stand for
  const char* dw_min_std_note;   // what follows dw_min_std's value ("" or " (...)")
  const char* w_bound;           // the preset's w_max_dtod / w_min_dtod behind w_bound_dtod
};

// The parameters aihwkit's devices set (up_down stays 0: symmetric on average).
DeviceParams aihwkit_params(double dw_min_dtod, double dw_min_std, double up_down_dtod, double w_bound_dtod,
                            double slope_up, double slope_down, double read_noise) {
  DeviceParams p;
  p.dw_min_dtod = dw_min_dtod;
  p.dw_min_std = dw_min_std;
  p.up_down_dtod = up_down_dtod;
  p.w_bound_dtod = w_bound_dtod;
  p.slope_up = slope_up;
  p.slope_down = slope_down;
  p.read_noise = read_noise;
  return p;
}

DevicePreset aihwkit_preset(const AihwkitPreset& a) {
  const DeviceParams& p = a.params;
  return {a.name,
          a.summary,
          p,
          a.states,
          {{"states", fmt::format("IBM aihwkit, src/aihwkit/simulator/presets/devices.py, {} {}", a.preset_class, a.steps)},
           {"slope_up/slope_down", fmt::format("same preset: {}", a.slopes)},
           {"dw_min_dtod", fmt::format("same preset: dw_min_dtod = {}", p.dw_min_dtod)},
           {"dw_min_std", fmt::format("same preset: dw_min_std = {}{}", p.dw_min_std, a.dw_min_std_note)},
           {"up_down_dtod", fmt::format("same preset: up_down_dtod = {}", p.up_down_dtod)},
           {"w_bound_dtod", fmt::format("same preset: {}", a.w_bound)},
           {"read_noise", fmt::format("aihwkit PresetIOParameters out_noise = {} at w_max = 1", p.read_noise)}}};
}

}  // namespace

const std::vector<DevicePreset>& device_presets() {
  static const std::vector<DevicePreset> presets = [] {
    std::vector<DevicePreset> v;
    v.push_back({"ideal", "no non-ideality: the register's own states, exact symmetric pulses, no noise", DeviceParams{}, 0,
                 {{"all", "the ideal digital device of the SSNN-BP algorithm"}}});
    {
      // aihwkit's pulsed-device defaults (up_down 0), cited one by one below.
      v.push_back({"rpu-spec",
                   "the RPU device specification of Gokmen and Vlasov (Front. Neurosci. 10:333, 2016) as IBM aihwkit "
                   "encodes it (its default pulsed device is that tile model)",
                   aihwkit_params(0.3, 0.3, 0.01, 0.3, 0.0, 0.0, 0.1),
                   1201,
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
    v.push_back(aihwkit_preset({"reram",
                                "a filamentary ReRAM-like device with soft bounds and large cycle-to-cycle noise: aihwkit "
                                "ReRamSBPresetDevice (fit to Gong et al., Nat. Commun. 9, 2018)",
                                "ReRamSBPresetDevice", "dw_min = 0.002 over a range of 2: 1000 steps", 1001,
                                aihwkit_params(0.3, 3.75, 0.01, 0.3, 1.0, 1.0, 0.1),
                                "SoftBoundsReferenceDevice (soft bounds)", " (additive, mult_noise False)",
                                "w_max_dtod = 0.3 / 1.25, w_min_dtod = 0.3 / 0.75; 0.3 of the range here"}));
    v.push_back(aihwkit_preset({"ecram",
                                "a Li-ion WO3 ECRAM-like device, near-linear with asymmetric state dependence: aihwkit "
                                "EcRamPresetDevice (fit to Tang et al., IEDM 2018)",
                                "EcRamPresetDevice", "dw_min = 0.002 over a range of 2: 1000 steps", 1001,
                                aihwkit_params(0.1, 0.3, 0.01, 0.05, 0.1153, 0.5085, 0.1),
                                "LinearStepDevice gamma_up = 0.1153, gamma_down = 0.5085", "",
                                "w_max_dtod = w_min_dtod = 0.05"}));
    v.push_back(aihwkit_preset({"pcm",
                                "a GST phase-change-like device with few states, saturating steps and large cycle-to-cycle "
                                "noise: aihwkit PCMPresetDevice (fit to Nandakumar et al., Front. Neurosci. 2020), as one "
                                "bidirectional device (aihwkit uses a pair of one-sided devices with refresh)",
                                "PCMPresetDevice", "dw_min = 0.01 over a range of 2: 200 steps", 201,
                                aihwkit_params(0.2, 0.6, 0.05, 0.1, 1.0, 1.0, 0.1),
                                "ExpStepDevice saturation (gamma 2.5), approximated by soft bounds", "",
                                "w_max_dtod = 0.1"}));
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
