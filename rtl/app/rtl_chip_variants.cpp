// The verilated chip configurations of this build (rtl/CMakeLists.txt, ssnn_rtl_chip_variant, which
// generates their list) and the choice among them. A new configuration is one ssnn_rtl_chip_variant()
// line there.
#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

// The models first: verilated.h must not see SystemC's headers (rtl_chip.hpp brings them), or it
// takes the time from sc_time_stamp().
#include "rtl_chip_models.inc"

#include "rtl_chip.hpp"
#include "chip_harness.hpp"
#include "rtl_chip_model.hpp"

namespace ssnn::rtl {

namespace {

using Factory = std::unique_ptr<RtlChip> (*)(const ModelConfig&, const sc::ChipConfig&, const ChipShape&);

struct Variant {
  std::string name;
  ChipShape shape;
  Factory make;
};

template <class V>
std::unique_ptr<RtlChip> make(const ModelConfig& cfg, const sc::ChipConfig& chip, const ChipShape& shape) {
  return std::make_unique<RtlChipModel<V>>(cfg, chip, shape);
}

const std::vector<Variant>& variants() {
  static const std::vector<Variant> v{
#include "rtl_chip_variants.inc"
  };
  return v;
}

// Configurations this build knows but did not verilate, and the CMake option that builds them.
struct Unbuilt {
  std::string name;
  ChipShape shape;
  const char* option;
  const char* cost;  // of building it, from the option's help
};

const std::vector<Unbuilt>& unbuilt() {
  static const std::vector<Unbuilt> v{
#include "rtl_chip_unbuilt.inc"
  };
  return v;
}

std::string describe(const std::string& name, const ChipShape& s) {
  return fmt::format("{} ({}, --tile-rows {} --tile-cols {} --lanes {} --encoder-lanes {} --fifo-depth {} "
                     "--events-per-cycle {}, {}-bit weights, {}-bit charge, {}-bit potential, pulse noise < {}, T <= {}, {})",
                     name, fmt::join(s.sizes, "-"), s.tile_rows, s.tile_cols, s.lanes, s.encoder_lanes, s.fifo_depth,
                     s.events_per_cycle, s.weight_bits, s.charge_bits, s.potential_bits, 1 << s.noise_bits, s.ramp_words,
                     s.rate_bits > 0 ? "stochastic and rate updates" : "stochastic updates");
}

// The first option in which the run differs from the shape, or "".
std::string mismatch(const ModelConfig& cfg, const sc::ChipConfig& chip, const ChipShape& s) {
  std::vector<int> sizes{cfg.inputs};
  sizes.insert(sizes.end(), cfg.hidden.begin(), cfg.hidden.end());
  sizes.push_back(cfg.classes);
  if (sizes != s.sizes) return fmt::format("--hidden/--classes/--dataset (network {})", fmt::join(sizes, "-"));
  if (chip.tile_span(cfg.inputs, true) != s.tile_rows) return fmt::format("--tile-rows {}", chip.tile_rows);
  if (chip.tile_span(cfg.hidden.front(), false) != s.tile_cols) return fmt::format("--tile-cols {}", chip.tile_cols);
  if (chip.lanes != s.lanes) return fmt::format("--lanes {}", chip.lanes);
  if (chip.encoder_lanes != s.encoder_lanes) return fmt::format("--encoder-lanes {}", chip.encoder_lanes);
  if (chip.fifo_depth != s.fifo_depth) return fmt::format("--fifo-depth {}", chip.fifo_depth);
  if (chip.events_per_cycle != s.events_per_cycle) return fmt::format("--events-per-cycle {}", chip.events_per_cycle);
  if (cfg.weight_bits != s.weight_bits) return fmt::format("--weight-bits {}", cfg.weight_bits);
  if (cfg.charge_bits != s.charge_bits) return fmt::format("--charge-bits {}", cfg.charge_bits);
  if (cfg.potential_bits != s.potential_bits) return fmt::format("--potential-bits {}", cfg.potential_bits);
  if (cfg.timesteps > s.ramp_words) return fmt::format("-T {}", cfg.timesteps);
  for (int l = 0; l < cfg.layers(); ++l)
    if (cfg.synapse_params(0, l).pulse_noise >= (1 << s.noise_bits))
      return fmt::format("--pulse-noise {}", cfg.synapse_params(0, l).pulse_noise);
  if (cfg.update_mode == UpdateMode::kRate && s.rate_bits == 0) return "--mode rate";
  return {};
}

}  // namespace

const std::vector<std::pair<std::string, ChipShape>>& rtl_chip_variants() {
  static const std::vector<std::pair<std::string, ChipShape>> list = [] {
    std::vector<std::pair<std::string, ChipShape>> l;
    for (const Variant& v : variants()) l.emplace_back(v.name, v.shape);
    return l;
  }();
  return list;
}

std::unique_ptr<RtlChip> make_rtl_chip(const ModelConfig& cfg, const sc::ChipConfig& chip) {
  // What the RTL chip has no hardware for, whatever its parameters.
  if (cfg.update_mode != UpdateMode::kStochastic && cfg.update_mode != UpdateMode::kRate)
    throw ConfigError(fmt::format("--mode {}: the RTL chip has stochastic (AND-gate) and rate updates only",
                                  to_string(cfg.update_mode)));
  if (cfg.update_mode == UpdateMode::kRate) {
    // The pulse registers hold WeightBits + 1 bits: a larger stochastic pulse ends at a bound all the
    // same, but a rate update scales it by n_x n / T.
    const int64_t pulse_max = (int64_t{1} << (cfg.weight_bits + 1)) - 1;
    for (int e = 0; e < std::max<int>(1, static_cast<int>(cfg.pulse.size())); ++e)
      for (int l = 0; l < cfg.layers(); ++l) {
        const SynapseParams p = cfg.synapse_params(e, l);
        if (p.pulse_up > pulse_max || p.pulse_down > pulse_max)
          throw ConfigError(fmt::format("--pulse: {} / {} LSBs (epoch {}, weight layer {}): the RTL chip's pulse "
                                        "registers hold up to {} in rate mode", p.pulse_up, p.pulse_down, e + 1, l,
                                        pulse_max));
      }
  }
  const DeviceRule device = cfg.device_rule();
  if (device.pulses || device.reads)
    throw ConfigError(fmt::format("--device {}: the RTL chip's cross-points are exact digital pulses (no device model)", cfg.device));
  std::string first;
  for (const Variant& v : variants()) {
    const std::string why = mismatch(cfg, chip, v.shape);
    if (why.empty()) return v.make(cfg, chip, v.shape);
    if (first.empty()) first = why;
  }
  for (const Unbuilt& u : unbuilt())
    if (mismatch(cfg, chip, u.shape).empty())
      throw ConfigError(fmt::format("the RTL chip {} is not built in this build: configure with -D{}=ON and rebuild "
                                    "ssnn_rtl_chip_tb ({})", describe(u.name, u.shape), u.option, u.cost));
  std::string built, off;
  for (const Variant& v : variants()) built += (built.empty() ? "" : "; ") + describe(v.name, v.shape);
  for (const Unbuilt& u : unbuilt()) off += fmt::format("; {} with -D{}=ON", u.name, u.option);
  throw ConfigError(fmt::format("{}: no verilated RTL chip of this build has this configuration (built: {}{}); build it "
                                "with an ssnn_rtl_chip_variant() line in rtl/CMakeLists.txt", first, built, off));
}

}  // namespace ssnn::rtl
