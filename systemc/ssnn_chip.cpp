#include "ssnn_chip.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace ssnn::sc {

namespace {
uint64_t tile_sum(const std::vector<uint64_t>& v) {
  uint64_t s = 0;
  for (uint64_t x : v) s += x;
  return s;
}
}  // namespace

SampleCounters ChipCounters::sample_delta(const ChipCounters& a, const ChipCounters& b) {
  SampleCounters s;
  const int L = static_cast<int>(b.cores.size());
  s.reset(L);
  s.forward_spikes[0] = b.encoder.input_spikes - a.encoder.input_spikes;
  for (int l = 1; l <= L; ++l) {
    const auto u = static_cast<size_t>(l);
    s.forward_spikes[u] = b.cores[u - 1].forward_spikes - a.cores[u - 1].forward_spikes;
    s.pos_spikes[u] = b.cores[u - 1].pos_spikes - a.cores[u - 1].pos_spikes;
    s.neg_spikes[u] = b.cores[u - 1].neg_spikes - a.cores[u - 1].neg_spikes;
  }
  s.synaptic_reads = tile_sum(b.synaptic_reads) - tile_sum(a.synaptic_reads);
  s.gradient_reads = tile_sum(b.gradient_reads) - tile_sum(a.gradient_reads);
  for (size_t l = 0; l < b.layer_tiles.size(); ++l) {
    s.pulses_up += b.layer_tiles[l].pulses_up - a.layer_tiles[l].pulses_up;
    s.pulses_down += b.layer_tiles[l].pulses_down - a.layer_tiles[l].pulses_down;
    s.rate_updates += b.layer_tiles[l].rate_updates - a.layer_tiles[l].rate_updates;
  }
  return s;
}

