// AER spike router: per-input FIFOs, multicast routing table, round-robin arbitration with a
// configurable events-per-cycle bandwidth, valid/ready backpressure. Never drops an event.
#pragma once

#include <memory>
#include <vector>

#include <systemc>

#include "aer_event.hpp"
#include "aer_links.hpp"
#include "aer_router_core.hpp"
#include "clock_sleep.hpp"

namespace ssnn::sc {

// Channel k of the inputs is (valid_i[k], event_i[k], ready_o[k]); channel k of the outputs is
// (valid_o[k], event_o[k], ready_i[k]). An event moves on a rising clk_i edge at which valid and
// ready are both high. A sender keeps valid and the event stable until accepted.
// All outputs are registers; rst_ni is asynchronous and active low.
SC_MODULE(aer_router) {
  SC_HAS_PROCESS(aer_router);  // processes are registered in a constructor with parameters

  sc_core::sc_in<bool> clk_i;
  sc_core::sc_in<bool> rst_ni;

  sc_core::sc_vector<sc_core::sc_in<bool>> valid_i;
  sc_core::sc_vector<sc_core::sc_in<AerEvent>> event_i;
  sc_core::sc_vector<sc_core::sc_out<bool>> ready_o;

  sc_core::sc_vector<sc_core::sc_out<bool>> valid_o;
  sc_core::sc_vector<sc_core::sc_out<AerEvent>> event_o;
  sc_core::sc_vector<sc_core::sc_in<bool>> ready_i;

  aer_router(const sc_core::sc_module_name& name, AerRouterConfig config);
  aer_router(const sc_core::sc_module_name& name, unsigned num_inputs, unsigned num_outputs, unsigned fifo_depth,
             unsigned events_per_cycle, AerRoutingTable routes);

  // The senders' channels on the inputs, the consumers' on the outputs.
  void bind_inputs(AerLinks& links) {
    valid_i(links.valid);
    event_i(links.event);
    ready_o(links.ready);
  }
  void bind_outputs(AerLinks& links) {
    valid_o(links.valid);
    event_o(links.event);
    ready_i(links.ready);
  }

  // State, counters and per-edge observability (read-only: the ports are the only way in, but for
  // the checkpoint test port below).
  const AerRouterCore& core() const { return core_; }
  // The counters, with the edges an idle router has slept through so far.
  AerRouterCounters counters() const;
  // Checkpoints: counters and arbitration pointer, between samples (AerRouterCore::restore).
  void restore_state(const AerRouterCounters& counters, uint32_t rr_pointer);

  // Adds the ports, FIFO occupancies and the arbitration pointer to a trace file
  // (call before sc_start).
  void trace(sc_core::sc_trace_file* tf) const;

 private:
  void end_of_elaboration() override;
  void on_clock_or_reset();
  void drive_outputs();
  void drive_input(unsigned i, bool all);
  void drive_output(unsigned o, bool all);

  AerRouterCore core_;
  AerRouterCore::EdgeInputs in_;  // port values sampled at the edge
  // Last values written to the output ports: a port write is a virtual call into the channel,
  // so unchanged ports are skipped (most edges change only a few of them).
  std::vector<uint8_t> ready_shadow_;
  std::vector<uint8_t> valid_shadow_;
  std::vector<AerEvent> event_shadow_;
  bool outputs_driven_ = false;
  // An empty router offered nothing changes nothing at an edge but its cycle count: after
  // kIdleEdgesAwake such edges in a row it sleeps until an input's valid rises or reset falls.
  static constexpr int kIdleEdgesAwake = 2;
  int idle_edges_ = 0;
  ClockSleep sleep_;
  std::unique_ptr<sc_core::sc_event_or_list> wakeup_;
  // The channels behind the ports, taken once after binding: the per-edge reads and writes then
  // skip the port's indirection and bound check.  The inputs are read through the references their
  // read() returns (the value each channel holds, overwritten in place by its updates): a load
  // instead of a call per port and edge.
  std::vector<const bool*> valid_in_, ready_in_;
  std::vector<const AerEvent*> event_in_;
  std::vector<sc_core::sc_signal_inout_if<bool>*> ready_out_, valid_out_;
  std::vector<sc_core::sc_signal_inout_if<AerEvent>*> event_out_;
};

}  // namespace ssnn::sc
