// JSON form of the tile counters and of ChipState (checked on reading), comparison of ChipState; the
// other counters' JSON form is in chip_state.hpp, capture and restore live in ssnn_chip.cpp.
#include "chip_state.hpp"

#include <stdexcept>

#include "ssnn/json_checked.hpp"

namespace ssnn::sc {

// The update-drive counters came later: a checkpoint without them restores them as zero.
void to_json(nlohmann::json& j, const TileCounters& t) {
  j = nlohmann::json{{"events", t.events},
                     {"row_reads", t.row_reads},
                     {"col_reads", t.col_reads},
                     {"col_latches", t.col_latches},
                     {"pulses_up", t.pulses_up},
                     {"pulses_down", t.pulses_down},
                     {"rate_updates", t.rate_updates},
                     {"busy_cycles", t.busy_cycles},
                     {"update_row_drives", t.update_row_drives},
                     {"update_col_drives", t.update_col_drives},
                     {"update_row_cells", t.update_row_cells},
                     {"update_col_cells", t.update_col_cells}};
}

void from_json(const nlohmann::json& j, TileCounters& t) {
  j.at("events").get_to(t.events);
  j.at("row_reads").get_to(t.row_reads);
  j.at("col_reads").get_to(t.col_reads);
  j.at("col_latches").get_to(t.col_latches);
  j.at("pulses_up").get_to(t.pulses_up);
  j.at("pulses_down").get_to(t.pulses_down);
  j.at("rate_updates").get_to(t.rate_updates);
  j.at("busy_cycles").get_to(t.busy_cycles);
  t.update_row_drives = j.value("update_row_drives", uint64_t{0});
  t.update_col_drives = j.value("update_col_drives", uint64_t{0});
  t.update_row_cells = j.value("update_row_cells", uint64_t{0});
  t.update_col_cells = j.value("update_col_cells", uint64_t{0});
}

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
