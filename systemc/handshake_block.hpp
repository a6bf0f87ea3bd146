// handshake_block: clock, reset and the start/busy handshake every controlled block of the chip
// has.  Whoever drives the block raises start_i for one cycle (with learn_i saying whether the work
// learns); the block holds busy_o high until its last cycle.  The command bus (command_block.hpp)
// and the chip's host interface (host_interface.hpp) add what they carry beside it.
#pragma once

#include <systemc>

namespace ssnn::sc {

class handshake_block : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> clk_i;
  sc_core::sc_in<bool> rst_ni;
  sc_core::sc_in<bool> start_i;
  sc_core::sc_in<bool> learn_i;
  sc_core::sc_out<bool> busy_o;

 protected:
  explicit handshake_block(const sc_core::sc_module_name& name)
      : sc_core::sc_module(name), clk_i("clk_i"), rst_ni("rst_ni"), start_i("start_i"), learn_i("learn_i"), busy_o("busy_o") {}
};

}  // namespace ssnn::sc
