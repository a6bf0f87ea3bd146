// ssnn_chip's waveform probes: shadow copies of the chosen blocks' registers, refreshed on both
// clock edges only while tracing is enabled, so a VCD holds just the traced window of samples.
#include <algorithm>
#include <string>

#include "ssnn_chip.hpp"

namespace ssnn::sc {

void ssnn_chip::trace(sc_core::sc_trace_file* tf, const TraceSpec& spec) {
  using sc_core::sc_trace;
  tracing_ = true;
  trace_spec_ = spec;
  const std::string top = std::string(name()) + ".";
  if (spec.ctrl) {
    sc_trace(tf, t_clk_, top + "ctrl.clk");
    sc_trace(tf, t_rst_, top + "ctrl.rst_n");
    sc_trace(tf, t_busy_, top + "ctrl.busy");
    sc_trace(tf, t_phase_, top + "ctrl.phase");
    sc_trace(tf, t_layer_, top + "ctrl.layer");
    sc_trace(tf, t_step_, top + "ctrl.step");
    sc_trace(tf, t_cycle_, top + "ctrl.cycle");
  }
  if (spec.enc) {
    sc_trace(tf, t_enc_valid_, top + "enc.valid_o");
    sc_trace(tf, t_enc_ready_, top + "enc.ready_i");
    sc_trace(tf, t_enc_event_, top + "enc.event_o");
    sc_trace(tf, t_enc_spikes_, top + "enc.spikes_in_step");
    sc_trace(tf, t_label_, top + "enc.label_valid_o");
    sc_trace(tf, t_label_class_, top + "enc.label_class_o");
  }
  core_probes_.clear();
  for (int l : spec.cores) {
    CoreProbe p;
    p.layer = l;
    p.neuron = std::clamp(spec.neuron, 0, cfg_.layer_size(l) - 1);
    core_probes_.push_back(p);
  }
  for (CoreProbe& p : core_probes_) {
    const std::string b = top + "core" + std::to_string(p.layer) + ".";
    const std::string n = b + "n" + std::to_string(p.neuron) + ".";
    sc_trace(tf, p.charge, n + "fwd_charge");
    sc_trace(tf, p.potential, n + "fwd_potential");
    sc_trace(tf, p.spike, n + "fwd_spike");
    sc_trace(tf, p.gate, n + "gate");
    sc_trace(tf, p.grad_charge, n + "grad_charge");
    sc_trace(tf, p.grad_pos, n + "grad_pos_potential");
    sc_trace(tf, p.grad_neg, n + "grad_neg_potential");
    sc_trace(tf, p.spike_pos, n + "spike_dp");
    sc_trace(tf, p.spike_neg, n + "spike_dn");
    sc_trace(tf, p.spikes_in_step, b + "fwd_spikes_in_step");
    sc_trace(tf, p.pos_in_step, b + "dp_spikes_in_step");
    sc_trace(tf, p.neg_in_step, b + "dn_spikes_in_step");
    sc_trace(tf, p.valid, b + "valid_o");
    sc_trace(tf, p.ready, b + "ready_i");
    sc_trace(tf, p.event, b + "event_o");
  }
  tile_probes_.clear();
  for (int k : spec.tiles) {
    TileProbe p;
    p.tile = k;
    const TileGeometry& g = tiles_[static_cast<size_t>(k)]->geometry();
    p.row = std::clamp(spec.row, 0, g.rows - 1);
    p.col = std::clamp(spec.col, 0, g.cols - 1);
    tile_probes_.push_back(p);
  }
  for (TileProbe& p : tile_probes_) {
    const crossbar_tile& t = *tiles_[static_cast<size_t>(p.tile)];
    const TileGeometry& g = t.geometry();
    const std::string b = top + std::string(t.basename()) + ".";
    const std::string x = b + "xp_r" + std::to_string(g.row0 + p.row) + "_c" + std::to_string(g.col0 + p.col) + ".";
    sc_trace(tf, p.row_latch, x + "row_x");
    sc_trace(tf, p.col_pos, x + "col_dp");
    sc_trace(tf, p.col_neg, x + "col_dn");
    sc_trace(tf, p.weight, x + "weight");
    sc_trace(tf, p.valid, b + "valid_i");
    sc_trace(tf, p.event, b + "event_i");
    sc_trace(tf, p.rx, b + "rx_count");
  }
  if (spec.router) {
    const auto n_in = router_->core().num_inputs();
    const auto n_out = router_->core().num_outputs();
    router_probe_.fifo.assign(n_in, 0);
    router_probe_.in_valid.assign(n_in, 0);
    router_probe_.in_ready.assign(n_in, 0);
    router_probe_.out_valid.assign(n_out, 0);
    const std::string b = top + "router.";
    for (unsigned i = 0; i < n_in; ++i) {
      const std::string ch = b + "in" + std::to_string(i) + ".";
      sc_trace(tf, router_probe_.in_valid[i], ch + "valid", 1);
      sc_trace(tf, router_probe_.in_ready[i], ch + "ready", 1);
      sc_trace(tf, router_probe_.fifo[i], ch + "fifo_count");
    }
    for (unsigned o = 0; o < n_out; ++o) sc_trace(tf, router_probe_.out_valid[o], b + "out" + std::to_string(o) + ".valid", 1);
    sc_trace(tf, router_probe_.grants, b + "grants_at_edge");
    sc_trace(tf, router_probe_.stall_cycles, b + "stall_cycles");
  }
}

void ssnn_chip::trace_sample() {
  // Without a waveform this process runs once, at initialization, and never again: it has no static
  // sensitivity, so the clock's edges cost the kernel nothing here.
  if (!tracing_) return;
  next_trigger(clk_i.value_changed_event());  // both clock edges
  if (!trace_armed_) {  // the initialization run, before the first edge
    trace_armed_ = true;
    return;
  }
  if (!trace_on_) return;
  t_clk_ = clk_i.read();
  t_rst_ = rst_ni.read();
  if (t_clk_) return;  // sampled at the falling edge, once the rising edge's updates have settled
  t_busy_ = busy_o.read();
  t_phase_ = bus_.phase.read();
  t_layer_ = bus_.layer.read();
  t_step_ = bus_.step.read();
  t_cycle_ = controller_->counters().cycles;
  t_enc_valid_ = router_in_.valid[0].read();
  t_enc_ready_ = router_in_.ready[0].read();
  t_enc_event_ = router_in_.event[0].read();
  t_enc_spikes_ = static_cast<uint32_t>(encoder_->spikes().size());
  t_label_ = label_valid_s_.read();
  t_label_class_ = label_class_s_.read();
  for (CoreProbe& p : core_probes_) {
    const neuron_core& c = *cores_[static_cast<size_t>(p.layer - 1)];
    const int j = p.neuron;
    p.charge = c.charge(j);
    p.potential = c.potential(j);
    p.spike = c.fired(j);
    p.gate = c.gate(j);
    p.grad_charge = c.grad_charge(j);
    p.grad_pos = c.grad_pos(j);
    p.grad_neg = c.grad_neg(j);
    p.spike_pos = c.fired_pos(j);
    p.spike_neg = c.fired_neg(j);
    p.spikes_in_step = static_cast<uint32_t>(c.forward_spikes().size());
    p.pos_in_step = static_cast<uint32_t>(c.pos_spikes().size());
    p.neg_in_step = static_cast<uint32_t>(c.neg_spikes().size());
    const auto port = static_cast<size_t>(plan_.core_block[static_cast<size_t>(p.layer)]);
    p.valid = router_in_.valid[port].read();
    p.ready = router_in_.ready[port].read();
    p.event = router_in_.event[port].read();
  }
  for (TileProbe& p : tile_probes_) {
    const crossbar_tile& t = *tiles_[static_cast<size_t>(p.tile)];
    p.row_latch = t.row_latch(p.row);
    p.col_pos = t.col_pos_latch(p.col);
    p.col_neg = t.col_neg_latch(p.col);
    p.weight = t.weight(p.row, p.col);
    p.valid = router_out_.valid[static_cast<size_t>(p.tile)].read();
    p.event = router_out_.event[static_cast<size_t>(p.tile)].read();
    p.rx = bus_.rx_count[static_cast<size_t>(p.tile)].read();
  }
  if (!router_probe_.fifo.empty()) {
    const AerRouterCore& rc = router_->core();
    for (unsigned i = 0; i < rc.num_inputs(); ++i) {
      router_probe_.fifo[i] = rc.fifo_occupancy(i);
      router_probe_.in_valid[i] = router_in_.valid[i].read();
      router_probe_.in_ready[i] = router_in_.ready[i].read();
    }
    for (unsigned o = 0; o < rc.num_outputs(); ++o) router_probe_.out_valid[o] = router_out_.valid[o].read();
    router_probe_.grants = rc.last_edge_grants();
    router_probe_.stall_cycles = rc.counters().stall_cycles;
  }
}

}  // namespace ssnn::sc
