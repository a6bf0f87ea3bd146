// Command-line options shared by every executable that builds a model (golden CLI, SystemC testbench).
#pragma once

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "ssnn/config.hpp"
#include "ssnn/device.hpp"

namespace ssnn {

// Option checks run by the parser (CLI11 reports "--option: message", one line, exit code != 0).
// CLI11 converts "-5" into an unsigned option by wrapping it around: refuse the sign instead.
// CLI11 also clamps a value beyond 2^64-1 to 2^64-1 (a seed of 2^64 became another seed): refuse it.
inline CLI::Validator non_negative() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        const size_t i = s.find_first_not_of(" \t");
        if (i != std::string::npos && s[i] == '-') return s + " must not be negative";
        char* end = nullptr;
        errno = 0;
        (void)std::strtoull(s.c_str(), &end, 0);
        if (errno == ERANGE) return s + " is out of range 0..18446744073709551615";
        return {};
      },
      "N>=0");
}

// An integer in lo..hi, read by CLI11's own conversion (which also takes "0x..", octal "0..",
// "true" and "false"), so no spelling of a number escapes the range; text that is not an integer
// is left to CLI11's conversion error.
inline CLI::Validator int_range(long long lo, long long hi) {
  return CLI::Validator(
      [lo, hi](std::string& s) -> std::string {
        long long v = 0;
        const bool is_integer = CLI::detail::lexical_cast(s, v);
        if (!is_integer) return {};
        if (v < lo || v > hi) return s + " is out of range " + std::to_string(lo) + ".." + std::to_string(hi);
        return {};
      },
      "INT in [" + std::to_string(lo) + ".." + std::to_string(hi) + "]");
}

// A list element that is empty ("--hidden 16," or "--pulse ''"): CLI11 would read it as a number.
inline CLI::Validator non_empty() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        return s.find_first_not_of(" \t") == std::string::npos ? std::string("empty value in the list") : std::string();
      },
      "");
}

// Checked on the raw arguments before parsing, because CLI11 hides both cases:
// - an empty value ("--epochs ''" or "--epochs="): CLI11 assigns a number option its zero, past
//   every range check, so it is refused for every option that takes a value;
// - "--hidden 16,,16": CLI11 drops an empty item of a comma-separated list, so a layer would silently
//   vanish; refused for every option given a delimiter.
// Throws the CLI11 error that one_line_errors() prints.
inline void check_option_values(const CLI::App& app, int argc, const char* const* argv) {
  auto find = [&](const std::string& name) -> const CLI::Option* {
    std::vector<const CLI::App*> apps{&app};
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) apps.push_back(sub);
    for (const CLI::App* a : apps)
      for (const CLI::Option* o : a->get_options())
        if (o->check_name(name)) return o;
    return nullptr;
  };
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], name = arg, value;
    const size_t eq = arg.find('=');
    const bool inline_value = arg.rfind("--", 0) == 0 && eq != std::string::npos;
    if (inline_value) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else if (i + 1 < argc) {
      value = argv[i + 1];
    }
    if (name.empty() || name[0] != '-') continue;
    const CLI::Option* o = find(name);
    if (o == nullptr || o->get_items_expected_min() == 0) continue;  // unknown (CLI11 says so) or a flag
    if ((inline_value || i + 1 < argc) && value.empty())
      throw CLI::ValidationError(name, "empty value");
    if (o->get_delimiter() == '\0') continue;
    if (value.find(",,") != std::string::npos || (!value.empty() && (value.front() == ',' || value.back() == ',')))
      throw CLI::ValidationError(name, "'" + value + "' has an empty value in the list");
  }
}

