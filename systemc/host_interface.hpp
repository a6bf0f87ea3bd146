// host_interface: the chip's ports towards its host, shared by the chip top (ssnn_chip) and the
// controller behind it (chip_controller), to which the top passes them through (bind_host).  The
// host starts a sample with the handshake (handshake_block.hpp), giving the phase code of the
// sample's random streams (ssnn::Phase), the epoch and the sample's index beside start_i.  HostBus
// is the host's side of these pins.
#pragma once

#include <cstdint>

#include "handshake_block.hpp"
#include "ssnn/contract/sample.hpp"

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

// One signal for each host pin but the clock and reset, and the host's part of the handshake: the
// chip's harness (systemc/app/chip_harness.cpp) and the controller's lockstep bench drive them.
struct HostBus {
  sc_core::sc_signal<bool> start{"start"}, learn{"learn"}, busy{"busy"};
  sc_core::sc_signal<uint32_t> sample_phase{"sample_phase"}, epoch{"epoch"};
  sc_core::sc_signal<uint64_t> index{"index"};

  void bind(host_interface& h) {
    h.start_i(start);
    h.learn_i(learn);
    h.sample_phase_i(sample_phase);
    h.epoch_i(epoch);
    h.index_i(index);
    h.busy_o(busy);
  }
  // Raises start with the sample's descriptor beside it; the host holds it until busy rises.
  void request(const SampleSpec& spec) {
    learn.write(spec.learn);
    sample_phase.write(static_cast<uint32_t>(spec.phase));
    epoch.write(static_cast<uint32_t>(spec.epoch));
    index.write(spec.index);
    start.write(true);
  }
};

}  // namespace ssnn::sc