ssnn_chip::ssnn_chip(const sc_core::sc_module_name& name, const ModelConfig& cfg, const ChipConfig& chip)
    : host_interface(name),
      prediction_o("prediction_o"),
      cfg_(cfg),
      chip_(chip) {
  cfg_.validate();
  chip_.validate(cfg_);
  const int L = cfg_.layers();

  plan_ = ChipFloorplan(cfg_, chip_);
  const std::vector<int>& tr = plan_.span_r;
  const std::vector<int>& tc = plan_.span_c;
  const std::vector<int>& core_block = plan_.core_block;
  for (const TileGeometry& g : plan_.tiles)
    tiles_.push_back(std::make_unique<crossbar_tile>(fmt::format("tile{}_{}_{}", g.layer, g.band_row, g.band_col).c_str(), cfg_, g,
                                                     crossbar_tile::Clocking::kShared));
  std::vector<crossbar_tile*> tile_ptrs;
  for (auto& t : tiles_) tile_ptrs.push_back(t.get());
  tile_bank_ = std::make_unique<tile_bank>("tile_bank", std::move(tile_ptrs));

  // Blocks.
  encoder_ = std::make_unique<spike_encoder>("encoder", cfg_, chip_, plan_.routes, uint8_t{0}, tr[0]);
  for (int l = 1; l <= L; ++l) {
    const auto u = static_cast<size_t>(l);
    const int fwd_band = l < L ? tr[u] : 1;
    cores_.push_back(std::make_unique<neuron_core>(fmt::format("core{}", l).c_str(), cfg_, chip_, plan_.routes, l,
                                                   static_cast<uint8_t>(core_block[u]), fwd_band, tc[u - 1]));
  }
  const int n_tiles = num_tiles();
  // One router input per AER block: block b is input b.
  const auto n_in = static_cast<unsigned>(plan_.num_blocks);
  AerRouterConfig rc;
  rc.num_inputs = n_in;
  rc.num_outputs = static_cast<unsigned>(n_tiles);
  rc.fifo_depth = static_cast<unsigned>(chip_.fifo_depth);
  rc.events_per_cycle = static_cast<unsigned>(chip_.events_per_cycle);
  rc.routes = plan_.routes;
  router_ = std::make_unique<aer_router>("router", rc);
  controller_ = std::make_unique<chip_controller>("controller", cfg_, n_tiles);

  // Signals.
  bus_.init(L, n_tiles);
  prediction_s_.init(static_cast<size_t>(L));
  router_in_.init(n_in);
  router_out_.init(static_cast<size_t>(n_tiles));

  // Controller.
  chip_controller& ct = *controller_;
  ct.bind_host(*this);
  bus_.bind(ct);
  ct.set_step_hook([this](int t) { on_step(t); });

  // Command bus: every block on the controller's shared lines, with its own start and busy.
  auto bind_command_bus = [&](command_block& b, sc_core::sc_signal<bool>& start, sc_core::sc_signal<bool>& busy) {
    b.clk_i(clk_i);
    b.rst_ni(rst_ni);
    bus_.bind_block(b, start, busy);
  };
  // Sources: channel k of a source whose first block is b drives router input b + k.
  auto bind_source = [&](aer_source& s, unsigned source, int first_block) {
    for (int k = 0; k < s.num_channels(); ++k) {
      const auto port = static_cast<size_t>(first_block + k);
      s.valid_o[static_cast<size_t>(k)](router_in_.valid[port]);
      s.event_o[static_cast<size_t>(k)](router_in_.event[port]);
      s.ready_i[static_cast<size_t>(k)](router_in_.ready[port]);
    }
    s.tx_expected_o(bus_.tx_expected[source]);
  };
  spike_encoder& en = *encoder_;
  bind_command_bus(en, bus_.enc_start, bus_.enc_busy);
  bind_source(en, 0, 0);
  en.label_valid_o(label_valid_s_);
  en.label_class_o(label_class_s_);
  for (int l = 1; l <= L; ++l) {
    const auto u = static_cast<size_t>(l - 1);
    neuron_core& co = *cores_[u];
    bind_command_bus(co, bus_.core_start[u], bus_.core_busy[u]);
    bind_source(co, static_cast<unsigned>(l), core_block[static_cast<size_t>(l)]);
    co.label_valid_i(label_valid_s_);
    co.label_class_i(label_class_s_);
    if (l == L)
      co.prediction_o(prediction_o);
    else
      co.prediction_o(prediction_s_[u]);
    // Column-sum buses: every tile of weight layer l-1 below, of weight layer l above.
    for (int k = 0; k < n_tiles; ++k) {
      crossbar_tile& t = *tiles_[static_cast<size_t>(k)];
      if (t.geometry().layer == l - 1) co.below_i(t);
      if (t.geometry().layer == l) co.above_i(t);
    }
  }
  // Tiles on the router's outputs.
  for (int k = 0; k < n_tiles; ++k) {
    const auto u = static_cast<size_t>(k);
    crossbar_tile& t = *tiles_[u];
    bind_command_bus(t, bus_.tile_start, bus_.tile_busy[u]);
    t.epoch_i(bus_.epoch);
    t.valid_i(router_out_.valid[u]);
    t.event_i(router_out_.event[u]);
    t.ready_o(router_out_.ready[u]);
    t.rx_count_o(bus_.rx_count[u]);
  }
  tile_bank_->clk_i(clk_i);
  tile_bank_->rst_ni(rst_ni);
  // Router.
  aer_router& ro = *router_;
  ro.clk_i(clk_i);
  ro.rst_ni(rst_ni);
  ro.bind_inputs(router_in_);
  ro.bind_outputs(router_out_);

  obs_fwd_.resize(static_cast<size_t>(L) + 1);
  obs_pos_.resize(static_cast<size_t>(L) + 1);
  obs_neg_.resize(static_cast<size_t>(L) + 1);

  SC_METHOD(trace_sample);  // on both clock edges while tracing (ssnn_chip_trace.cpp)
}

void ssnn_chip::load_weights(const std::vector<WeightMatrix>& w) {
  if (static_cast<int>(w.size()) != cfg_.layers()) throw ConfigError("weights: layer count does not match the network");
  for (int l = 0; l < cfg_.layers(); ++l) {
    const WeightMatrix& m = w[static_cast<size_t>(l)];
    if (m.rows != cfg_.layer_size(l) || m.cols != cfg_.layer_size(l + 1))
      throw ConfigError(fmt::format("weights: layer {} is {}x{}, the network needs {}x{}", l, m.rows, m.cols,
                                    cfg_.layer_size(l), cfg_.layer_size(l + 1)));
  }
  for (auto& t : tiles_) {
    const TileGeometry& g = t->geometry();
    const WeightMatrix& m = w[static_cast<size_t>(g.layer)];
    for (int r = 0; r < g.rows; ++r)
      for (int c = 0; c < g.cols; ++c) t->set_weight(r, c, m.at(g.row0 + r, g.col0 + c));
  }
}

