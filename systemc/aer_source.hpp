// aer_source: the sending half of a block that emits address events (encoder, neuron cores).
//
// A source offers one event per cycle on its router input channel (valid/ready, the event held
// stable until accepted) and keeps a running count of the deliveries it has caused: each event it
// offers will reach as many tiles as its routing-table entry names.  The controller compares that
// count with the events the tiles have taken to know the fabric has drained (completion
// counting), which is what makes the barrier between phases exact.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>

#include "aer_event.hpp"
#include "aer_router_core.hpp"

namespace ssnn::sc {

struct SourceCounters {
  uint64_t events = 0;        // events handed to the router
  uint64_t stall_cycles = 0;  // cycles an offered event waited for ready
  uint64_t busy_cycles = 0;   // cycles spent on commands
};

class aer_source : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> clk_i;
  sc_core::sc_in<bool> rst_ni;
  sc_core::sc_out<bool> valid_o;
  sc_core::sc_out<AerEvent> event_o;
  sc_core::sc_in<bool> ready_i;
  sc_core::sc_out<uint64_t> tx_expected_o;  // deliveries caused since reset

  const SourceCounters& source_counters() const { return src_cnt_; }

 protected:
  aer_source(const sc_core::sc_module_name& name, const AerRoutingTable& routes);

  // An event and the cycle (counted from the phase start, the edge the command was taken) at
  // which the datapath has produced it.
  struct Outgoing {
    AerEvent event;
    int ready_cycle;
  };

  // Sends the events in order, one per cycle at most, each no earlier than its ready cycle, with
  // backpressure; returns after max(last acceptance, min_cycles) cycles.  Call from the
  // module's clocked thread.
  void send(const std::vector<Outgoing>& events, int min_cycles);

  void reset_source();

  const AerRoutingTable& routes_;
  SourceCounters src_cnt_;
  uint64_t tx_expected_ = 0;
};

}  // namespace ssnn::sc
