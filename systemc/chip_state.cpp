// JSON form of the tile counters and of ChipState (checked on reading), comparison of ChipState; the
// other counters' JSON form is in chip_state.hpp, capture and restore live in ssnn_chip.cpp.
#include "chip_state.hpp"

#include <stdexcept>

#include "ssnn/json_checked.hpp"

namespace ssnn::sc {

void to_json(nlohmann::json& j, const TileCounters& t) {
  j = nlohmann::json::object();
  for (const TileCounterField& f : kTileCounterFields) j[f.name] = t.*f.member;
}

// A counter that is not required (kTileCounterFields) and missing restores as zero.
void from_json(const nlohmann::json& j, TileCounters& t) {
  for (const TileCounterField& f : kTileCounterFields)
    t.*f.member = f.required ? j.at(f.name).get<uint64_t>() : j.value(f.name, uint64_t{0});
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
