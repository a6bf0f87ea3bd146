// One empty clocked method: router_bench's reference for the kernel's cost per clock edge.
#pragma once

#include <systemc>

namespace ssnn::sc::test {

SC_MODULE(empty_method) {
  sc_core::sc_in<bool> clk;
  SC_CTOR(empty_method) {
    SC_METHOD(tick);
    sensitive << clk.pos();
    dont_initialize();
  }
  void tick() {}
};

}  // namespace ssnn::sc::test
