// Per-operation energy table and the chip's energy / latency estimate from its counters.
//
// Defaults are published per-operation figures of real chips and circuits; sources and how each
// was checked: docs/chip.md, "Energy and latency".
//   synaptic_op_pj      23.6  Loihi, energy per synaptic spike operation (Davies et al., IEEE Micro
//                             38(1), 2018, Table 2, pre-silicon circuit simulation): one cross-point
//                             read and accumulate.
//   neuron_update_pj    81    Loihi, energy per *active* neuron update, same table: one forward
//                             neuron or one gradient pair advanced by one step. Every composite
//                             neuron's filter moves charge onto its membrane at every step, so its
//                             state changes each step: an active update in Loihi's terms (firing is
//                             a separate cost that this model does not charge).
//   spike_hop_pj        3.5   Loihi, spike energy per mesh hop, same table (3.0 pJ east-west,
//                             4.0 pJ north-south; their mean): one AER event copy delivered.
//   pulse_pj            1.0   one coincidence pulse at a resistive cross-point: an assumption of the
//                             order of filamentary RRAM programming pulses (Burr et al., Adv. Phys.
//                             X 2(1), 2017); replace it with the device's own figure.
//   rate_update_pj      120   Loihi, energy per synaptic update (learning engine), same table: one
//                             cross-point rewritten by a rate update (digital read-modify-write).
//   lfsr_draw_pj        0.1   a 32-bit integer add at 45 nm, 0.9 V (Horowitz, ISSCC 2014), standing
//                             for one xorshift draw and compare.
//   bus_word_pj         0.1   same figure for one 32-bit word on the column-sum adder tree.
// Static power is not modelled.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "chip_config.hpp"
#include "ssnn_chip.hpp"

namespace ssnn::sc {

struct EnergyTable {
  double synaptic_op_pj = 23.6;
  double neuron_update_pj = 81.0;
  double spike_hop_pj = 3.5;
  double pulse_pj = 1.0;
  double rate_update_pj = 120.0;
  double lfsr_draw_pj = 0.1;
  double bus_word_pj = 0.1;

  // Sets one entry by name ("synaptic_op_pj=20"); throws ConfigError naming --energy.
  void set(const std::string& assignment);
  nlohmann::json to_json() const;
};

struct EnergyEstimate {
  std::map<std::string, double> joules;  // per operation kind
  double total_j = 0;
  double seconds = 0;  // cycles / clock
};

// Energy and latency of the operations counted between two counter snapshots.
EnergyEstimate estimate_energy(const EnergyTable& table, const ChipConfig& chip, const ChipCounters& before,
                               const ChipCounters& after);

}  // namespace ssnn::sc
