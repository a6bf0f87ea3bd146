#include "energy_model.hpp"

#include <fmt/format.h>

namespace ssnn::sc {

void EnergyTable::set(const std::string& a) {
  const size_t eq = a.find('=');
  if (eq == std::string::npos) throw ConfigError(fmt::format("--energy: '{}' is not NAME=PJ", a));
  const std::string key = a.substr(0, eq);
  double v = 0;
  try {
    size_t used = 0;
    v = std::stod(a.substr(eq + 1), &used);
    if (used != a.size() - eq - 1) throw std::invalid_argument("trailing characters");
  } catch (const std::exception&) {
    throw ConfigError(fmt::format("--energy: '{}' is not a number", a.substr(eq + 1)));
  }
  if (!(v >= 0) || v > 1e9) throw ConfigError(fmt::format("--energy: {} must be a non-negative energy in pJ", v));
  double* field = key == "synaptic_op_pj"     ? &synaptic_op_pj
                  : key == "neuron_update_pj" ? &neuron_update_pj
                  : key == "spike_hop_pj"     ? &spike_hop_pj
                  : key == "pulse_pj"         ? &pulse_pj
                  : key == "rate_update_pj"   ? &rate_update_pj
                  : key == "lfsr_draw_pj"     ? &lfsr_draw_pj
                  : key == "bus_word_pj"      ? &bus_word_pj
                                              : nullptr;
  if (!field)
    throw ConfigError(fmt::format("--energy: unknown entry '{}' (synaptic_op_pj, neuron_update_pj, spike_hop_pj, "
                                  "pulse_pj, rate_update_pj, lfsr_draw_pj, bus_word_pj)", key));
  *field = v;
}

nlohmann::json EnergyTable::to_json() const {
  return nlohmann::json{{"synaptic_op_pj", synaptic_op_pj}, {"neuron_update_pj", neuron_update_pj},
                        {"spike_hop_pj", spike_hop_pj},     {"pulse_pj", pulse_pj},
                        {"rate_update_pj", rate_update_pj}, {"lfsr_draw_pj", lfsr_draw_pj},
                        {"bus_word_pj", bus_word_pj}};
}

EnergyEstimate estimate_energy(const EnergyTable& e, const ChipConfig& chip, const ChipCounters& a,
                               const ChipCounters& b) {
  auto d = [](uint64_t x, uint64_t y) { return static_cast<double>(y - x); };
  double syn = 0, grad = 0, pulses = 0, rate = 0, updates = 0, words = 0;
  for (size_t l = 0; l < b.synaptic_reads.size(); ++l) {
    syn += d(a.synaptic_reads[l], b.synaptic_reads[l]);
    grad += d(a.gradient_reads[l], b.gradient_reads[l]);
    pulses += d(a.layer_tiles[l].pulses_up, b.layer_tiles[l].pulses_up) +
              d(a.layer_tiles[l].pulses_down, b.layer_tiles[l].pulses_down);
    rate += d(a.layer_tiles[l].rate_updates, b.layer_tiles[l].rate_updates);
  }
  for (size_t l = 0; l < b.cores.size(); ++l) {
    updates += d(a.cores[l].forward_updates, b.cores[l].forward_updates) +
               d(a.cores[l].gradient_updates, b.cores[l].gradient_updates);
    words += d(a.cores[l].column_sum_words, b.cores[l].column_sum_words);
  }
  const double hops = d(a.router.total_events_out(), b.router.total_events_out());
  const double draws = d(a.encoder.lfsr_draws, b.encoder.lfsr_draws);
  EnergyEstimate r;
  const double pj = 1e-12;
  r.joules["forward_reads"] = syn * e.synaptic_op_pj * pj;
  r.joules["transposed_reads"] = grad * e.synaptic_op_pj * pj;
  r.joules["neuron_updates"] = updates * e.neuron_update_pj * pj;
  r.joules["aer_deliveries"] = hops * e.spike_hop_pj * pj;
  r.joules["update_pulses"] = pulses * e.pulse_pj * pj;
  r.joules["rate_updates"] = rate * e.rate_update_pj * pj;
  r.joules["lfsr_draws"] = draws * e.lfsr_draw_pj * pj;
  r.joules["column_sum_words"] = words * e.bus_word_pj * pj;
  for (const auto& [k, v] : r.joules) r.total_j += v;
  const auto idle = static_cast<size_t>(CtrlPhase::kIdle);
  const double busy_cycles = d(a.controller.cycles, b.controller.cycles) -
                             d(a.controller.phase_cycles[idle], b.controller.phase_cycles[idle]);
  r.seconds = busy_cycles / (chip.clock_mhz * 1e6);
  return r;
}

}  // namespace ssnn::sc
