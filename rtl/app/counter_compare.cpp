#include "counter_compare.hpp"

#include <fmt/format.h>

#include "chip_state.hpp"

namespace ssnn::rtl {

namespace {
[[noreturn]] void mismatch(const std::string& what) { throw MismatchError("mismatch: " + what); }
}  // namespace

void Comparer::operator()(const std::string& what, uint64_t expected, uint64_t rtl) const {
  if (expected != rtl) mismatch(fmt::format("{}: {} {}, RTL {} ({})", what, against, expected, rtl, where));
}

void compare_counters(const Comparer& eq, const nlohmann::json& ref, const nlohmann::json& rtl, const std::string& path) {
  const auto at = [&](const std::string& item) { return path.empty() ? item : path + " " + item; };
  if (!ref.is_structured()) {
    eq(path, ref.get<uint64_t>(), rtl.get<uint64_t>());
    return;
  }
  if (rtl.type() != ref.type() || rtl.size() != ref.size())
    mismatch(fmt::format("{}: {} {} entries, RTL {} ({})", path, eq.against, ref.size(), rtl.size(), eq.where));
  if (ref.is_array()) {
    for (size_t i = 0; i < ref.size(); ++i) compare_counters(eq, ref[i], rtl[i], at(std::to_string(i)));
    return;
  }
  for (const auto& [key, value] : ref.items()) {
    if (!rtl.contains(key)) mismatch(fmt::format("{}: not counted by the RTL chip ({})", at(key), eq.where));
    compare_counters(eq, value, rtl.at(key), at(key));
  }
}

nlohmann::json compared_chip_counters(const sc::ChipCounters& c) {
  nlohmann::json controller = c.controller, router = c.router, tiles = c.layer_tiles;
  controller.erase("cycles");
  controller.erase("phase_cycles");
  router.erase("cycles");
  for (nlohmann::json& t : tiles)
    for (const char* key : {"busy_cycles", "update_row_drives", "update_col_drives", "update_row_cells", "update_col_cells"})
      t.erase(key);
  return {{"controller", controller}, {"encoder", c.encoder}, {"cores", c.cores}, {"sources", c.sources},
          {"layer_tiles", tiles}, {"synaptic_reads", c.synaptic_reads}, {"gradient_reads", c.gradient_reads},
          {"router", router}};
}

namespace {
void collect(const nlohmann::json& j, const std::string& path, std::vector<std::pair<std::string, uint64_t>>& out) {
  const auto at = [&](const std::string& item) { return path.empty() ? item : path + " " + item; };
  if (!j.is_structured()) {
    out.emplace_back(path, j.get<uint64_t>());
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) collect(j[i], at(std::to_string(i)), out);
  } else {
    for (const auto& [key, value] : j.items()) collect(value, at(key), out);
  }
}
}  // namespace

std::vector<std::pair<std::string, uint64_t>> counter_leaves(const nlohmann::json& record) {
  std::vector<std::pair<std::string, uint64_t>> out;
  collect(record, "", out);
  return out;
}

void compare_weights(const std::vector<WeightMatrix>& ref, const std::vector<WeightMatrix>& rtl, const std::string& against) {
  for (size_t l = 0; l < ref.size(); ++l)
    for (int r = 0; r < ref[l].rows; ++r)
      for (int c = 0; c < ref[l].cols; ++c)
        if (ref[l].at(r, c) != rtl[l].at(r, c))
          mismatch(fmt::format("weight layer {} row {} column {}: {} {}, RTL {} (after the run)", l, r, c, against,
                               ref[l].at(r, c), rtl[l].at(r, c)));
}

}  // namespace ssnn::rtl
