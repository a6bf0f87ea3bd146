#include "aer_router.hpp"

#include <string>

namespace ssnn::sc {

aer_router::aer_router(const sc_core::sc_module_name& name, unsigned num_inputs, unsigned num_outputs,
                       unsigned fifo_depth, unsigned events_per_cycle, AerRoutingTable routes)
    : aer_router(name, AerRouterConfig{num_inputs, num_outputs, fifo_depth, events_per_cycle, std::move(routes)}) {}

aer_router::aer_router(const sc_core::sc_module_name& name, AerRouterConfig config)
    : sc_core::sc_module(name),
      clk_i("clk_i"),
      rst_ni("rst_ni"),
      valid_i("valid_i", config.num_inputs),
      event_i("event_i", config.num_inputs),
      ready_o("ready_o", config.num_inputs),
      valid_o("valid_o", config.num_outputs),
      event_o("event_o", config.num_outputs),
      ready_i("ready_i", config.num_outputs),
      core_(std::move(config)),
      in_(core_.num_inputs(), core_.num_outputs()),
      ready_shadow_(core_.num_inputs()),
      valid_shadow_(core_.num_outputs()),
      event_shadow_(core_.num_outputs()) {
  // One method for the whole router: per-event processes would cost far more than the routing.
  // It also runs once at initialization (no dont_initialize) to drive the reset-state outputs.
  SC_METHOD(on_clock_or_reset);
  sensitive << clk_i.pos() << rst_ni.neg();
}

void aer_router::end_of_elaboration() {
  sleep_.bind(clk_i);
  wakeup_ = std::make_unique<sc_core::sc_event_or_list>();
  for (unsigned i = 0; i < core_.num_inputs(); ++i) *wakeup_ |= valid_i[i].posedge_event();
  *wakeup_ |= rst_ni.negedge_event();
  for (unsigned i = 0; i < core_.num_inputs(); ++i) {
    valid_in_.push_back(&valid_i[i]->read());
    event_in_.push_back(&event_i[i]->read());
    ready_out_.push_back(ready_o[i].operator->());
  }
  for (unsigned o = 0; o < core_.num_outputs(); ++o) {
    ready_in_.push_back(&ready_i[o]->read());
    valid_out_.push_back(valid_o[o].operator->());
    event_out_.push_back(event_o[o].operator->());
  }
}

AerRouterCounters aer_router::counters() const {
  AerRouterCounters c = core_.counters();
  c.cycles += sleep_.pending_edges();
  return c;
}

void aer_router::restore_state(const AerRouterCounters& counters, uint32_t rr_pointer) {
  core_.restore(counters, rr_pointer);
  sleep_.restart();
}

void aer_router::on_clock_or_reset() {
  if (sleep_.asleep()) {
    // Woken by a valid rising (seen at the next edge) or by reset: the edges slept through found
    // the router empty and nothing offered, so they only counted.
    core_.skip_idle_edges(sleep_.wake());
    idle_edges_ = 0;
  }
  if (!rst_ni.read()) {
    core_.reset();  // asynchronous: takes effect at the falling reset edge and holds while low
  } else if (clk_i.posedge()) {
    const unsigned n_in = core_.num_inputs();
    bool offered = false;
    for (unsigned i = 0; i < n_in; ++i) {
      const bool v = *valid_in_[i];
      in_.in_valid[i] = v;
      offered |= v;
      if (v) in_.in_event[i] = *event_in_[i];  // data is don't-care without valid
    }
    // ready_i only matters where an event is offered (AerRouterCore::clock_edge, step 1).
    for (uint32_t o : core_.busy_outputs()) in_.out_ready[o] = *ready_in_[o];
    core_.clock_edge(in_);
    if (!outputs_driven_ || core_.last_edge_changed_outputs()) drive_outputs();
    // Empty after this edge with nothing offered at it: no pending offer, every FIFO empty, every
    // output free, so each edge until a valid rises would only count.
    if (offered || !core_.idle() || !sleep_.can_sleep()) {
      idle_edges_ = 0;
    } else if (++idle_edges_ > kIdleEdgesAwake) {
      idle_edges_ = 0;
      sleep_.sleep(*wakeup_);
    }
    return;
  } else {
    return;  // initialization run with reset released: state is the constructor's reset state
  }
  drive_outputs();
}

void aer_router::drive_input(unsigned i, bool all) {
  const uint8_t r = core_.in_ready(i);
  if (all || r != ready_shadow_[i]) {
    ready_out_[i]->write(r != 0);
    ready_shadow_[i] = r;
  }
}

void aer_router::drive_output(unsigned o, bool all) {
  const uint8_t v = core_.out_valid(o);
  if (all || v != valid_shadow_[o]) {
    valid_out_[o]->write(v != 0);
    valid_shadow_[o] = v;
  }
  const AerEvent& ev = core_.out_event(o);
  if (all || !(ev == event_shadow_[o])) {
    event_out_[o]->write(ev);
    event_shadow_[o] = ev;
  }
}

void aer_router::drive_outputs() {
  if (!outputs_driven_) {
    // The first call writes every port: the bound signals may start from any initial value.
    outputs_driven_ = true;
    for (unsigned i = 0; i < core_.num_inputs(); ++i) drive_input(i, true);
    for (unsigned o = 0; o < core_.num_outputs(); ++o) drive_output(o, true);
    return;
  }
  // Only the ports the edge (or reset) may have changed, and of those only the changed ones.
  for (uint32_t i : core_.changed_inputs()) drive_input(i, false);
  for (uint32_t o : core_.changed_outputs()) drive_output(o, false);
}

void aer_router::trace(sc_core::sc_trace_file* tf) const {
  if (tf == nullptr) return;
  const std::string base = name();
  sc_core::sc_trace(tf, clk_i, base + ".clk_i");
  sc_core::sc_trace(tf, rst_ni, base + ".rst_ni");
  for (unsigned i = 0; i < core_.num_inputs(); ++i) {
    const std::string ch = base + ".in" + std::to_string(i);
    sc_core::sc_trace(tf, valid_i[i], ch + ".valid_i");
    sc_core::sc_trace(tf, event_i[i], ch + ".event_i");
    sc_core::sc_trace(tf, ready_o[i], ch + ".ready_o");
    sc_core::sc_trace(tf, core_.fifo_occupancy(i), ch + ".fifo_count");
  }
  for (unsigned o = 0; o < core_.num_outputs(); ++o) {
    const std::string ch = base + ".out" + std::to_string(o);
    sc_core::sc_trace(tf, valid_o[o], ch + ".valid_o");
    sc_core::sc_trace(tf, event_o[o], ch + ".event_o");
    sc_core::sc_trace(tf, ready_i[o], ch + ".ready_i");
  }
  sc_core::sc_trace(tf, core_.rr_pointer(), base + ".rr_pointer");
}

}  // namespace ssnn::sc
