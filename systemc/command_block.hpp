// command_block: the ports every block on the controller's command bus has (the encoder, the neuron
// cores, the crossbar tiles): the handshake (handshake_block.hpp) with the command beside start_i,
// op_i naming it, the step and the sample's key.  The chip binds every such block the same way
// (ControllerBus::bind_block, controller_bus.hpp).
#pragma once

#include <cstdint>

#include "handshake_block.hpp"

namespace ssnn::sc {

class command_block : public handshake_block {
 public:
  sc_core::sc_in<uint32_t> op_i;
  sc_core::sc_in<uint32_t> step_i;
  sc_core::sc_in<uint64_t> sample_key_i;

 protected:
  explicit command_block(const sc_core::sc_module_name& name)
      : handshake_block(name), op_i("op_i"), step_i("step_i"), sample_key_i("sample_key_i") {}
};

}  // namespace ssnn::sc
