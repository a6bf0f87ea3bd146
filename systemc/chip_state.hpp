// ChipState: what the chip carries from one sample to the next besides its weights, so a training
// run can stop at a sample boundary and go on in another process exactly as if it had not stopped
// (checkpoints of ssnn_chip_tb, systemc/app/chip_trainer.hpp).
//
// Between two samples every block is idle and holds nothing of the sample: the controller waits for
// start, the router's FIFOs and output registers are empty, and latches, accumulators, neuron state,
// LFSRs and dropout masks are cleared or reseeded from the sample key by the next kSampleBegin. What
// is left is
//   - the counters, cumulative since reset (reports are differences of snapshots, and the router's
//     FIFO high-water marks are maxima over the whole run), and
//   - the router's round-robin pointer. With the controller's schedule it does not change the next
//     sample: the last traffic of a sample comes from the cores and the first of the next from the
//     encoder, whose inputs come first, so a scan from wherever the pointer was left reaches them
//     in the same order as a scan from 0. It is kept all the same, so a resumed router is the
//     router that stopped, whatever the schedule.
// The delivery counts of the drain check (sources' tx_expected, tiles' rx_count) are left out on
// purpose: the controller only compares their sums, which a reset makes equal again.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "aer_router_core.hpp"
#include "aer_source.hpp"
#include "chip_controller.hpp"
#include "crossbar_tile.hpp"
#include "neuron_core.hpp"
#include "spike_encoder.hpp"

namespace ssnn::sc {

void to_json(nlohmann::json& j, const TileCounters& t);
void from_json(const nlohmann::json& j, TileCounters& t);

struct ChipState {
  ControllerCounters controller;
  EncoderCounters encoder;
  std::vector<SourceCounters> sources;  // router senders: the encoder, then the cores of layers 1..L
  std::vector<CoreCounters> cores;      // layers 1..L
  std::vector<TileCounters> tiles;      // every tile, in the chip's tile order
  AerRouterCounters router;
  uint32_t router_rr_pointer = 0;

  bool operator==(const ChipState& o) const;
  bool operator!=(const ChipState& o) const { return !(*this == o); }
};

// JSON form: one key per counter, named as the struct member, so a checkpoint reads like the counters
// it holds.  from_json throws nlohmann::json exceptions for a missing key or a value of the wrong type;
// ChipState's also throws std::invalid_argument for a count that is negative, fractional or out of its
// field's range; shapes are checked by ssnn_chip::restore_state.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ControllerCounters, phase_cycles, cycles, samples, steps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EncoderCounters, lfsr_draws, input_spikes, label_spikes, seed_loads)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SourceCounters, events, stall_cycles, busy_cycles)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CoreCounters, forward_updates, gradient_updates, forward_spikes, pos_spikes,
                                   neg_spikes, wta_iterations, column_sum_words)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AerRouterCounters, cycles, events_in, grants, head_stall_cycles,
                                   input_stall_cycles, drops, fifo_high_water, events_out, multicast_copies, unrouted,
                                   stall_cycles, bandwidth_stall_cycles, output_stall_cycles)
void to_json(nlohmann::json& j, const ChipState& s);
void from_json(const nlohmann::json& j, ChipState& s);

}  // namespace ssnn::sc
