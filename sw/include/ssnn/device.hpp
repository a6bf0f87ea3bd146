// Device presets (named parameter sets, each value with its source) and the --device and
// --device-param options.  The device rules themselves are the contract's (ssnn/contract/device.hpp).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ssnn/config.hpp"
#include "ssnn/contract/device.hpp"

namespace ssnn {

// A named parameter set and where each value comes from.
struct DevicePreset {
  std::string name;
  std::string summary;
  DeviceParams params;
  int states = 0;  // finite states over the weight range (ModelConfig::device_states; 0: the register's)
  std::vector<std::pair<std::string, std::string>> sources;  // parameter -> source (paper, table, value)
};

const std::vector<DevicePreset>& device_presets();
const DevicePreset* find_device_preset(const std::string& name);  // nullptr if unknown
std::string device_preset_names();                                // "ideal, rpu-spec, ..."

// Every device parameter by name (states aside), in a fixed order (reports, checkpoints).
std::vector<std::pair<std::string, double>> device_param_values(const DeviceParams& p);

// Throws ConfigError naming the first parameter out of its range.
void check_device_params(const DeviceParams& p);

// --device NAME: the preset's parameters and states (unless keep_states: --device-states was given).
// Throws ConfigError listing the presets when the name is unknown.
void select_device(ModelConfig& cfg, const std::string& name, bool keep_states);

// --device-param NAME=VALUE: one parameter (or `states`); throws ConfigError naming it when the
// name is unknown or the value is not a number or out of range.
void set_device_param(ModelConfig& cfg, const std::string& assignment);

}  // namespace ssnn
