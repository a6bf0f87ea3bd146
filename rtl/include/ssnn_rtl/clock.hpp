// The clock of a verilated C++ model (clk_i, held high between edges), shared by the RTL unit tests'
// Sim (tb/rtl/rtl_sim.hpp) and the RTL chip's host driver (rtl/app/rtl_chip_model.hpp). Plain C++.
#pragma once

namespace ssnn::rtl {

// One rising edge: clk_i low, evaluated, high, evaluated; every register has taken its inputs and
// the outputs have settled.
template <class Model>
void rising_edge(Model& m) {
  m.clk_i = 0;
  m.eval();
  m.clk_i = 1;
  m.eval();
}

}  // namespace ssnn::rtl
