// The chip program's report (ssnn_chip_tb): the hardware figures of the work between two counter
// snapshots and the RTL co-simulation's statistics, as JSON records and as printed lines.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chip_config.hpp"
#include "ssnn_chip.hpp"
#include "energy_model.hpp"
#include "rtl_cosim.hpp"

namespace ssnn::sc {

// x per n, 0 when there is no n.
inline double per(double x, double n) { return n > 0 ? x / n : 0.0; }

// Cycles, AER traffic, update pulses, energy (digital and analog array models) and latency per
// sample between the snapshots a and b.
nlohmann::json hardware_json(const ChipConfig& chip, const EnergyTable& table, const ArrayPeriphery& periphery,
                             const ChipCounters& a, const ChipCounters& b);
void print_hw(const char* what, const nlohmann::json& h, double clock_mhz);

// What the RTL units checked, with the waveform files written.
nlohmann::json cosim_json(const RtlCosim& c, const std::vector<std::string>& waves);
void print_rtl(const nlohmann::json& r);

}  // namespace ssnn::sc
