// RtlChip's host side common to every verilated configuration: a sample from start to result, and
// the counters as the host sees them after a restore (rtl_chip.hpp).
#include "rtl_chip.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "chip_harness.hpp"

namespace ssnn::rtl {

namespace {

// Continues a restored counter record leaf by leaf: saved + (now - at), where `at` is the hardware's
// record when `saved` was restored and `now` is it today; maxima (the FIFO high-water marks) are the
// larger of saved and now, and the router's pointer is the hardware's (it is not readable: 0).
nlohmann::json continued(const nlohmann::json& saved, const nlohmann::json& at, const nlohmann::json& now,
                         const std::string& key) {
  if (now.is_structured()) {
    nlohmann::json out = now;
    if (now.is_array())
      for (size_t i = 0; i < now.size(); ++i) out[i] = continued(saved[i], at[i], now[i], key);
    else
      for (const auto& [k, v] : now.items()) out[k] = continued(saved.at(k), at.at(k), v, k);
    return out;
  }
  if (key == "router_rr_pointer") return now;
  const uint64_t s = saved.get<uint64_t>(), n = now.get<uint64_t>();
  if (key == "fifo_high_water") return std::max(s, n);
  return s + (n - at.get<uint64_t>());
}

// The first place where two counter records differ in shape (array lengths, keys), or "".
std::string shape_difference(const nlohmann::json& a, const nlohmann::json& b, const std::string& path) {
  const auto at = [&](const std::string& item) { return path.empty() ? item : path + " " + item; };
  if (a.type() != b.type()) return fmt::format("{} is of another kind", path);
  if (a.is_array()) {
    if (a.size() != b.size()) return fmt::format("{} has {} entries, this chip {}", path, a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i)
      if (std::string d = shape_difference(a[i], b[i], at(std::to_string(i))); !d.empty()) return d;
  } else if (a.is_object()) {
    for (const auto& [k, v] : b.items()) {
      if (!a.contains(k)) return fmt::format("{} is missing", at(k));
      if (std::string d = shape_difference(a.at(k), v, at(k)); !d.empty()) return d;
    }
  }
  return {};
}

}  // namespace

SampleResult RtlChip::run_sample(const uint8_t* pixels, int label, const SampleSpec& spec) {
  start_sample(pixels, label, spec);
  const uint64_t limit = sc::ChipHarness::sample_cycle_limit(config());  // as the SystemC chip's
  for (uint64_t n = 0; busy(); ++n) {
    if (n == limit) throw std::runtime_error(fmt::format("rtl chip: sample not finished after {} cycles (deadlock)", limit));
    step();
  }
  return sample_result();
}

sc::ChipState RtlChip::state() const {
  if (!restored_) return hardware_state();
  sc::ChipState s;
  continued(restored_->first, restored_->second, nlohmann::json(hardware_state()), "").get_to(s);
  return s;
}

sc::ChipCounters RtlChip::counters() const { return sc::ChipCounters::of_state(state(), floorplan()); }

void RtlChip::check_state(const sc::ChipState& s) const {
  if (const std::string d = shape_difference(nlohmann::json(s), nlohmann::json(hardware_state()), ""); !d.empty())
    throw std::invalid_argument("chip state: " + d);
}

void RtlChip::restore_state(const sc::ChipState& s) {
  check_state(s);
  restored_.emplace(nlohmann::json(s), nlohmann::json(hardware_state()));
}

}  // namespace ssnn::rtl
