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

}  // namespace ssnn::sc
