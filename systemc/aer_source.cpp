#include "aer_source.hpp"

namespace ssnn::sc {

aer_source::aer_source(const sc_core::sc_module_name& name, const AerRoutingTable& routes)
    : sc_core::sc_module(name),
      clk_i("clk_i"),
      rst_ni("rst_ni"),
      valid_o("valid_o"),
      event_o("event_o"),
      ready_i("ready_i"),
      tx_expected_o("tx_expected_o"),
      routes_(routes) {}

void aer_source::reset_source() {
  valid_o.write(false);
  event_o.write(AerEvent{});
  tx_expected_ = 0;
  tx_expected_o.write(0);
  src_cnt_ = SourceCounters{};
}

void aer_source::send(const std::vector<Outgoing>& events, int min_cycles) {
  int now = 0;
  for (const Outgoing& o : events) {
    if (now < o.ready_cycle) {
      valid_o.write(false);  // nothing to offer until the datapath has produced the next event
      wait(o.ready_cycle - now);
      now = o.ready_cycle;
    }
    valid_o.write(true);
    event_o.write(o.event);
    tx_expected_ += routes_.destinations(o.event.block, o.event.kind).size();
    tx_expected_o.write(tx_expected_);
    for (;;) {
      wait();
      ++now;
      if (ready_i.read()) break;  // accepted at this edge
      ++src_cnt_.stall_cycles;
    }
    ++src_cnt_.events;
  }
  valid_o.write(false);
  if (now < min_cycles) {
    wait(min_cycles - now);
    now = min_cycles;
  }
  src_cnt_.busy_cycles += static_cast<uint64_t>(now);
}

}  // namespace ssnn::sc
