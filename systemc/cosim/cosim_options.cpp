// CosimOptions: the --rtl unit list, shared by every build (with or without the RTL models).
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "rtl_cosim.hpp"
#include "ssnn/config.hpp"

namespace ssnn::sc {

CosimOptions CosimOptions::parse_units(const std::string& list) {
  CosimOptions o;
  std::stringstream ss(list);
  for (std::string item; std::getline(ss, item, ',');) {
    if (item == "none") continue;
    if (item == "all") {
      o.neuron = o.coincidence = o.encoder = true;
    } else if (item == "neuron") {
      o.neuron = true;
    } else if (item == "coincidence") {
      o.coincidence = true;
    } else if (item == "encoder") {
      o.encoder = true;
    } else {
      throw ConfigError(fmt::format("--rtl: unknown unit '{}' (neuron, coincidence, encoder, all, none)", item));
    }
  }
  return o;
}

std::string CosimOptions::units() const {
  std::string s;
  if (neuron) s += "neuron";
  if (coincidence) s += std::string(s.empty() ? "" : ",") + "coincidence";
  if (encoder) s += std::string(s.empty() ? "" : ",") + "encoder";
  return s.empty() ? "none" : s;
}
}  // namespace ssnn::sc
