// The chip program's report: hardware figures between two counter snapshots and the RTL
// co-simulation's statistics, as JSON and as the lines ssnn_chip_tb prints.
#include "chip_report.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace ssnn::sc {

nlohmann::json cosim_json(const RtlCosim& c, const std::vector<std::string>& waves) {
  const CosimStats& s = c.stats();
  return nlohmann::json{{"units", c.options().units()},
                        {"xpoint_units_per_tile", c.options().xpoint_units},
                        {"rtl_models", s.rtl_models},
                        {"signal_checks", s.checks},
                        {"mismatches", c.failed() ? 1 : 0},
                        {"neuron_clears", s.neuron_clears},
                        {"neuron_forward_updates", s.neuron_forward},
                        {"neuron_gradient_updates", s.neuron_gradient},
                        {"wta_cycles", s.wta_cycles},
                        {"lfsr_seed_loads", s.lfsr_loads},
                        {"lfsr_draws", s.lfsr_draws},
                        {"crosspoint_pulses", s.xpoint_pulses},
                        {"crosspoint_max_backlog", s.xpoint_max_backlog},
                        {"probe_crosspoint_updates", s.probe_updates},
                        {"drain_cycles", s.drain_cycles},
                        {"waves", waves}};
}

void print_rtl(const nlohmann::json& r) {
  std::printf("rtl co-simulation (%s): %llu RTL models, %llu signal checks, no mismatch\n", r["units"].get<std::string>().c_str(),
              static_cast<unsigned long long>(r["rtl_models"].get<uint64_t>()),
              static_cast<unsigned long long>(r["signal_checks"].get<uint64_t>()));
  std::printf("  checked by RTL: %llu forward and %llu gradient neuron updates, %llu WTA cycles, %llu LFSR draws, "
              "%llu seed loads, %llu cross-point pulses (largest backlog %llu, drained in %llu cycles)\n",
              static_cast<unsigned long long>(r["neuron_forward_updates"].get<uint64_t>()),
              static_cast<unsigned long long>(r["neuron_gradient_updates"].get<uint64_t>()),
              static_cast<unsigned long long>(r["wta_cycles"].get<uint64_t>()),
              static_cast<unsigned long long>(r["lfsr_draws"].get<uint64_t>()),
              static_cast<unsigned long long>(r["lfsr_seed_loads"].get<uint64_t>()),
              static_cast<unsigned long long>(r["crosspoint_pulses"].get<uint64_t>()),
              static_cast<unsigned long long>(r["crosspoint_max_backlog"].get<uint64_t>()),
              static_cast<unsigned long long>(r["drain_cycles"].get<uint64_t>()));
  for (const auto& w : r["waves"]) std::printf("  RTL waveform: %s\n", w.get<std::string>().c_str());
}

