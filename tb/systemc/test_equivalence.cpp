// Chip versus golden model, bit for bit: spike rasters of every block at every step, weights after
// every sample, operation counters and predictions, on several configurations.
#include <gtest/gtest.h>

#include <algorithm>

#include "equivalence.hpp"
#include "ssnn/device.hpp"

namespace ssnn::sc {
namespace {

void expect_router_sound(const ChipCounters& c, const ChipConfig& chip) {
  EXPECT_EQ(c.router.total_drops(), 0u);
  EXPECT_EQ(c.router.unrouted, 0u);
  EXPECT_EQ(c.router.total_events_in(), c.router.total_grants());  // everything accepted left its FIFO
  for (uint32_t hw : c.router.fifo_high_water) EXPECT_LE(hw, static_cast<uint32_t>(chip.fifo_depth));
  uint64_t src = 0;
  for (const SourceCounters& s : c.sources) src += s.events;
  EXPECT_EQ(src, c.router.total_events_in());
}

// The chip of cfg and chip against the golden model on `data`: bit for bit, with a sound router.
// Returns the report for the test's own checks.
EquivalenceReport expect_equivalent(const ModelConfig& cfg, const ChipConfig& chip, const Dataset& data,
                                    const EquivalenceRun& run, const std::string& what = "") {
  ChipHarness h("tb", cfg, chip);
  EquivalenceReport r = run_equivalence(h, data, run);
  EXPECT_EQ(r.mismatch, "") << what;
  expect_router_sound(r.counters, chip);
  return r;
}

uint64_t source_stalls(const ChipCounters& c) {
  uint64_t stalls = 0;
  for (const SourceCounters& s : c.sources) stalls += s.stall_cycles;
  return stalls;
}

// 64-16-4 synthetic, stochastic updates, WTA on, layers cut into 16x8 tiles (W0: 4x2 tiles).
TEST(Equivalence, SmallTiledStochasticWta) {
  ModelConfig cfg = synthetic_config({16}, 16);
  cfg.pulse = {8};
  ChipConfig chip = tiled_chip(16, 8);
  chip.lanes = 4;
  ChipHarness h("tb", cfg, chip);
  EXPECT_EQ(h.chip().num_tiles(), 4 * 2 + 1 * 1);
  const EquivalenceReport r = run_equivalence(h, synthetic_dataset(64, 4, 8, 7), {6, 3, {}});
  EXPECT_EQ(r.mismatch, "");
  EXPECT_GT(r.spikes_compared, 100u);
  EXPECT_GT(update_pulses(r.counters.layer_tiles[0]), 0u);
  expect_router_sound(r.counters, chip);
}

// Rate-mode learning (end-of-sample updates), WTA off, one tile per layer.
TEST(Equivalence, RateModeNoWtaOneTilePerLayer) {
  ModelConfig cfg = synthetic_config({16}, 12);
  cfg.wta = false;
  cfg.update_mode = UpdateMode::kRate;
  cfg.pulse = {16};
  const ChipConfig chip = tiled_chip(0, 0);
  ChipHarness h("tb", cfg, chip);
  EXPECT_EQ(h.chip().num_tiles(), 2);
  const EquivalenceReport r = run_equivalence(h, synthetic_dataset(64, 4, 8, 11), {5, 3, {}});
  EXPECT_EQ(r.mismatch, "");
  EXPECT_GT(r.counters.layer_tiles[0].rate_updates, 0u);
  expect_router_sound(r.counters, chip);
}

// MNIST subset images, 784-32-10, a router of one event per cycle with one-entry FIFOs: it stalls.
TEST(Equivalence, MnistStallingRouter) {
  const ModelConfig cfg = mnist_config({32}, 10);
  ChipConfig chip = tiled_chip(128, 16);
  chip.events_per_cycle = 1;
  chip.fifo_depth = 1;
  chip.lanes = 64;
  chip.encoder_lanes = 256;
  const EquivalenceReport r = expect_equivalent(cfg, chip, subset_images(6), {4, 2, {}});
  EXPECT_GT(r.counters.router.stall_cycles, 0u);
  EXPECT_GT(source_stalls(r.counters), 0u);
}

// Two hidden layers (tiled), dropout on inputs and hidden units, per-layer pulse sizes, device
// non-idealities on; the hidden gradient gate opens at `gate_fraction` x theta (1: the paper's gate);
// each hidden layer's forward and gradient thresholds are theta x its `theta_ratio` entry and
// theta_grad x its `theta_grad_ratio` entry.
void expect_deep_dropout_equivalent(double gate_fraction, std::vector<double> theta_ratio = {},
                                    std::vector<double> theta_grad_ratio = {}) {
  ModelConfig cfg = deep_nonideal_config(14, 1);
  cfg.gate_fraction = gate_fraction;
  cfg.theta_ratio = std::move(theta_ratio);
  cfg.theta_grad_ratio = std::move(theta_grad_ratio);
  ChipConfig chip = tiled_chip(128, 8);
  chip.lanes = 8;
  const EquivalenceReport r = expect_equivalent(cfg, chip, subset_images(6), {6, 2, {}});
  // Gradients reach the first hidden layer through the second.
  EXPECT_GT(gradient_spikes(r.counters.cores[0]), 0u);
  EXPECT_GT(gradient_spikes(r.counters.cores[1]), 0u);
  EXPECT_GT(update_pulses(r.counters.layer_tiles[0]), 0u);
}

TEST(Equivalence, DeepDropoutDeviceNonIdealities) { expect_deep_dropout_equivalent(1.0); }

// The surrogate gradient gate in both hidden layers: the gate events of the forward neurons reach
// the gradient neurons in the same step at both levels.
TEST(Equivalence, SurrogateGateDeepDropout) { expect_deep_dropout_equivalent(0.375); }

// Thresholds per hidden layer (forward x1 / x1/2, gradient x3 / x1/2): each neuron core uses its
// own layer's thresholds, as the golden model does.
TEST(Equivalence, PerLayerThresholdsDeep) { expect_deep_dropout_equivalent(1.0, {1, 0.5}, {3, 0.5}); }

// Every device preset (and the effects no preset sets: stuck devices, global asymmetry): two hidden
// layers cut into tiles across rows and columns, so the per-device constants are drawn per tile at
// their global coordinates, each pulse goes through the device model, and the read noise of a line
// summed over several tiles is added once, forward and transposed.
void expect_device_equivalent(const std::string& preset, const std::vector<std::string>& overrides = {}) {
  ModelConfig cfg = mnist_config({24, 12}, 14);
  cfg.dropout_input = 0.2;
  cfg.dropout_hidden = 0.3;
  cfg.theta_grad = 256;
  cfg.pulse = {2};
  select_device(cfg, preset, false);
  for (const std::string& o : overrides) set_device_param(cfg, o);
  ChipConfig chip = tiled_chip(128, 8);
  chip.lanes = 8;
  const EquivalenceReport r = expect_equivalent(cfg, chip, subset_images(6), {6, 2, {}}, preset);
  EXPECT_GT(update_pulses(r.counters.layer_tiles[0]), 0u);
  EXPECT_GT(update_pulses(r.counters.layer_tiles[1]), 0u);
  EXPECT_GT(gradient_spikes(r.counters.cores[0]), 0u);
}

TEST(EquivalenceDevice, Ideal) { expect_device_equivalent("ideal"); }
TEST(EquivalenceDevice, RpuSpec) { expect_device_equivalent("rpu-spec"); }
TEST(EquivalenceDevice, ReRam) { expect_device_equivalent("reram"); }
TEST(EquivalenceDevice, EcRam) { expect_device_equivalent("ecram"); }
TEST(EquivalenceDevice, Pcm) { expect_device_equivalent("pcm"); }
TEST(EquivalenceDevice, StuckAndAsymmetricRpuSpec) {
  expect_device_equivalent("rpu-spec", {"stuck_fraction=0.05", "up_down=0.2", "slope_up=0.3"});
}

// MNIST subset, rate mode with WTA, an epoch-indexed pulse schedule, non-square tiles and a
// narrow core.
TEST(Equivalence, MnistRateModeWta) {
  ModelConfig cfg = mnist_config({40}, 8);
  cfg.update_mode = UpdateMode::kRate;
  cfg.pulse = {4, 2};
  ChipConfig chip = tiled_chip(200, 24);
  chip.lanes = 3;
  chip.events_per_cycle = 3;
  chip.fifo_depth = 4;
  expect_equivalent(cfg, chip, subset_images(5), {4, 2, {}});
}

// The recipe of the 98 % stochastic MNIST run (docs/results.md): a fast synaptic kernel
// (tau = T/25), hidden gradient threshold theta/4, per-step stochastic updates, WTA, no dropout.
TEST(Equivalence, MnistFastKernelStochasticWta) {
  ModelConfig cfg = mnist_config({48}, 20);
  cfg.tau_divisor = 25.0;
  cfg.theta_grad = cfg.theta / 4;
  cfg.inhibition = cfg.theta / 4;
  cfg.pulse = {16, 8};
  ChipConfig chip = tiled_chip(196, 16);
  chip.lanes = 16;
  const EquivalenceReport r = expect_equivalent(cfg, chip, subset_images(6), {6, 2, {}});
  EXPECT_EQ(r.samples, 8u);
  EXPECT_GT(r.spikes_compared, 1000u);
  EXPECT_GT(update_pulses(r.counters.layer_tiles[0]), 0u);
}

// Long T with a flat input profile, stochastic updates, WTA off, square tiles.
TEST(Equivalence, LongFlatStochasticNoWta) {
  ModelConfig cfg = synthetic_config({32}, 96, 384);
  cfg.input_profile = InputProfile::kFlat;
  cfg.wta = false;
  ChipConfig chip = tiled_chip(32, 32);
  chip.events_per_cycle = 1;
  chip.fifo_depth = 2;
  expect_equivalent(cfg, chip, synthetic_dataset(64, 4, 4, 5), {3, 1, {}});
}

// Stress: maximal spike rates through the smallest router. Every pixel is at full intensity with a
// flat input rate of 1 and the label train is always on, so the encoder emits every input and the
// label at every step; with all 64 inputs driving it at every step, a hidden neuron whose He-initial
// weights sum to more than its threshold fires at almost every step; WTA off. One event per cycle and one-entry FIFOs: the router stalls
// nearly all the time. Nothing may be lost or duplicated (bit-exact spikes against the golden
// model, events in = events granted = events the sources sent) and no FIFO may exceed its depth.
TEST(Equivalence, StressMaximalSpikeRatesMinimalRouter) {
  ModelConfig cfg = synthetic_config({48}, 20);
  cfg.input_profile = InputProfile::kFlat;
  cfg.input_rate = 1.0;
  cfg.label_rate = 1.0;
  cfg.theta_grad = 16;
  cfg.init_gain = 4.0;  // large initial weights: most neurons far above threshold
  cfg.wta = false;
  cfg.pulse = {4};
  ChipConfig chip = tiled_chip(16, 16);
  chip.events_per_cycle = 1;
  chip.fifo_depth = 1;
  Dataset data = synthetic_dataset(64, 4, 4, 3);
  std::fill(data.pixels.begin(), data.pixels.end(), uint8_t{255});
  const EquivalenceReport r = expect_equivalent(cfg, chip, data, {3, 1, {}});
  const ChipCounters& c = r.counters;
  const uint64_t steps = r.samples * static_cast<uint64_t>(cfg.timesteps);
  EXPECT_EQ(c.encoder.input_spikes, steps * 64u);  // every input at every step
  EXPECT_GT(c.cores[0].forward_spikes, steps * 48u / 4u);  // a large share of the hidden layer every step
  EXPECT_GT(c.router.stall_cycles, 0u);
  EXPECT_GT(source_stalls(c), steps);  // backpressure reached the senders at nearly every step
}

// The harness itself: a single flipped weight in the chip is found and named.
TEST(Equivalence, ReportsFirstMismatch) {
  ChipHarness h("tb", synthetic_config({16}, 16), tiled_chip(16, 8));
  EquivalenceRun run{2, 0, {}};
  run.perturb_chip = [](std::vector<WeightMatrix>& w) {
    for (int i = 0; i < w[0].rows; ++i)
      for (int j = 0; j < w[0].cols; ++j) w[0].at(i, j) += 200;  // every hidden neuron gets more input
  };
  const EquivalenceReport r = run_equivalence(h, synthetic_dataset(64, 4, 4, 7), run);
  ASSERT_NE(r.mismatch, "");
  EXPECT_NE(r.mismatch.find("sample 0"), std::string::npos) << r.mismatch;
  EXPECT_NE(r.mismatch.find("step "), std::string::npos) << r.mismatch;
  EXPECT_NE(r.mismatch.find("core1"), std::string::npos) << r.mismatch;
}

}  // namespace
}  // namespace ssnn::sc
