// Comparison of ChipState; its JSON form is in chip_state.hpp, capture and restore in ssnn_chip.cpp.
#include "chip_state.hpp"

namespace ssnn::sc {

bool ChipState::operator==(const ChipState& o) const {
  // The JSON form names every counter once; comparing it keeps this in step with the struct.
  return nlohmann::json(*this) == nlohmann::json(o);
}

}  // namespace ssnn::sc
