// One verilated ssnn_coincidence_unit of the co-simulation on its own gated clock, with its pins
// bound: the units of a crosspoint pool (crosspoint_pool.hpp) and the probe (crosspoint_probe.hpp).
#pragma once

#include <memory>
#include <string>

#include "Vsc_coincidence.h"
#include "ssnn_rtl/crosspoint_pins.hpp"
#include "cosim_bank.hpp"

namespace ssnn::sc::cosim {

struct CrosspointUnit {
  // Signals prefix + pin name, the clock prefix + "gclk", the model `name`.
  CrosspointUnit(const std::string& prefix, const std::string& name, sc_core::sc_signal_in_if<bool>& rst)
      : clock(prefix + "gclk"), pins(prefix), model(std::make_unique<Vsc_coincidence>(name.c_str())) {
    pins.bind(*model, rst, clock.signal());
  }

  GatedClock clock;
  rtl::CrosspointPins pins;
  std::unique_ptr<Vsc_coincidence> model;
};

}  // namespace ssnn::sc::cosim
