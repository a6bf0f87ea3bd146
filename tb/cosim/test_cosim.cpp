// RTL co-simulation inside the chip: the verilated units run beside the behavioural blocks in
// lockstep while the chip is compared with the golden model sample by sample (spike rasters,
// weights, counters, predictions); every neuron update, LFSR draw and cross-point pulse must have
// gone through RTL; injected disagreements must be named by cycle, unit, index and signal.
//
// Own sc_main (libsystemc defines main()); every test is its own process (DISCOVERY_MODE PRE_TEST):
// SystemC elaborates once per process.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include <systemc>

#include "equivalence.hpp"
#include "rtl_cosim.hpp"
#include "ssnn/idx.hpp"

namespace ssnn::sc {
namespace {

CosimOptions all_units() { return CosimOptions::parse_units("all"); }

// Runs the equivalence harness with the RTL beside the chip; returns the harness' report.
EquivalenceReport run_cosim(ChipHarness& h, RtlCosim& cosim, const Dataset& data, const EquivalenceRun& run) {
  EquivalenceReport r = run_equivalence(h, data, run);
  cosim.drain();
  cosim.check();
  return r;
}

struct CosimResult {
  EquivalenceReport report;
  CosimStats stats;
  std::string coverage_error;  // "" when every unit of `units` saw work
};

// The chip of cfg and chip with the RTL units `units` in lockstep, against the golden model on the
// first `images` images of the MNIST subset; chip, golden model and RTL must agree throughout.
CosimResult expect_cosim_equivalent(const ModelConfig& cfg, const ChipConfig& chip, const CosimOptions& units,
                                    size_t images, const EquivalenceRun& run) {
  ChipHarness h("tb", cfg, chip);
  RtlCosim cosim(h, units);
  CosimResult c{run_cosim(h, cosim, subset_images(images), run), cosim.stats(), cosim.coverage_error()};
  EXPECT_EQ(c.report.mismatch, "");
  return c;
}

ChipConfig with_lanes(ChipConfig chip, int lanes, int encoder_lanes) {
  chip.lanes = lanes;
  chip.encoder_lanes = encoder_lanes;
  return chip;
}

// 784-32-10 on MNIST subset images, every RTL unit in place, tiled crossbar (14 + 1 tiles), lane
// groups in the cores and the encoder.
TEST(Cosim, MnistAllUnitsAgreeWithChipAndGolden) {
  const ModelConfig cfg = mnist_config({32}, 8);
  CosimOptions o = all_units();
  o.xpoint_units = 4;
  const CosimResult c = expect_cosim_equivalent(cfg, with_lanes(tiled_chip(128, 16), 8, 64), o, 6, {4, 2, {}});
  EXPECT_EQ(c.coverage_error, "");
  const CosimStats& s = c.stats;
  EXPECT_EQ(s.rtl_models, 784u + 1 + 32 + 1 + 15u * 4);
  EXPECT_EQ(s.neuron_forward, 6u * 8 * (32 + 10));
  EXPECT_EQ(s.neuron_gradient, 4u * 8 * (32 + 10));
  EXPECT_EQ(s.neuron_clears, 6u * (32 + 10));
  EXPECT_EQ(s.lfsr_loads, 6u * 785);
  EXPECT_GT(s.lfsr_draws, 1000u);
  EXPECT_GT(s.xpoint_pulses, 100u);
  EXPECT_GT(s.wta_cycles, 6u * 8);
  EXPECT_GT(s.checks, 100000u);
  std::printf("co-simulation: %llu RTL models, %llu checks, %llu pulses (backlog up to %llu, drained in %llu cycles)\n",
              static_cast<unsigned long long>(s.rtl_models), static_cast<unsigned long long>(s.checks),
              static_cast<unsigned long long>(s.xpoint_pulses), static_cast<unsigned long long>(s.xpoint_max_backlog),
              static_cast<unsigned long long>(s.drain_cycles));
}

// Two hidden layers, dropout (the neurons' inputs are gated), WTA off, device non-idealities: a
// 4097-state device, asymmetric pulses and pulse-to-pulse noise through the units' noise hardware.
TEST(Cosim, DeepDropoutNoWtaDeviceNoise) {
  ModelConfig cfg = deep_nonideal_config(10, 3);
  cfg.wta = false;
  CosimOptions o = all_units();
  o.xpoint_units = 2;
  const CosimResult c = expect_cosim_equivalent(cfg, with_lanes(tiled_chip(256, 8), 5, 100), o, 5, {4, 1, {}});
  EXPECT_EQ(c.coverage_error, "");
  EXPECT_GT(gradient_spikes(c.report.counters.cores[0]), 0u);
  EXPECT_GT(c.stats.xpoint_pulses, 0u);
}

// The surrogate gradient gate: each RTL neuron's gate_o must open on the step its potential reaches
// theta_gate_i, as the golden gate_event() says, with input and hidden dropout on.
TEST(Cosim, SurrogateGateWithDropout) {
  ModelConfig cfg = mnist_config({32}, 8);
  cfg.gate_fraction = 0.5;
  cfg.dropout_input = 0.1;
  cfg.dropout_hidden = 0.15;
  const CosimResult c = expect_cosim_equivalent(cfg, with_lanes(tiled_chip(128, 16), 8, 64),
                                                CosimOptions::parse_units("neuron"), 6, {4, 2, {}});
  EXPECT_EQ(c.coverage_error, "");
  EXPECT_GT(gradient_spikes(c.report.counters.cores[0]), 0u);
  EXPECT_GT(c.stats.checks, 10000u);
}

// Thresholds per hidden layer: the RTL neurons of each layer get that layer's theta_i and
// theta_grad_i and fire where the chip's do.
TEST(Cosim, PerLayerThresholdsDeep) {
  ModelConfig cfg = deep_nonideal_config(10, 0);
  cfg.theta_ratio = {1, 0.5};
  cfg.theta_grad_ratio = {3, 0.5};
  ChipConfig chip = tiled_chip(256, 8);
  chip.lanes = 6;
  const CosimResult c = expect_cosim_equivalent(cfg, chip, CosimOptions::parse_units("neuron"), 5, {4, 1, {}});
  EXPECT_GT(gradient_spikes(c.report.counters.cores[0]), 0u);
  EXPECT_GT(gradient_spikes(c.report.counters.cores[1]), 0u);
}

// An asynchronous reset in the middle of a sample: the RTL units reset with the chip, the queued
// commands are dropped, and the following samples run in lockstep again.
TEST(Cosim, ResetMidSampleThenLockstep) {
  const ModelConfig cfg = mnist_config({16}, 6);
  ChipHarness h("tb", cfg, tiled_chip(392, 16));
  RtlCosim cosim(h, all_units());
  const Dataset data = subset_images(4);
  start_first_training_sample(h, data, 400);
  ASSERT_TRUE(h.busy());
  EXPECT_GT(cosim.stats().neuron_forward, 0u);
  h.reset(3);
  EXPECT_EQ(cosim.stats().neuron_forward, 0u);  // counts restart with the chip's counters
  const EquivalenceReport r = run_cosim(h, cosim, data, {3, 1, {}});
  EXPECT_EQ(r.mismatch, "");
  EXPECT_EQ(cosim.coverage_error(), "");
}

// The checker: a corrupted RTL command stops the run at its first mismatch, named by cycle, time,
// unit, index and signal, with the sample, step and phase. Returns that mismatch and its message
// (`msg`), and fails the test when the run went through.
rtl::Mismatch first_mismatch(const std::string& inject, uint64_t at, std::string* msg) {
  ChipHarness h("tb", mnist_config({16}, 6), tiled_chip(392, 8));
  CosimOptions o = all_units();
  o.inject = inject;
  o.inject_at = at;
  RtlCosim cosim(h, o);
  try {
    run_cosim(h, cosim, subset_images(3), {3, 0, {}});
  } catch (const LockstepError& e) {
    *msg = e.what();
    std::printf("%s\n", e.what());
    return e.mismatch();
  }
  ADD_FAILURE() << "the injected " << inject << " fault went unnoticed";
  msg->clear();
  return {};
}

TEST(CosimChecker, InjectedNeuronFaultIsNamed) {
  std::string msg;
  const rtl::Mismatch m = first_mismatch("neuron", 0, &msg);
  EXPECT_EQ(m.unit, "neuron_l1");
  EXPECT_EQ(m.index, 0);
  EXPECT_TRUE(m.signal == "charge_o" || m.signal == "potential_o" || m.signal == "spike_o") << msg;
  EXPECT_GT(m.cycle, 0u);
  EXPECT_NE(msg.find(" ns): unit neuron_l1[0] signal "), std::string::npos) << msg;
  EXPECT_NE(msg.find("(run sample 0, step 0, forward)"), std::string::npos) << msg;
}

TEST(CosimChecker, InjectedCoincidenceFaultIsNamed) {
  std::string msg;
  const rtl::Mismatch m = first_mismatch("coincidence", 7, &msg);
  EXPECT_EQ(m.unit.rfind("crosspoint_l", 0), 0u) << msg;
  EXPECT_EQ(m.signal, "up_o") << msg;  // the AND gates are checked before the weight
  EXPECT_NE(msg.find(", update; row "), std::string::npos) << msg;
  EXPECT_NE(msg.find("pool unit"), std::string::npos) << msg;
}

TEST(CosimChecker, InjectedEncoderFaultIsNamed) {
  std::string msg;
  const rtl::Mismatch m = first_mismatch("encoder", 3, &msg);
  EXPECT_EQ(m.unit, "spike_source");
  EXPECT_EQ(m.index, 3);
  EXPECT_EQ(m.signal, "state_o");
  EXPECT_NE(msg.find("(run sample 0, sample start (seed load))"), std::string::npos) << msg;
}

// Configurations the co-simulation cannot run are refused with a ConfigError naming the option.
void expect_refused(const ModelConfig& cfg, const CosimOptions& units, const std::string& option) {
  ChipHarness h("tb", cfg, tiled_chip(0, 0));
  try {
    RtlCosim cosim(h, units);
    ADD_FAILURE() << "accepted: " << option;
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(option), std::string::npos) << e.what();
  }
}

TEST(CosimChecker, RefusesWidthsItWasNotVerilatedWith) {
  ModelConfig cfg = mnist_config({8}, 4);
  cfg.charge_bits = 20;
  expect_refused(cfg, all_units(), "--charge-bits 20");
}

TEST(CosimChecker, RefusesRateModeForCoincidenceUnits) {
  ModelConfig cfg = mnist_config({8}, 4);
  cfg.update_mode = UpdateMode::kRate;
  expect_refused(cfg, CosimOptions::parse_units("coincidence"), "--rtl coincidence: --mode rate");
  EXPECT_THROW(CosimOptions::parse_units("neuron,bogus"), ConfigError);
}

}  // namespace
}  // namespace ssnn::sc

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
