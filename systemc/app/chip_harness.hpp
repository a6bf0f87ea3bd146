// ChipHarness: clock, reset and host driver around one ssnn_chip, for the testbench and the tests.
//
// The host side runs outside the simulation (between sc_start calls): it writes the sample into
// the chip, pulses start, and lets the simulation run until the controller drops busy_o, which
// pauses the kernel (sc_pause).  One harness per process: SystemC elaborates once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "ssnn/contract/sample.hpp"
#include "ssnn_chip.hpp"

namespace ssnn::sc {

class ChipHarness : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(ChipHarness);
  ChipHarness(const sc_core::sc_module_name& name, const ModelConfig& cfg, const ChipConfig& chip);

  ssnn_chip& chip() { return *chip_; }
  const ssnn_chip& chip() const { return *chip_; }

  // Runs one sample to completion; returns the prediction and the output spike counts.
  SampleResult run_sample(const uint8_t* pixels, int label, const SampleSpec& spec);

  // Watchdog of a sample: far more cycles than any sample can take (every neuron of every layer
  // sending an event per step, each waiting for every other), so only a deadlock reaches it.
  static uint64_t sample_cycle_limit(const ModelConfig& cfg);

  // Starts a sample and runs only `cycles` clock cycles of it (for reset tests).
  void start_sample(const uint8_t* pixels, int label, const SampleSpec& spec, uint64_t cycles);

  // Holds rst_ni low for `cycles` cycles (asynchronous assertion between edges), then releases it
  // and runs two more cycles.
  void reset(uint64_t cycles);

  // Lockstep with another model: start_sample(..., 0), then step() (one clock period, one rising
  // edge) while busy(), then sample_result().
  void step() { run_cycles(1); }
  bool busy() const { return host_.busy.read(); }
  // The prediction and the output spike counts of the last sample.
  SampleResult sample_result() const;
  sc_core::sc_time period() const { return clk_.period(); }
  // The chip's clock and reset, for blocks that run beside the chip (the RTL co-simulation).
  sc_core::sc_clock& clock() { return clk_; }
  sc_core::sc_signal_in_if<bool>& reset_n() { return rst_n_; }
  // Called after every return of the kernel (sc_start) the harness makes; a checker running beside
  // the chip pauses the kernel and throws from here to stop the run at its first mismatch.
  void set_after_run(std::function<void()> check) { after_run_ = std::move(check); }
  // Elaboration and the first (reset-release) cycles; called by the constructor's user before use.
  void power_on();

 private:
  void on_done();
  void run_cycles(uint64_t n);
  void start(const sc_core::sc_time& t);

  sc_core::sc_clock clk_;
  sc_core::sc_signal<bool> rst_n_{"rst_n"};
  HostBus host_;
  sc_core::sc_signal<uint32_t> prediction_{"prediction"};
  std::unique_ptr<ssnn_chip> chip_;
  bool powered_ = false;
  std::function<void()> after_run_;
};

}  // namespace ssnn::sc
