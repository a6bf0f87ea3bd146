// Resource estimates against the documented limits (run_limits.hpp).
#include "ssnn/run_limits.hpp"

#include <fmt/format.h>

namespace ssnn {

uint64_t synapse_count(const std::vector<int>& layers) {
  uint64_t n = 0;
  for (size_t l = 0; l + 1 < layers.size(); ++l)
    n += static_cast<uint64_t>(layers[l] > 0 ? layers[l] : 0) * static_cast<uint64_t>(layers[l + 1] > 0 ? layers[l + 1] : 0);
  return n;
}

uint64_t synapse_count(const ModelConfig& cfg) {
  std::vector<int> sizes;
  for (int l = 0; l <= cfg.layers(); ++l) sizes.push_back(cfg.layer_size(l));
  return synapse_count(sizes);
}

void check_run_size(const ModelConfig& cfg, double samples, double work_limit, const std::string& work_option,
                    bool allow_large) {
  if (allow_large) return;
  const uint64_t syn = synapse_count(cfg);
  const std::string net = fmt::format("{}-{}-{}", cfg.inputs, fmt::join(cfg.hidden, "-"), cfg.classes);
  if (syn > RunLimits::kMaxSynapses)
    throw ConfigError(fmt::format("--hidden: a {} network has {} synapses (about {:.1f} GiB of memory), more than the "
                                  "limit of {} (--allow-large runs it anyway)",
                                  net, syn, static_cast<double>(syn) * RunLimits::kBytesPerSynapse / (1u << 30),
                                  RunLimits::kMaxSynapses));
  const double work = static_cast<double>(syn) * cfg.timesteps * samples;
  if (work > work_limit)
    throw ConfigError(fmt::format("{}: {} synapses x T = {} x {:.0f} samples = {:.2e} synapse-timesteps, more than the "
                                  "limit of {:.0e} (--allow-large runs it anyway)",
                                  work_option, syn, cfg.timesteps, samples, work, work_limit));
}

}  // namespace ssnn
