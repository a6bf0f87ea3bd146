#include "chip_harness.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace ssnn::sc {

namespace {
sc_core::sc_time clock_period(double mhz) {
  // Rounded to whole picoseconds (the kernel's default resolution).
  return sc_core::sc_time(std::max(1.0, std::round(1e6 / mhz)), sc_core::SC_PS);
}
}  // namespace

ChipHarness::ChipHarness(const sc_core::sc_module_name& name, const ModelConfig& cfg, const ChipConfig& chip)
    : sc_core::sc_module(name), clk_("clk", clock_period(chip.clock_mhz)) {
  chip_ = std::make_unique<ssnn_chip>("chip", cfg, chip);
  chip_->clk_i(clk_);
  chip_->rst_ni(rst_n_);
  host_.bind(*chip_);
  chip_->prediction_o(prediction_);
  SC_METHOD(on_done);
  sensitive << host_.busy.negedge_event();
  dont_initialize();
}

void ChipHarness::on_done() { sc_core::sc_pause(); }

void ChipHarness::start(const sc_core::sc_time& t) {
  sc_core::sc_start(t);
  if (after_run_) after_run_();
}

void ChipHarness::run_cycles(uint64_t n) {
  const sc_core::sc_time end = sc_core::sc_time_stamp() + static_cast<double>(n) * period();
  while (sc_core::sc_time_stamp() < end) start(end - sc_core::sc_time_stamp());
}

void ChipHarness::power_on() {
  if (powered_) return;
  powered_ = true;
  rst_n_.write(false);
  run_cycles(2);
  rst_n_.write(true);
  run_cycles(2);
}

void ChipHarness::reset(uint64_t cycles) {
  // Assert between edges: asynchronous.
  start(period() / 4);
  rst_n_.write(false);
  host_.start.write(false);
  run_cycles(cycles);
  rst_n_.write(true);
  run_cycles(2);
}

void ChipHarness::start_sample(const uint8_t* pixels, int label, const SampleSpec& spec, uint64_t cycles) {
  power_on();
  chip_->load_sample(pixels, label);
  host_.request(spec);
  // Hold the request until the controller has taken it.
  for (int n = 0; !host_.busy.read(); ++n) {
    if (n == 100) throw std::runtime_error("chip: the controller did not take the start request within 100 cycles");
    run_cycles(1);
  }
  host_.start.write(false);
  if (cycles > 0) run_cycles(cycles);
}

uint64_t ChipHarness::sample_cycle_limit(const ModelConfig& cfg) {
  double neurons = 0;
  for (int l = 0; l <= cfg.layers(); ++l) neurons += cfg.layer_size(l);
  return static_cast<uint64_t>(10000.0 + cfg.timesteps * (1000.0 + 64.0 * neurons));
}

SampleResult ChipHarness::run_sample(const uint8_t* pixels, int label, const SampleSpec& spec) {
  start_sample(pixels, label, spec, 0);
  const auto limit = static_cast<double>(sample_cycle_limit(chip_->config()));
  const sc_core::sc_time deadline = sc_core::sc_time_stamp() + limit * period();
  while (host_.busy.read()) {
    if (sc_core::sc_time_stamp() >= deadline)
      throw std::runtime_error("chip: sample not finished after " + std::to_string(static_cast<uint64_t>(limit)) +
                               " cycles (deadlock)");
    start(deadline - sc_core::sc_time_stamp());  // returns early when on_done pauses the kernel
  }
  return sample_result();
}

SampleResult ChipHarness::sample_result() const {
  SampleResult r;
  r.prediction = static_cast<int>(prediction_.read());
  r.output_counts = chip_->output_counts();
  return r;
}

}  // namespace ssnn::sc