// Checks the raw values and parses the command line: the exit code to end with (--help: 0; a bad
// option: CLI11's non-zero code, after its one-line message), or nothing when the program goes on.
inline std::optional<int> parse_or_exit(CLI::App& app, int argc, char** argv) {
  try {
    check_option_values(app, argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return std::nullopt;
}

// Parse errors as one line "<tool>: error: <message> (see --help)" on stderr, CLI11's exit codes (non-zero).
inline void one_line_errors(CLI::App& app, const std::string& tool) {
  app.failure_message([tool](const CLI::App*, const CLI::Error& e) {
    std::string msg = e.what();
    for (char& c : msg)
      if (c == '\n' || c == '\r') c = ' ';
    return tool + ": error: " + msg + " (see --help)\n";
  });
}

// The data-set options of every tool that reads IDX data (ssnn_golden, ann_baseline, the chip testbenches
// ssnn_chip_tb and ssnn_rtl_chip_tb).
struct DataOptions {
  std::string dataset = "subset";
  std::string data_dir;
  size_t train_samples = 0;
  size_t test_samples = 0;
};

inline void add_data_options(CLI::App& app, DataOptions& d, bool with_train) {
  const auto* g = "Data";
  app.add_option("--dataset", d.dataset, "subset | mnist | fashion | emnist-<split> | path:<dir>")
      ->group(g)->capture_default_str();
  app.add_option("--data-dir", d.data_dir, "cache folder of fetched data sets (default $SSNN_DATA_DIR or ~/.cache/ssnn-hw/data)")
      ->check(CLI::ExistingDirectory)->group(g);
  if (with_train)
    app.add_option("--train-samples", d.train_samples, "use only the first N training samples (0: all)")
        ->check(non_negative())->group(g);
  app.add_option("--test-samples", d.test_samples, "use only the first N test samples (0: all)")
      ->check(non_negative())->group(g);
}

// Holds option values that need conversion after parsing.
struct ModelOptionText {
  std::string mode = "stochastic";
  std::string profile = "front-loaded";
  bool no_wta = false;
  std::string device = "ideal";
  std::vector<std::string> device_params;
  CLI::Option* device_option = nullptr;
  CLI::Option* states_option = nullptr;
};

// Registers the model options on `app`, writing into `cfg` (defaults shown from cfg's current values).
inline void add_model_options(CLI::App& app, ModelConfig& cfg, ModelOptionText& text) {
  text.mode = to_string(cfg.update_mode);
  text.profile = to_string(cfg.input_profile);
  auto* g = "Network";
  app.add_option("--hidden", cfg.hidden, "hidden layer sizes, comma separated (e.g. 1280 or 500,150)")
      ->delimiter(',')->check(non_empty())->group(g)->capture_default_str();
  app.add_option("--classes", cfg.classes, "output classes (0: from the data set)")->group(g);
  app.add_option("-T,--timesteps", cfg.timesteps, "timesteps per sample")->group(g)->capture_default_str();
  app.add_option("--tau-divisor", cfg.tau_divisor, "kernel tau = T / this (paper: 10)")->group(g)->capture_default_str();
  app.add_option("--input-rate", cfg.input_rate, "mean spike probability of a full pixel")->group(g)->capture_default_str();
  app.add_option("--input-profile", text.profile, "front-loaded | flat")->group(g)->capture_default_str();
  app.add_option("--label-rate", cfg.label_rate, "target spike probability of the true class")->group(g)->capture_default_str();
  app.add_flag("--no-wta", text.no_wta, "disable winner-take-all lateral inhibition (MSE loss)")->group(g);
  app.add_option("--inhibition", cfg.inhibition, "WTA inhibition per output spike, weight LSBs")->group(g)->capture_default_str();
  auto* f = "Fixed point";
  app.add_option("--weight-bits", cfg.weight_bits, "signed weight width")->group(f)->capture_default_str();
  app.add_option("--charge-bits", cfg.charge_bits, "signed synaptic charge width")->group(f)->capture_default_str();
  app.add_option("--potential-bits", cfg.potential_bits, "signed membrane potential width")->group(f)->capture_default_str();
  app.add_option("--theta", cfg.theta, "hidden forward threshold, weight LSBs")->group(f)->capture_default_str();
  app.add_option("--theta-out", cfg.theta_out, "output forward threshold, weight LSBs")->group(f)->capture_default_str();
  app.add_option("--theta-grad", cfg.theta_grad, "hidden gradient threshold theta_b, weight LSBs")->group(f)->capture_default_str();
  app.add_option("--err-unit", cfg.err_unit, "charge of one spike at an output error neuron")->group(f)->capture_default_str();
  app.add_option("--theta-ratio", cfg.theta_ratio, "per hidden layer, theta multiplier (deeper nets), e.g. 1,0.25")
      ->delimiter(',')->check(non_empty())->group(f);
  app.add_option("--theta-grad-ratio", cfg.theta_grad_ratio,
                 "per hidden layer, theta_grad multiplier (deeper nets: larger below), e.g. 8,1")
      ->delimiter(',')->check(non_empty())->group(f);
  app.add_option("--theta-err", cfg.theta_err, "output error threshold theta_N, err-unit charges")->group(f)->capture_default_str();
  app.add_option("--gate-fraction", cfg.gate_fraction,
                 "hidden gradient gate opens at this fraction of theta (1: first forward spike)")->group(f)->capture_default_str();
  app.add_option("--forward-start", cfg.forward_start,
                 "hidden forward membranes start each sample at this fraction of theta (0.5: round-to-nearest rate code)")
      ->group(f)->capture_default_str();
  app.add_option("--gradient-start", cfg.gradient_start,
                 "hidden gradient membranes start each sample at this fraction of theta_grad")->group(f)->capture_default_str();
  auto* l = "Learning";
  app.add_option("--mode", text.mode, "weight update: stochastic | rate | noise")->group(l)->capture_default_str();
  app.add_option("--pulse", cfg.pulse, "LSBs per coincidence, one per epoch (last repeats), e.g. 4,2,1")
      ->delimiter(',')->check(non_empty())->group(l)->capture_default_str();
  app.add_option("--layer-pulse-ratio", cfg.layer_pulse_ratio, "per weight layer, pulse multiplier, e.g. 1,0.25")
      ->delimiter(',')->check(non_empty())->group(l);
  app.add_option("--noise-timesteps", cfg.noise_timesteps, "noise mode: T whose update noise is emulated")->group(l)->capture_default_str();
  app.add_option("--dropout-input", cfg.dropout_input, "input dropout probability")->group(l)->capture_default_str();
  app.add_option("--dropout-hidden", cfg.dropout_hidden, "hidden dropout probability")->group(l)->capture_default_str();
  app.add_option("--init-gain", cfg.init_gain, "scale of the He-uniform initial weights")->group(l)->capture_default_str();
  app.add_flag("--augment-flip", cfg.augment_flip, "training: mirror each presented image left-right with probability 1/2")->group(l);
  app.add_option("--augment-shift", cfg.augment_shift, "training: move each presented image by up to this many pixels each way")->group(l)->capture_default_str();
  app.add_option("--seed", cfg.seed, "master seed of every random stream")->check(non_negative())->group(l)->capture_default_str();
  auto* d = "Device";
  text.device = cfg.device;
  text.device_option = app.add_option("--device", text.device,
                                      "device model preset: " + device_preset_names() + " (docs/devices.md)")
                           ->group(d)->capture_default_str();
  app.add_option("--device-param", text.device_params,
                 "override one device parameter, NAME=VALUE (repeatable): states, dw_min_dtod, dw_min_std, up_down, "
                 "up_down_dtod, w_bound_dtod, slope_up, slope_down, read_noise, stuck_fraction")->group(d);
  text.states_option = app.add_option("--device-states", cfg.device_states, "number of weight levels (0: ideal register)")
                           ->group(d)->capture_default_str();
  app.add_option("--device-asymmetry", cfg.device_asymmetry, "down pulse = up pulse * (1 + this)")->group(d)->capture_default_str();
  app.add_option("--pulse-noise", cfg.pulse_noise, "pulse-to-pulse variation, +/- LSBs")->group(d)->capture_default_str();
}

// Applies the text options after parsing (throws ConfigError naming the option).
inline void finish_model_options(ModelConfig& cfg, const ModelOptionText& text) {
  cfg.update_mode = parse_update_mode(text.mode);
  cfg.input_profile = parse_input_profile(text.profile);
  if (text.no_wta) cfg.wta = false;
  // The preset first (its states unless --device-states was given), then each override in order.
  const bool states_given = text.states_option && text.states_option->count() > 0;
  if (text.device_option && text.device_option->count() > 0) {
    select_device(cfg, text.device, states_given);
    if (!states_given && cfg.device_states - 1 > 2 * int64_t{signed_max(cfg.weight_bits)})
      throw ConfigError(fmt::format("--device {}: its {} states do not fit in {}-bit weights (set --device-states or "
                                    "--device-param states=N)", cfg.device, cfg.device_states, cfg.weight_bits));
  }
  for (const std::string& a : text.device_params) set_device_param(cfg, a);
}

}  // namespace ssnn
