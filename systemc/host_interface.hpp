// host_interface: the chip's ports towards its host, shared by the chip top (ssnn_chip) and the
// controller behind it (chip_controller), to which the top passes them through (bind_host).  The
// host starts a sample with the handshake (handshake_block.hpp), giving the phase code of the
// sample's random streams (ssnn::Phase), the epoch and the sample's index beside start_i.
#pragma once

#include <cstdint>

#include "handshake_block.hpp"

namespace ssnn::sc {

class host_interface : public handshake_block {
 public:
  sc_core::sc_in<uint32_t> sample_phase_i;  // ssnn::Phase code of the sample's random streams
  sc_core::sc_in<uint32_t> epoch_i;
  sc_core::sc_in<uint64_t> index_i;

  // Binds each of these ports to the same port of `outer`, the module this one sits in.
  void bind_host(host_interface& outer) {
    clk_i(outer.clk_i);
    rst_ni(outer.rst_ni);
    start_i(outer.start_i);
    learn_i(outer.learn_i);
    busy_o(outer.busy_o);
    sample_phase_i(outer.sample_phase_i);
    epoch_i(outer.epoch_i);
    index_i(outer.index_i);
  }

 protected:
  explicit host_interface(const sc_core::sc_module_name& name)
      : handshake_block(name), sample_phase_i("sample_phase_i"), epoch_i("epoch_i"), index_i("index_i") {}
};

}  // namespace ssnn::sc
