// Resource estimates checked before a run starts (docs/robustness.md, "Limits"): the memory a network
// needs from its shape, the work a run needs from its shape, T and sample counts.  A run beyond a
// limit ends at once with one line naming the option and the estimate; --allow-large runs it anyway.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ssnn/config.hpp"

namespace ssnn {

struct RunLimits {
  // Weights (synapses) of a network: 2^26 = 67 million, about 1 GiB with every per-synapse buffer
  // (weights, a checkpoint's copy and its file image, the update accumulators of rate and
  // stochastic-sample modes).  784-1280-10 has 1.0 million.
  static constexpr uint64_t kMaxSynapses = uint64_t{1} << 26;
  static constexpr double kBytesPerSynapse = 16;
  // Work in synapse-timesteps (synapses x T x samples presented, training and test): golden model
  // 1e17, about 40 times the largest recorded run (784-1280-10, T = 400, 100 epochs of 60,000
  // samples); the cycle-accurate chip model 1e14 (its 40,000-sample soak was 4e11 in 20 minutes).
  static constexpr double kMaxGoldenWork = 1e17;
  static constexpr double kMaxChipWork = 1e14;
};

// The weights of a network of layer sizes `layers` (inputs, hidden..., outputs).
uint64_t synapse_count(const std::vector<int>& layers);
uint64_t synapse_count(const ModelConfig& cfg);

// Throws ConfigError naming --hidden if the network is beyond kMaxSynapses, or naming `work_option`
// if synapses x T x `samples` is beyond `work_limit`; nothing if `allow_large`.
void check_run_size(const ModelConfig& cfg, double samples, double work_limit, const std::string& work_option,
                    bool allow_large);

}  // namespace ssnn
