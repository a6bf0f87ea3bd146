// Device presets and the --device / --device-param options (ssnn/device.hpp).
#include "ssnn/device.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "device_presets.hpp"  // kDevicePresets: data/devices/presets.json, generated

namespace ssnn {

namespace {

// The --device-param names of DeviceParams (states aside), with their ranges.
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

// The sources of a preset device of IBM aihwkit (src/aihwkit/simulator/presets/devices.py): what
// they say in words, each number's citation made from the number itself.
std::vector<std::pair<std::string, std::string>> aihwkit_sources(const nlohmann::json& a, const DeviceParams& p) {
  const auto text = [&](const char* key) { return a.at(key).get<std::string>(); };
  return {{"states", fmt::format("IBM aihwkit, src/aihwkit/simulator/presets/devices.py, {} {}", text("preset_class"),
                                 text("steps"))},
          {"slope_up/slope_down", fmt::format("same preset: {}", text("slopes"))},
          {"dw_min_dtod", fmt::format("same preset: dw_min_dtod = {}", p.dw_min_dtod)},
          {"dw_min_std", fmt::format("same preset: dw_min_std = {}{}", p.dw_min_std, text("dw_min_std_note"))},
          {"up_down_dtod", fmt::format("same preset: up_down_dtod = {}", p.up_down_dtod)},
          {"w_bound_dtod", fmt::format("same preset: {}", text("w_bound"))},
          {"read_noise", fmt::format("aihwkit PresetIOParameters out_noise = {} at w_max = 1", p.read_noise)}};
}

DevicePreset preset_from_json(const nlohmann::json& j) {
  DevicePreset d;
  d.name = j.at("name").get<std::string>();
  d.summary = j.at("summary").get<std::string>();
  d.states = j.at("states").get<int>();
  for (const auto& [name, value] : j.at("params").items()) {
    const ParamSpec* spec = nullptr;
    for (const ParamSpec& s : kParams)
      if (name == s.name) spec = &s;
    if (!spec) throw std::logic_error(fmt::format("device preset {}: '{}' is not a device parameter", d.name, name));
    d.params.*spec->field = value.get<double>();
  }
  if (j.contains("aihwkit")) d.sources = aihwkit_sources(j.at("aihwkit"), d.params);
  else d.sources = j.at("sources").get<std::vector<std::pair<std::string, std::string>>>();
  return d;
}

}  // namespace

const std::vector<DevicePreset>& device_presets() {
  static const std::vector<DevicePreset> presets = [] {
    const nlohmann::json table = nlohmann::json::parse(kDevicePresets);
    std::vector<DevicePreset> v;
    for (const nlohmann::json& j : table.at("presets")) v.push_back(preset_from_json(j));
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
