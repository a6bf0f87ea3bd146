// RtlCosim in a build without Verilator: the component is absent, and asking for it is a
// configuration error naming the option (rtl_cosim.cpp is the real one; systemc/cosim/CMakeLists.txt
// picks one of the two).
#include "rtl_cosim.hpp"

#include "ssnn/config.hpp"

namespace ssnn::sc {

class RtlCosim::Impl {};

bool RtlCosim::available() { return false; }

RtlCosim::RtlCosim(ChipHarness&, const CosimOptions&) {
  throw ConfigError("--rtl: this build has no RTL co-simulation (Verilator was not found; scripts/setup.sh installs it)");
}
RtlCosim::~RtlCosim() = default;

// No RtlCosim object can exist in this build (the constructor throws): the members below are
// never reached and only complete the interface.
std::vector<std::string> RtlCosim::open_traces(const std::string&) { return {}; }
void RtlCosim::set_trace_enabled(bool) {}
void RtlCosim::close_traces() {}
void RtlCosim::drain() {}
void RtlCosim::check() const {}
bool RtlCosim::failed() const { return false; }
std::string RtlCosim::coverage_error() const { return "no RTL co-simulation in this build"; }
const CosimStats& RtlCosim::stats() const {
  static const CosimStats none;
  return none;
}
const CosimOptions& RtlCosim::options() const {
  static const CosimOptions none;
  return none;
}

}  // namespace ssnn::sc
