// Signal-level testbench around one aer_router: ideal senders that hold each event until it is
// accepted, consumers with a configurable ready pattern, and logs of every handshake.
#pragma once

#include <functional>
#include <vector>

#include <systemc>

#include "aer_router.hpp"
#include "traffic.hpp"

namespace ssnn::sc::test {

SC_MODULE(router_harness) {
  SC_HAS_PROCESS(router_harness);  // processes are registered in a constructor with parameters

  static constexpr double kPeriodNs = 10.0;

  sc_core::sc_clock clk{"clk", kPeriodNs, sc_core::SC_NS};
  sc_core::sc_signal<bool> rst_n{"rst_n", false};
  AerLinks in;   // senders -> router
  AerLinks out;  // router -> consumers
  aer_router dut;

  // Stimulus: sources[i] is offered on input i in order.
  std::vector<std::vector<AerEvent>> sources;
  std::vector<size_t> pos;
  std::function<bool(unsigned, uint64_t)> ready_fn = [](unsigned, uint64_t) { return true; };
  // Input that ignores ready: it moves on to its next event after one refused edge (a rude
  // sender, used to prove that the drop counter sees lost events). -1: everyone is polite.
  int rude_input = -1;

  // Logs. Edges count rising clock edges with reset released, from 0.
  uint64_t edge = 0;
  std::vector<std::vector<AerEvent>> accepted;  // per input, in acceptance order
  std::vector<Delivery> deliveries;
  std::vector<unsigned> port_loads;       // per edge: distinct events newly loaded into output registers (seen on ports)
  std::vector<unsigned> core_grants;      // per edge: AerRouterCore::last_edge_grants(), sampled at the falling edge
  std::vector<uint32_t> max_occupancy;    // per input: largest FIFO occupancy sampled at falling edges
  // Falling edges at which events_in != grants + occupancy for some input, or a high-water mark
  // was below the occupancy (conservation inside the router, checked at every edge).
  uint64_t invariant_violations = 0;

  router_harness(const sc_core::sc_module_name& name, const AerRouterConfig& cfg);

  // Reset for `edges` rising edges, then release it just after a falling edge.
  void start(unsigned reset_edges = 3);
  void run_edges(uint64_t n);
  // Runs one edge at a time until every source is consumed and the router is empty.
  // Returns the number of edges run.
  uint64_t run_until_drained(uint64_t max_edges = 10'000'000);
  bool sources_done() const;

 private:
  void on_rising();
  void on_falling();
  void drive();

  std::vector<uint8_t> prev_valid_;      // valid_o seen at the previous rising edge
  std::vector<uint8_t> prev_handshake_;  // output handshake at the previous rising edge
  std::vector<uint8_t> rude_waited_;
};

}  // namespace ssnn::sc::test
