#include "router_harness.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace ssnn::sc::test {

router_harness::router_harness(const sc_core::sc_module_name& name, const AerRouterConfig& cfg)
    : sc_core::sc_module(name),
      in("in_", cfg.num_inputs),
      out("out_", cfg.num_outputs),
      dut("dut", cfg),
      sources(cfg.num_inputs),
      pos(cfg.num_inputs),
      accepted(cfg.num_inputs),
      max_occupancy(cfg.num_inputs),
      prev_valid_(cfg.num_outputs),
      prev_handshake_(cfg.num_outputs),
      rude_waited_(cfg.num_inputs) {
  dut.clk_i(clk);
  dut.rst_ni(rst_n);
  dut.bind_inputs(in);
  dut.bind_outputs(out);

  SC_METHOD(on_rising);
  sensitive << clk.posedge_event();
  SC_METHOD(on_falling);
  sensitive << clk.negedge_event();
  dont_initialize();
}

void router_harness::drive() {
  for (unsigned i = 0; i < pos.size(); ++i) {
    const bool has = pos[i] < sources[i].size();
    in.valid[i].write(has);
    if (has) in.event[i].write(sources[i][pos[i]]);
  }
  for (unsigned o = 0; o < out.ready.size(); ++o) out.ready[o].write(ready_fn(o, edge));
}

void router_harness::on_rising() {
  // Initialization run or reset: only drive the stimulus for the next edge.
  if (!rst_n.read() || !clk.posedge()) {
    std::fill(prev_valid_.begin(), prev_valid_.end(), 0);
    std::fill(prev_handshake_.begin(), prev_handshake_.end(), 0);
    drive();
    return;
  }
  // Reads see the values from before this edge, exactly what the router samples.
  for (unsigned i = 0; i < pos.size(); ++i) {
    if (!in.valid[i].read()) continue;
    if (in.ready[i].read()) {
      accepted[i].push_back(in.event[i].read());
      ++pos[i];
      rude_waited_[i] = 0;
    } else if (static_cast<int>(i) == rude_input) {
      if (rude_waited_[i]) {
        ++pos[i];  // gives up on the refused event: it is lost
        rude_waited_[i] = 0;
      } else {
        rude_waited_[i] = 1;
      }
    }
  }
  // Registers loaded at the previous edge: valid now and either empty or handed over before.
  if (edge > 0) {
    std::set<uint32_t> loaded;
    for (unsigned o = 0; o < out.valid.size(); ++o)
      if (out.valid[o].read() && (!prev_valid_[o] || prev_handshake_[o])) loaded.insert(out.event[o].read().tag);
    port_loads.push_back(static_cast<unsigned>(loaded.size()));
  }
  for (unsigned o = 0; o < out.valid.size(); ++o) {
    const bool v = out.valid[o].read();
    const bool hs = v && out.ready[o].read();
    if (hs) deliveries.push_back(Delivery{edge, o, out.event[o].read()});
    prev_valid_[o] = v;
    prev_handshake_[o] = hs;
  }
  ++edge;
  drive();
}

void router_harness::on_falling() {
  // Half a period after the edge every process of the edge has run: core state is settled.
  if (!rst_n.read()) return;
  if (core_grants.size() < edge) core_grants.push_back(dut.core().last_edge_grants());
  const AerRouterCounters& c = dut.counters();
  for (unsigned i = 0; i < max_occupancy.size(); ++i) {
    const uint32_t occ = dut.core().fifo_occupancy(i);
    max_occupancy[i] = std::max(max_occupancy[i], occ);
    if (c.events_in[i] != c.grants[i] + occ || c.fifo_high_water[i] < occ) ++invariant_violations;
  }
}

void router_harness::start(unsigned reset_edges) {
  rst_n.write(false);
  // The clock rises at 0, 10, ... and falls at 5, 15, ...; every stop lies 2.5 ns before a rising
  // edge, never on an event, so each run_edges(n) covers exactly n rising and n falling edges.
  sc_core::sc_start(sc_core::sc_time(kPeriodNs * (reset_edges - 1) + kPeriodNs * 0.75, sc_core::SC_NS));
  rst_n.write(true);
}

void router_harness::run_edges(uint64_t n) {
  sc_core::sc_start(sc_core::sc_time(kPeriodNs * static_cast<double>(n), sc_core::SC_NS));
}

bool router_harness::sources_done() const {
  for (unsigned i = 0; i < pos.size(); ++i)
    if (pos[i] < sources[i].size()) return false;
  return true;
}

uint64_t router_harness::run_until_drained(uint64_t max_edges) {
  const uint64_t first = edge;
  while (!(sources_done() && dut.core().idle())) {
    if (edge - first >= max_edges) throw std::runtime_error("router_harness: not drained");
    run_edges(1);
  }
  return edge - first;
}

}  // namespace ssnn::sc::test