// Hardware figures of the work between two counter snapshots.
nlohmann::json hardware_json(const ChipConfig& chip, const EnergyTable& table,
                             const ArrayPeriphery& periphery, const ChipCounters& a, const ChipCounters& b) {
  const double samples = static_cast<double>(b.controller.samples - a.controller.samples);
  const double steps = static_cast<double>(b.controller.steps - a.controller.steps);
  nlohmann::json phases = nlohmann::json::object();
  double busy = 0;
  for (size_t p = 1; p < static_cast<size_t>(CtrlPhase::kCount); ++p) {
    const double c = static_cast<double>(b.controller.phase_cycles[p] - a.controller.phase_cycles[p]);
    phases[kPhaseNames[p]] = per(c, steps);
    busy += c;
  }
  const ssnn::SampleCounters ops = ChipCounters::sample_delta(a, b);
  const EnergyEstimates models = estimate_energy(table, periphery, chip.clock_mhz, a, b);
  const EnergyEstimate& e = models.digital;
  // The digital model's operations, flat, as reports have always carried them.
  nlohmann::json energy = nlohmann::json::object();
  for (const auto& [block, ops] : e.blocks)
    for (const auto& [k, v] : ops) energy[k] = per(v, samples);
  nlohmann::json high_water = b.router.fifo_high_water;
  std::vector<uint64_t> src_stalls;
  for (size_t i = 0; i < b.sources.size(); ++i) src_stalls.push_back(b.sources[i].stall_cycles - a.sources[i].stall_cycles);
  return nlohmann::json{
      {"samples", samples},
      {"timesteps", steps},
      {"cycles_per_sample", per(busy, samples)},
      {"cycles_per_timestep", per(busy, steps)},
      {"phase_cycles_per_timestep", phases},
      {"aer_events_per_sample", per(static_cast<double>(b.router.total_grants() - a.router.total_grants()), samples)},
      {"aer_deliveries_per_sample", per(static_cast<double>(b.router.total_events_out() - a.router.total_events_out()), samples)},
      {"router_stall_cycles_per_sample", per(static_cast<double>(b.router.stall_cycles - a.router.stall_cycles), samples)},
      {"router_bandwidth_stall_cycles_per_sample",
       per(static_cast<double>(b.router.bandwidth_stall_cycles - a.router.bandwidth_stall_cycles), samples)},
      {"router_output_stall_cycles_per_sample",
       per(static_cast<double>(b.router.output_stall_cycles - a.router.output_stall_cycles), samples)},
      {"source_stall_cycles", src_stalls},
      {"fifo_high_water", high_water},
      {"router_drops", b.router.total_drops()},
      {"forward_spikes_per_sample", [&] {
         std::vector<double> v;
         for (uint64_t x : ops.forward_spikes) v.push_back(per(static_cast<double>(x), samples));
         return v;
       }()},
      {"synaptic_reads_per_sample", per(static_cast<double>(ops.synaptic_reads), samples)},
      {"gradient_reads_per_sample", per(static_cast<double>(ops.gradient_reads), samples)},
      {"pulses_up_per_sample", per(static_cast<double>(ops.pulses_up), samples)},
      {"pulses_down_per_sample", per(static_cast<double>(ops.pulses_down), samples)},
      {"rate_updates_per_sample", per(static_cast<double>(ops.rate_updates), samples)},
      {"energy_j_per_sample", energy},
      {"energy_total_j_per_sample", per(e.total_j, samples)},
      {"energy_models", {{"digital", models.digital.to_json(samples)}, {"analog", models.analog.to_json(samples)}}},
      {"latency_s_per_sample", per(e.seconds, samples)},
  };
}

void print_hw(const char* what, const nlohmann::json& h, double clock_mhz) {
  std::printf("%s: %.0f cycles/sample, %.1f cycles/timestep (", what, h["cycles_per_sample"].get<double>(),
              h["cycles_per_timestep"].get<double>());
  bool first = true;
  for (const auto& [k, v] : h["phase_cycles_per_timestep"].items()) {
    if (v.get<double>() == 0) continue;
    std::printf("%s%s %.1f", first ? "" : ", ", k.c_str(), v.get<double>());
    first = false;
  }
  std::printf(")\n");
  std::printf("  AER: %.1f events/sample, %.1f deliveries/sample, %.1f router stall cycles/sample (bandwidth %.1f, "
              "output %.1f), drops %llu\n",
              h["aer_events_per_sample"].get<double>(), h["aer_deliveries_per_sample"].get<double>(),
              h["router_stall_cycles_per_sample"].get<double>(), h["router_bandwidth_stall_cycles_per_sample"].get<double>(),
              h["router_output_stall_cycles_per_sample"].get<double>(),
              static_cast<unsigned long long>(h["router_drops"].get<uint64_t>()));
  std::printf("  update pulses: %.1f up, %.1f down per sample; rate updates %.1f per sample\n",
              h["pulses_up_per_sample"].get<double>(), h["pulses_down_per_sample"].get<double>(),
              h["rate_updates_per_sample"].get<double>());
  std::printf("  latency %.2f us/sample at %.0f MHz\n", 1e6 * h["latency_s_per_sample"].get<double>(), clock_mhz);
  for (const char* model : {"digital", "analog"}) {
    const nlohmann::json& m = h["energy_models"][model];
    std::printf("  energy, %s array: %.3f uJ/sample (%.4g pJ per synaptic op, %.4g pJ per update pulse):", model,
                1e6 * m["total_j_per_sample"].get<double>(), m["pj_per_synaptic_op"].get<double>(),
                m["pj_per_update_pulse"].get<double>());
    for (const auto& [block, ops] : m["blocks_j_per_sample"].items()) {
      double sum = 0;
      for (const auto& [op, j] : ops.items()) sum += j.get<double>();
      std::printf(" %s %.3f", block.c_str(), 1e6 * sum);
    }
    std::printf("\n");
  }
}

}  // namespace ssnn::sc
