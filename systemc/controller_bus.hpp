// controller_bus: one signal for each pin of chip_controller behind its host interface (the command
// bus it drives, the blocks' status it reads), and the two bindings every user of the controller
// needs: the controller's own pins, and a command block's (command_block.hpp) on the shared lines with
// its own start and busy. The chip top wires its blocks with it (ssnn_chip.cpp); the controller's
// lockstep bench (tb/rtl/sc_controller_lockstep.cpp) plays the blocks on the same signals.
#pragma once

#include <cstddef>
#include <cstdint>

#include <systemc>

#include "chip_controller.hpp"
#include "command_block.hpp"

namespace ssnn::sc {

struct ControllerBus {
  sc_core::sc_signal<uint32_t> op{"op"}, step{"step"}, epoch{"epoch_bus"}, phase{"phase"}, layer{"layer"};
  sc_core::sc_signal<bool> learn{"learn_bus"}, enc_start{"enc_start"}, tile_start{"tile_start"}, enc_busy{"enc_busy"};
  sc_core::sc_signal<uint64_t> sample_key{"sample_key"};
  sc_core::sc_vector<sc_core::sc_signal<bool>> core_start{"core_start"}, core_busy{"core_busy"};  // layers 1..L
  sc_core::sc_vector<sc_core::sc_signal<bool>> tile_busy{"tile_busy"};                          // per tile
  sc_core::sc_vector<sc_core::sc_signal<uint64_t>> tx_expected{"tx_expected"};  // per source: encoder, cores
  sc_core::sc_vector<sc_core::sc_signal<uint64_t>> rx_count{"rx_count"};        // per tile

  // Sizes the per-block lines for `layers` weight layers and `tiles` tiles (once, before binding).
  void init(int layers, int tiles) {
    core_start.init(static_cast<size_t>(layers));
    core_busy.init(static_cast<size_t>(layers));
    tile_busy.init(static_cast<size_t>(tiles));
    tx_expected.init(static_cast<size_t>(layers) + 1);
    rx_count.init(static_cast<size_t>(tiles));
  }

  // Every pin of `c` but the host interface's.
  void bind(chip_controller& c) {
    c.op_o(op);
    c.enc_start_o(enc_start);
    c.tile_start_o(tile_start);
    c.step_o(step);
    c.learn_o(learn);
    c.epoch_o(epoch);
    c.sample_key_o(sample_key);
    c.phase_o(phase);
    c.layer_o(layer);
    c.enc_busy_i(enc_busy);
    for (size_t l = 0; l < core_start.size(); ++l) {
      c.core_start_o[l](core_start[l]);
      c.core_busy_i[l](core_busy[l]);
    }
    for (size_t k = 0; k < tile_busy.size(); ++k) {
      c.tile_busy_i[k](tile_busy[k]);
      c.rx_count_i[k](rx_count[k]);
    }
    for (size_t s = 0; s < tx_expected.size(); ++s) c.tx_expected_i[s](tx_expected[s]);
  }

  // A block on the shared lines (op, step, learn, sample key) with its own start and busy; its clock
  // and reset are the caller's.
  void bind_block(command_block& b, sc_core::sc_signal<bool>& start, sc_core::sc_signal<bool>& busy) {
    b.start_i(start);
    b.op_i(op);
    b.step_i(step);
    b.learn_i(learn);
    b.sample_key_i(sample_key);
    b.busy_o(busy);
  }
};

}  // namespace ssnn::sc
