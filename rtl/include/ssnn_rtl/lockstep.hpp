// Lockstep checker: compares RTL outputs with reference values and reports the first mismatch by
// cycle, unit, index and signal. Plain C++ (no Verilator, no SystemC), shared by the unit tests,
// the SystemC smoke test and the chip's co-simulation.
#pragma once

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

namespace ssnn::rtl {

struct Mismatch {
  uint64_t cycle = 0;
  std::string unit;    // e.g. "neuron", "output_layer", "crosspoint"
  int index = 0;       // which instance of the unit (neuron number, cross-point number)
  std::string signal;  // port name, e.g. "potential_o"
  int64_t expected = 0;
  int64_t actual = 0;
  std::string context;  // free text: sample, timestep, phase
  std::string time;     // simulation time, when the check runs in a simulator (e.g. "6170 ns")

  std::string message() const {
    std::ostringstream s;
    s << "lockstep mismatch at cycle " << cycle;
    if (!time.empty()) s << " (" << time << ")";
    s << ": unit " << unit << "[" << index << "] signal " << signal
      << ": expected " << expected << ", RTL " << actual;
    if (!context.empty()) s << " (" << context << ")";
    return s.str();
  }
};

class Lockstep {
 public:
  void set_cycle(uint64_t cycle) { cycle_ = cycle; }
  uint64_t cycle() const { return cycle_; }
  void set_context(std::string context) { context_ = std::move(context); }

  // Compares one signal; records the first mismatch only. Returns true when equal.
  bool check(const char* unit, int index, const char* signal, int64_t expected, int64_t actual) {
    ++checks_;
    if (expected == actual) return true;
    if (!first_) first_ = Mismatch{cycle_, unit, index, signal, expected, actual, context_, {}};
    return false;
  }

  bool ok() const { return !first_.has_value(); }
  const std::optional<Mismatch>& first() const { return first_; }
  uint64_t checks() const { return checks_; }

 private:
  uint64_t cycle_ = 0;
  uint64_t checks_ = 0;
  std::string context_;
  std::optional<Mismatch> first_;
};

}  // namespace ssnn::rtl
