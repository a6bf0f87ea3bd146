#include "tile_bank.hpp"

#include <utility>

namespace ssnn::sc {

tile_bank::tile_bank(const sc_core::sc_module_name& name, std::vector<crossbar_tile*> tiles)
    : sc_core::sc_module(name), clk_i("clk_i"), rst_ni("rst_ni"), tiles_(std::move(tiles)) {
  // Also runs at initialization (no dont_initialize), as each tile's own process would.
  SC_METHOD(on_clock_or_reset);
  sensitive << clk_i.pos() << rst_ni.neg();
}

void tile_bank::end_of_elaboration() {
  for (crossbar_tile* t : tiles_) entries_.push_back(Entry{t, &t->start_i->read(), &t->valid_i->read(), true});
}

void tile_bank::on_clock_or_reset() {
  if (!rst_ni.read() || !clk_i.posedge()) {
    // Reset (every tile clears), or the initialization run.
    for (Entry& e : entries_) {
      e.tile->clock(false);
      e.awake = e.tile->needs_next_edge();
    }
    return;
  }
  for (Entry& e : entries_) {
    const bool start = *e.start;
    const bool valid = *e.valid;
    if (start || valid || e.awake) {
      e.tile->edge(start, valid);
      e.awake = e.tile->needs_next_edge();
    }
  }
}

}  // namespace ssnn::sc
