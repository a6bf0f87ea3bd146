// The chip's energy and latency from its operation counters, under two array technologies.
//
// Every constant lives in one table file (data/energy/default.json, built into the program;
// `--energy-table FILE` reads a copy, `--energy SECTION.NAME=VALUE` overrides one entry), each with
// its unit and source. Both models share the neuron cores, the AER router, the encoder and the
// column-sum bus ("shared"); they differ in the array:
//   digital  today's model: every cross-point read costs one synaptic operation (Loihi's figure),
//            every coincidence one programming pulse.
//   analog   an RPU crossbar: a read spike drives one line (driver + line charging + the current
//            of every device on the line for one read pulse); every read phase integrates and
//            converts each tile line that feeds a neuron core; an update drives the latched rows
//            at +V/2 and columns at -V/2 (drivers, line charging, half-selected devices) and
//            programs each coincident device at the full write voltage; ADC leakage over the busy
//            time. The formulas are written out in docs/chip.md, "Energy and latency".
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "ssnn_chip.hpp"

namespace ssnn::sc {

struct EnergyEntry {
  double value = 0;
  std::string unit;
  std::string source;
  bool operator==(const EnergyEntry& o) const { return value == o.value && unit == o.unit && source == o.source; }
};

// The table: sections "shared", "digital", "analog", each a set of named entries.
class EnergyTable {
 public:
  // The built-in table (data/energy/default.json, compiled in).
  static EnergyTable builtin();
  // Reads and validates a table file; ConfigError "--energy-table: FILE: ..." on any fault.
  static EnergyTable load(const std::string& path);
  // Validates parsed JSON; `origin` names the file in errors.
  static EnergyTable from_json(const nlohmann::json& j, const std::string& origin);
  nlohmann::json to_json() const;

  // "SECTION.NAME=VALUE", or "NAME=VALUE" when NAME is unique across sections; ConfigError naming --energy.
  void set(const std::string& assignment);
  double at(const std::string& section, const std::string& name) const;
  // Today's digital entries as one flat NAME -> pJ object (reports' energy_table_pj).
  nlohmann::json digital_flat() const;
  const std::string& origin() const { return origin_; }
  bool operator==(const EnergyTable& o) const { return sections_ == o.sections_; }

 private:
  std::string origin_;
  std::string description_;
  std::map<std::string, std::map<std::string, EnergyEntry>> sections_;
};

// What the static power scales with: the number of ADCs of all tiles.
struct ArrayPeriphery {
  double adcs = 0;
};
ArrayPeriphery array_periphery(const EnergyTable& table, const ssnn_chip& chip);

// One model's estimate: joules per block and operation, and per-operation figures.
struct EnergyEstimate {
  std::map<std::string, std::map<std::string, double>> blocks;  // block -> operation -> J
  double total_j = 0;
  double seconds = 0;               // busy cycles / clock
  double pj_per_synaptic_op = 0;    // array read energy / cross-points read (forward and transposed)
  double pj_per_update_pulse = 0;   // update energy / coincidence pulses
  nlohmann::json to_json(double per_samples) const;  // every joule figure divided by per_samples
};

struct EnergyEstimates {
  EnergyEstimate digital;
  EnergyEstimate analog;
};

// Energy and latency of the operations counted between two counter snapshots.
EnergyEstimates estimate_energy(const EnergyTable& table, const ArrayPeriphery& periphery, double clock_mhz,
                                const ChipCounters& before, const ChipCounters& after);

}  // namespace ssnn::sc
