// The RTL chip's counters against a reference's (the golden model's or the SystemC chip's): one
// mismatch is one line naming the counter by its path of member names and indices.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ssnn/contract/weights.hpp"
#include "ssnn_chip.hpp"

namespace ssnn::rtl {

// The first disagreement between the RTL chip and a reference: one line ("mismatch: ..."; at a clock
// edge, LockstepMismatch's "lockstep mismatch at ..."), exit code 3 (chip_tb_main).
struct MismatchError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Compares one counter; throws MismatchError naming the sample and the counter.
struct Comparer {
  std::string where;
  std::string against;
  void operator()(const std::string& what, uint64_t expected, uint64_t rtl) const;
};

// Compares two counter records of one struct (their JSON forms, every leaf a count) leaf by leaf; the
// first difference is named by its path of member names and indices, as "cores 0 forward_spikes".
void compare_counters(const Comparer& eq, const nlohmann::json& ref, const nlohmann::json& rtl, const std::string& path = "");

// The counters both chips keep, in ChipState's JSON form: all but the cycles (compared per phase)
// and what only the SystemC tiles count (their busy cycles and the update drives of the energy model).
nlohmann::json compared_chip_counters(const sc::ChipCounters& c);

// Every leaf of a counter record with its path ("cores 0 forward_spikes"), in member order.
std::vector<std::pair<std::string, uint64_t>> counter_leaves(const nlohmann::json& record);

void compare_weights(const std::vector<WeightMatrix>& ref, const std::vector<WeightMatrix>& rtl, const std::string& against);

}  // namespace ssnn::rtl
