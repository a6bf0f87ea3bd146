// What every level exchanges about one sample: which sample it is (its random streams), the spikes
// of each step (for tracing and equivalence checks), the operation counts and the result.
#pragma once

#include <cstdint>
#include <vector>

#include "ssnn/contract/seeding.hpp"

namespace ssnn {

// Which sample this is: its random streams derive from (master seed, phase, epoch, index).
struct SampleSpec {
  Phase phase = Phase::kTest;
  uint64_t epoch = 0;
  uint64_t index = 0;
  bool learn = false;  // train (gradients, dropout, updates) or infer
};

// The spikes of one timestep, by layer.  forward[0] are the encoded inputs, forward[L] the outputs;
// grad_pos/grad_neg[l] (l = 1..L) the gradient neurons of layer l (the output error neurons at L).
struct StepSpikes {
  int t = 0;
  const std::vector<std::vector<int>>* forward = nullptr;
  const std::vector<std::vector<int>>* grad_pos = nullptr;
  const std::vector<std::vector<int>>* grad_neg = nullptr;
  int label_spike = -1;  // the class that received a target spike this step, or -1
};

// Hook for tracing and equivalence checks: called after every step, once the step's updates landed.
class StepObserver {
 public:
  virtual ~StepObserver() = default;
  virtual void on_step(const StepSpikes& spikes) = 0;
};

// Operation counts of one sample (feed the energy estimate and the equivalence checks).
struct SampleCounters {
  std::vector<uint64_t> forward_spikes;  // per layer 0..L
  std::vector<uint64_t> pos_spikes;      // per layer 0..L (0 unused)
  std::vector<uint64_t> neg_spikes;
  uint64_t synaptic_reads = 0;      // weight reads of forward propagation (spikes x fan-out)
  uint64_t gradient_reads = 0;      // weight reads of backward propagation
  uint64_t pulses_up = 0;           // coincidences that moved (or tried to move) a weight up
  uint64_t pulses_down = 0;
  uint64_t rate_updates = 0;        // cross-points written by rate/noise updates
  void reset(int layers) {
    forward_spikes.assign(static_cast<size_t>(layers) + 1, 0);
    pos_spikes.assign(static_cast<size_t>(layers) + 1, 0);
    neg_spikes.assign(static_cast<size_t>(layers) + 1, 0);
    synaptic_reads = gradient_reads = pulses_up = pulses_down = rate_updates = 0;
  }
  void add(const SampleCounters& o) {
    if (forward_spikes.size() < o.forward_spikes.size()) reset(static_cast<int>(o.forward_spikes.size()) - 1);
    for (size_t l = 0; l < o.forward_spikes.size(); ++l) {
      forward_spikes[l] += o.forward_spikes[l];
      pos_spikes[l] += o.pos_spikes[l];
      neg_spikes[l] += o.neg_spikes[l];
    }
    synaptic_reads += o.synaptic_reads;
    gradient_reads += o.gradient_reads;
    pulses_up += o.pulses_up;
    pulses_down += o.pulses_down;
    rate_updates += o.rate_updates;
  }
};

struct SampleResult {
  int prediction = -1;
  std::vector<int32_t> output_counts;
};

}  // namespace ssnn
