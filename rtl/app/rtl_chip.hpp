// RtlChip: the host of one verilated ssnn_chip_top (plain C++, no simulation kernel): clock and
// reset, the routing table and input-ramp table at power-up, weights through the tiles' host ports,
// and a sample from pixels to prediction. The counters come back as the SystemC chip's ChipCounters,
// so both levels are compared field by field.
//
// One class per verilated configuration (rtl_chip_variants.cpp instantiates RtlChipModel<V> for
// each); callers see the RtlChip interface only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chip_config.hpp"
#include "chip_floorplan.hpp"
#include "chip_state.hpp"
#include "ssnn/config.hpp"
#include "ssnn/contract/sample.hpp"
#include "ssnn/contract/weights.hpp"
#include "ssnn_chip.hpp"

namespace ssnn::rtl {

// What a verilated chip was elaborated with (its Verilator parameters).
struct ChipShape {
  std::vector<int> sizes;  // inputs, hidden..., classes
  int tile_rows = 0, tile_cols = 0, lanes = 0, encoder_lanes = 0, fifo_depth = 0, events_per_cycle = 0;
  int weight_bits = 0, charge_bits = 0, potential_bits = 0, input_bits = 0, noise_bits = 0;
  int ramp_words = 0;
  int rate_bits = 0;  // rate-mode hardware: spike counters of this width (0: stochastic updates only)
};

class RtlChip {
 public:
  virtual ~RtlChip() = default;
  // Reset, then the routing table of the floorplan and the input-ramp table of the configuration.
  virtual void power_on() = 0;
  virtual const ModelConfig& config() const = 0;
  virtual void load_weights(const std::vector<WeightMatrix>& w) = 0;
  virtual std::vector<WeightMatrix> read_weights() = 0;
  // One sample, from writing its pixels to the end of its prediction; label < 0 when unknown:
  // start_sample, step while busy (a watchdog stops a deadlock), sample_result.
  SampleResult run_sample(const uint8_t* pixels, int label, const SampleSpec& spec);
  // The same one clock edge at a time (lockstep): writes the pixels and the descriptor and holds
  // start until the controller is busy (that edge included); then the caller steps while busy().
  virtual void start_sample(const uint8_t* pixels, int label, const SampleSpec& spec) = 0;
  virtual void step() = 0;  // one rising clock edge
  virtual bool busy() const = 0;
  // The prediction and the output spike counts, once busy() has fallen.
  virtual SampleResult sample_result() const = 0;
  // Tests of the checks: the next sample gets wrong parameters, "neuron" (hidden thresholds a quarter higher) or
  // "coincidence" (up pulses + 1 LSB).
  virtual void corrupt_next_sample(const std::string& kind) = 0;
  // Counters since reset, in the SystemC chip's form (fields the RTL does not count stay 0: the
  // tiles' busy cycles and update-line drives, the router's per-input high-water marks are kept).
  sc::ChipCounters counters() const;
  // Checkpoints (chip_state.hpp): the counters as a ChipState, the tiles' one by one. The RTL chip has
  // no write port for its counters, so restore_state keeps `s` as the host's view of them: from then
  // on state() and counters() report s plus what the hardware counted since (the FIFO high-water
  // marks: the larger of the two), as a host driver carries counters over a power cycle. The
  // router's round-robin pointer cannot be read or set: state() reports 0 and a restored chip keeps
  // the pointer it has, which changes no sample (chip_state.hpp). check_state and restore_state
  // throw std::invalid_argument, changing nothing, when `s` has other shapes than this chip's counters.
  sc::ChipState state() const;
  void check_state(const sc::ChipState& s) const;
  void restore_state(const sc::ChipState& s);
  // Clock edges simulated since power-up (host accesses included).
  virtual uint64_t edges() const = 0;
  // Waveforms: every signal of the chip into an FST file (times in ps at the chip's clock), written
  // while tracing is on (both clock edges of every cycle: host accesses and samples).
  virtual void open_trace(const std::string& fst_path) = 0;
  virtual void set_tracing(bool on) = 0;
  virtual uint64_t now_ps() const = 0;  // the trace's time of the last rising edge

 protected:
  // The counters' registers as they are (zero at reset).
  virtual sc::ChipState hardware_state() const = 0;
  virtual const sc::ChipFloorplan& floorplan() const = 0;

 private:
  // restore_state's view: the restored state and the hardware's at that moment (JSON forms).
  std::optional<std::pair<nlohmann::json, nlohmann::json>> restored_;
};

// The verilated configurations of this build; make_rtl_chip picks the one that matches.
const std::vector<std::pair<std::string, ChipShape>>& rtl_chip_variants();
// Throws ConfigError naming the first option the build's variants do not match, and how to add one.
std::unique_ptr<RtlChip> make_rtl_chip(const ModelConfig& cfg, const sc::ChipConfig& chip);

}  // namespace ssnn::rtl
