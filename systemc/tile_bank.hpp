// tile_bank: one clocked process for all the crossbar tiles of the chip.
//
// A tile has nothing to do at most rising edges (no event, no command, no countdown), and running
// a process costs the simulation kernel more than a tile's work at such an edge: 25 tiles woken
// at every edge, or put to sleep and woken by their inputs, cost about as much as the rest of the
// chip.  The bank runs once per edge and calls a tile (crossbar_tile::edge) only where its
// start_i, valid_i or countdown says the edge changes it, and every tile at reset.  Each tile keeps
// its ports and its behaviour; only the process that clocks them is shared, so every cycle and bit
// is the same as with a process per tile.
#pragma once

#include <vector>

#include <systemc>

#include "crossbar_tile.hpp"

namespace ssnn::sc {

class tile_bank : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> clk_i;
  sc_core::sc_in<bool> rst_ni;

  SC_HAS_PROCESS(tile_bank);
  // The tiles must have been built with crossbar_tile::Clocking::kShared and outlive the bank.
  tile_bank(const sc_core::sc_module_name& name, std::vector<crossbar_tile*> tiles);

 private:
  void end_of_elaboration() override;
  void on_clock_or_reset();

  struct Entry {
    crossbar_tile* tile;
    // The current values of the channels behind the tile's start_i and valid_i, taken once after
    // binding: a signal's read() returns a reference to the value it holds, which every update
    // overwrites in place, so the per-edge look at 25 tiles is a load each, not a call.
    const bool* start;
    const bool* valid;
    bool awake;  // tile->needs_next_edge() after its last call
  };
  std::vector<crossbar_tile*> tiles_;
  std::vector<Entry> entries_;
};

}  // namespace ssnn::sc
