// RTL co-simulation of the SystemC chip: the verilated (--sc) RTL units run beside their behavioural
// twins and a lockstep checker compares them after every RTL command.  An optional component: a
// build without Verilator links rtl_cosim_absent.cpp instead, where available() is false and the
// constructor refuses with a ConfigError.
//
// The behavioural chip stays the reference and drives the chip; the RTL units get the same commands
// and inputs, through a CosimObserver on the encoder, the neuron cores and the tiles, and their
// outputs and registers are compared with the behavioural values.  Mapping (docs/rtl.md,
// "Co-simulation inside the chip"):
//   neuron       one ssnn_composite_neuron per hidden neuron (1:1, the RTL carries its own state
//                through the sample), lane group g of a core clocked in cycle g of its pass; one
//                ssnn_output_layer (10 outputs and the WTA) for the output core;
//   encoder      one ssnn_spike_source per pixel plus one for the label (1:1, seeded from the
//                sample key, so the RTL carries its own LFSR states), pixel lane group g drawn in
//                cycle g of the encode phase;
//   coincidence  a pool of ssnn_coincidence_units per tile (default 32), time-multiplexed over
//                the tile's pulses: a unit loads the cross-point's weight from the behavioural
//                array, applies the pulse and is checked against the behavioural result (2 cycles
//                per pulse, so the pool works off a step's burst of pulses behind the tile); with
//                --trace, one more unit carries the probed cross-point's own weight through the run.
// Every RTL unit group has its own gated clock that ticks only in cycles with a command.
// The first mismatch pauses the kernel; ChipHarness::set_after_run() turns it into a LockstepError
// whose message names the cycle, the simulation time, the unit, its index and the signal.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "chip_harness.hpp"
#include "ssnn_rtl/lockstep.hpp"

namespace ssnn::sc {

struct CosimOptions {
  bool neuron = false;       // hidden composite neurons and the output layer
  bool coincidence = false;  // cross-point coincidence units
  bool encoder = false;      // pixel and label spike sources
  int xpoint_units = 32;     // coincidence units per tile; 0: one per tile column
  // Fault injection, for testing the checker: the `inject_at`-th (0-based) RTL command of this
  // kind gets a wrong input ("neuron": +2^20 on a hidden neuron's forward input; "coincidence": the
  // pulse's column lines swapped; "encoder": bit 0 of a pixel LFSR's seed flipped). Empty: none.
  std::string inject;
  uint64_t inject_at = 0;
  // Waveforms of RTL units (Verilator FST): the hidden neuron `probe_neuron` of layer `probe_layer`
  // (0: none) and a dedicated coincidence unit for the cross-point (probe_row, probe_col) of tile
  // `probe_tile` (-1: none), tile-local, as in TraceSpec.
  bool trace = false;
  int probe_layer = 0;
  int probe_neuron = 0;
  int probe_tile = -1;
  int probe_row = 0;
  int probe_col = 0;

  bool any() const { return neuron || coincidence || encoder; }
  // "neuron", "coincidence", "encoder", a comma list of them, "all" or "none"; throws ConfigError.
  static CosimOptions parse_units(const std::string& list);
  std::string units() const;  // "neuron,coincidence,encoder"
};

// Everything the RTL did, since the co-simulation was attached.
struct CosimStats {
  uint64_t rtl_models = 0;
  uint64_t checks = 0;             // signal comparisons
  uint64_t neuron_clears = 0;      // clear commands (neurons x samples)
  uint64_t neuron_forward = 0;     // forward-neuron updates (neurons x steps), hidden and output
  uint64_t neuron_gradient = 0;    // gradient-pair updates, hidden and output
  uint64_t wta_cycles = 0;         // WTA resolver cycles
  uint64_t lfsr_loads = 0;         // seed loads (pixels and label)
  uint64_t lfsr_draws = 0;         // Bernoulli draws (pixels and label)
  uint64_t xpoint_pulses = 0;      // coincidence updates through the pools
  uint64_t xpoint_max_backlog = 0; // largest number of pulses waiting for a unit of one tile
  uint64_t probe_updates = 0;      // update commands of the probe cross-point
  uint64_t drain_cycles = 0;       // cycles run after the chip finished, to check the last pulses
};

class LockstepError : public std::runtime_error {
 public:
  explicit LockstepError(const rtl::Mismatch& m) : std::runtime_error(m.message()), mismatch_(m) {}
  const rtl::Mismatch& mismatch() const { return mismatch_; }

 private:
  rtl::Mismatch mismatch_;
};

class RtlCosim {
 public:
  // Builds the RTL units beside the chip of `h` and attaches to its blocks; call before the first
  // sc_start (elaboration).  Throws ConfigError when the chip's configuration differs from the
  // widths the units were verilated with (docs/rtl.md) or asks for something without an RTL unit.
  RtlCosim(ChipHarness& h, const CosimOptions& options);
  ~RtlCosim();
  // Whether this build has the RTL models (Verilator was found).
  static bool available();
  RtlCosim(const RtlCosim&) = delete;
  RtlCosim& operator=(const RtlCosim&) = delete;

  // Waveforms: registers the probes with FST writers (call after the first sc_start); the files
  // are `<stem>_rtl_neuron.fst` and `<stem>_rtl_crosspoint.fst`, written while tracing is enabled
  // (one contiguous window).  Returns the paths that will be written.
  std::vector<std::string> open_traces(const std::string& stem);
  void set_trace_enabled(bool on);
  void close_traces();

  // Runs idle cycles until every queued RTL command has been executed and checked.
  void drain();
  // Throws LockstepError when a mismatch has been seen.
  void check() const;
  bool failed() const;

  // "" when every neuron update, cross-point pulse and LFSR draw the chip counted (since reset)
  // went through an RTL unit and was checked; else what is missing.  Call after drain().
  std::string coverage_error() const;

  const CosimStats& stats() const;
  const CosimOptions& options() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ssnn::sc
