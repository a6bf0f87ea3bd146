// Chip-versus-golden equivalence harness: runs the same samples through ssnn::GoldenModel and the
// SystemC chip and compares, sample by sample, the per-step spike rasters of every block, the
// weights after the sample, the operation counters and the prediction.  The first difference is
// reported with its sample, timestep, block, index and values.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "chip_harness.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/network.hpp"

namespace ssnn::sc {

// One step's spikes, copied.
struct StepRaster {
  std::vector<std::vector<int>> forward, grad_pos, grad_neg;
  int label_spike = -1;
};

class RasterRecorder : public StepObserver {
 public:
  void on_step(const StepSpikes& s) override;
  std::vector<StepRaster> steps;
};

// "" when equal, else the first difference ("step 3, core1 x spikes, neuron 7: chip fired, golden not").
std::string compare_rasters(const std::vector<StepRaster>& chip, const std::vector<StepRaster>& golden);
std::string compare_weights(const std::vector<WeightMatrix>& chip, const std::vector<WeightMatrix>& golden);
std::string compare_counters(const SampleCounters& chip, const SampleCounters& golden);

struct EquivalenceRun {
  size_t train = 4;  // training samples (epoch 0, positions 0..train-1 of the data set)
  size_t test = 2;   // inference samples
  // Applied to the chip's weights only, after both models got the same initial weights (fault
  // injection for testing the mismatch report).
  std::function<void(std::vector<WeightMatrix>&)> perturb_chip;
};

struct EquivalenceReport {
  std::string mismatch;        // empty: everything matched
  uint64_t samples = 0;
  uint64_t steps = 0;
  uint64_t spikes_compared = 0;
  ChipCounters counters;       // the chip's counters at the end
};

EquivalenceReport run_equivalence(ChipHarness& h, const Dataset& data, const EquivalenceRun& run);

// A deterministic synthetic data set: n images of `pixels` bytes (about half dark) and labels
// 0..classes-1, a function of `seed` only.
Dataset synthetic_dataset(int pixels, int classes, size_t n, uint64_t seed);

// The network shapes the chip tests share; every field not named keeps ModelConfig's default.
// 64-hidden-4, for synthetic_dataset(64, 4, ...), with theta = theta_out = `theta`.
ModelConfig synthetic_config(std::vector<int> hidden, int timesteps, int32_t theta = 256);
// 784-hidden-10, for the MNIST subset.
ModelConfig mnist_config(std::vector<int> hidden, int timesteps);
// 784-24-12-10 with dropout (inputs 0.2, hidden 0.3) and device non-idealities (4097 states,
// asymmetry 0.5, the given pulse-to-pulse noise), pulse 2, theta = theta_out = 256, theta_grad 16.
ModelConfig deep_nonideal_config(int timesteps, int32_t pulse_noise);
// Tiles of tile_rows x tile_cols (0: one tile spans the dimension); every other field at its default.
ChipConfig tiled_chip(int tile_rows, int tile_cols);

// The first n training images of the MNIST subset (the chip tests' real images).
Dataset subset_images(size_t n);
// Powers the chip on with the golden model's initial weights and runs `cycles` cycles into training
// on data's first image: a sample in progress, for the reset tests to interrupt.
void start_first_training_sample(ChipHarness& h, const Dataset& data, uint64_t cycles);
// A core's gradient spikes (both signs) and a layer's update pulses (both directions).
inline uint64_t gradient_spikes(const CoreCounters& c) { return c.pos_spikes + c.neg_spikes; }
inline uint64_t update_pulses(const TileCounters& t) { return t.pulses_up + t.pulses_down; }

}  // namespace ssnn::sc