std::vector<WeightMatrix> ssnn_chip::read_weights() const {
  std::vector<WeightMatrix> w;
  for (int l = 0; l < cfg_.layers(); ++l) w.emplace_back(cfg_.layer_size(l), cfg_.layer_size(l + 1));
  for (const auto& t : tiles_) {
    const TileGeometry& g = t->geometry();
    WeightMatrix& m = w[static_cast<size_t>(g.layer)];
    for (int r = 0; r < g.rows; ++r)
      for (int c = 0; c < g.cols; ++c) m.at(g.row0 + r, g.col0 + c) = t->weight(r, c);
  }
  return w;
}

ChipCounters ChipCounters::of_state(const ChipState& s, const ChipFloorplan& plan) {
  ChipCounters c;
  const auto L = s.cores.size();
  c.controller = s.controller;
  c.encoder = s.encoder;
  c.sources = s.sources;
  c.cores = s.cores;
  c.layer_tiles.assign(L, TileCounters{});
  c.synaptic_reads.assign(L, 0);
  c.gradient_reads.assign(L, 0);
  for (size_t k = 0; k < s.tiles.size(); ++k) {
    const TileGeometry& g = plan.tiles[k];
    const auto u = static_cast<size_t>(g.layer);
    const TileCounters& t = s.tiles[k];
    for (const TileCounterField& f : kTileCounterFields) c.layer_tiles[u].*f.member += t.*f.member;
    c.synaptic_reads[u] += t.row_reads * static_cast<uint64_t>(g.cols);
    c.gradient_reads[u] += t.col_reads * static_cast<uint64_t>(g.rows);
  }
  c.router = s.router;
  return c;
}

ChipCounters ssnn_chip::counters() const { return ChipCounters::of_state(state(), plan_); }

ChipState ssnn_chip::state() const {
  ChipState s;
  s.controller = controller_->counters();
  s.encoder = encoder_->counters();
  s.sources.push_back(encoder_->source_counters());
  for (const auto& co : cores_) {
    s.cores.push_back(co->counters());
    s.sources.push_back(co->source_counters());
  }
  for (const auto& t : tiles_) s.tiles.push_back(t->counters());
  s.router = router_->counters();
  s.router_rr_pointer = router_->core().rr_pointer();
  return s;
}

void ssnn_chip::restore_state(const ChipState& s) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("chip state: " + what); };
  const auto L = static_cast<size_t>(cfg_.layers());
  if (s.cores.size() != L || s.sources.size() != L + 1)
    fail(fmt::format("{} neuron cores and {} AER senders, this chip has {} and {}", s.cores.size(), s.sources.size(), L,
                     L + 1));
  if (s.tiles.size() != tiles_.size())
    fail(fmt::format("{} crossbar tiles, this chip has {}", s.tiles.size(), tiles_.size()));
  if (busy_o.read() || controller_->phase() != CtrlPhase::kIdle) fail("the chip is in the middle of a sample");
  try {
    router_->restore_state(s.router, s.router_rr_pointer);  // checks its shapes first, changes nothing on error
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
  controller_->restore_counters(s.controller);
  encoder_->restore_counters(s.encoder);
  encoder_->restore_source_counters(s.sources[0]);
  for (size_t l = 0; l < L; ++l) {
    cores_[l]->restore_counters(s.cores[l]);
    cores_[l]->restore_source_counters(s.sources[l + 1]);
  }
  for (size_t k = 0; k < tiles_.size(); ++k) tiles_[k]->restore_counters(s.tiles[k]);
}

void ssnn_chip::set_cosim_observer(CosimObserver* observer) {
  encoder_->set_cosim_observer(observer);
  for (auto& c : cores_) c->set_cosim_observer(observer);
  for (auto& t : tiles_) t->set_cosim_observer(observer);
}

void ssnn_chip::on_step(int t) {
  if (!observer_) return;
  const int L = cfg_.layers();
  obs_fwd_[0] = encoder_->spikes();
  for (int l = 1; l <= L; ++l) {
    const auto u = static_cast<size_t>(l);
    obs_fwd_[u] = cores_[u - 1]->forward_spikes();
    obs_pos_[u] = cores_[u - 1]->pos_spikes();
    obs_neg_[u] = cores_[u - 1]->neg_spikes();
  }
  StepSpikes s;
  s.t = t;
  s.forward = &obs_fwd_;
  s.grad_pos = &obs_pos_;
  s.grad_neg = &obs_neg_;
  s.label_spike = encoder_->label_spike();
  observer_->on_step(s);
}

}  // namespace ssnn::sc
