// JSON form and comparison of ChipState; capture and restore live in ssnn_chip.cpp.
#include "chip_state.hpp"

#include <stdexcept>

#include "ssnn/json_checked.hpp"

namespace ssnn::sc {

// One key per counter, named as the struct member, so a checkpoint reads like the counters it holds.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ControllerCounters, phase_cycles, cycles, samples, steps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EncoderCounters, lfsr_draws, input_spikes, label_spikes, seed_loads)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SourceCounters, events, stall_cycles, busy_cycles)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CoreCounters, forward_updates, gradient_updates, forward_spikes, pos_spikes,
                                   neg_spikes, wta_iterations, column_sum_words)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TileCounters, events, row_reads, col_reads, col_latches, pulses_up, pulses_down,
                                   rate_updates, busy_cycles)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AerRouterCounters, cycles, events_in, grants, head_stall_cycles,
                                   input_stall_cycles, drops, fifo_high_water, events_out, multicast_copies, unrouted,
                                   stall_cycles, bandwidth_stall_cycles, output_stall_cycles)

void to_json(nlohmann::json& j, const ChipState& s) {
  j = nlohmann::json{{"controller", s.controller}, {"encoder", s.encoder},
                     {"sources", s.sources},       {"cores", s.cores},
                     {"tiles", s.tiles},           {"router", s.router},
                     {"router_rr_pointer", s.router_rr_pointer}};
}

void from_json(const nlohmann::json& j, ChipState& s) {
  // Counters from a file: checked before nlohmann converts them, and narrower fields (uint32) must
  // read back unchanged.
  if (!ssnn::only_counts(j)) throw std::invalid_argument("chip state: a counter is negative, fractional or beyond 64 bits");
  j.at("controller").get_to(s.controller);
  j.at("encoder").get_to(s.encoder);
  j.at("sources").get_to(s.sources);
  j.at("cores").get_to(s.cores);
  j.at("tiles").get_to(s.tiles);
  j.at("router").get_to(s.router);
  j.at("router_rr_pointer").get_to(s.router_rr_pointer);
  if (nlohmann::json(s) != j) throw std::invalid_argument("chip state: a counter is out of its range or a field is unknown");
}

bool ChipState::operator==(const ChipState& o) const {
  // The JSON form names every counter once; comparing it keeps this in step with the struct.
  return nlohmann::json(*this) == nlohmann::json(o);
}

}  // namespace ssnn::sc
