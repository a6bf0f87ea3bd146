// The pin binding of one ssnn_spike_source verilated with --sc (Vsc_spike_source of
// ssnn_rtl_sc_models). Shared by the chip's co-simulation (systemc/cosim/encoder_bank.hpp, where
// sources share their load and ramp lines) and the SystemC smoke test (tb/rtl/sc_smoke.cpp).
#pragma once

#include <cstdint>

#include <systemc>

#include "Vsc_spike_source.h"

namespace ssnn::rtl {

template <class Clock>
void bind_spike_source(Vsc_spike_source& m, Clock& clk, sc_core::sc_signal_in_if<bool>& rst,
                       sc_core::sc_signal<bool>& load, sc_core::sc_signal<uint32_t>& seed, sc_core::sc_signal<bool>& step,
                       sc_core::sc_signal<uint32_t>& pixel, sc_core::sc_signal<uint32_t>& ramp,
                       sc_core::sc_signal<bool>& spike, sc_core::sc_signal<uint32_t>& prob,
                       sc_core::sc_signal<uint32_t>& state) {
  m.clk_i(clk);
  m.rst_ni(rst);
  m.load_i(load);
  m.seed_i(seed);
  m.step_i(step);
  m.pixel_i(pixel);
  m.ramp_i(ramp);
  m.spike_o(spike);
  m.prob_o(prob);
  m.state_o(state);
}

}  // namespace ssnn::rtl
