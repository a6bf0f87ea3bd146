// RtlChipModel<V>: RtlChip for one verilated ssnn_chip_top class V (ports in docs/rtl.md). Included
// only by rtl_chip_variants.cpp, which instantiates it once per configuration of the build.
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <verilated.h>
#include <verilated_fst_c.h>

#include "rtl_chip.hpp"
#include "ssnn/contract/encoder.hpp"
#include "ssnn/contract/fixed_point.hpp"
#include "ssnn_rtl/bits.hpp"
#include "ssnn_rtl/clock.hpp"

namespace ssnn::rtl {

template <class V>
class RtlChipModel final : public RtlChip {
 public:
  static constexpr int kCountBits = 48;
  static constexpr int kCoreCounts = 10, kTileCounts = 6, kEncCounts = 7;

  RtlChipModel(const ModelConfig& cfg, const sc::ChipConfig& chip, const ChipShape& shape)
      : cfg_(cfg), chip_(chip), shape_(shape), plan_(cfg, chip), ctx_(std::make_unique<VerilatedContext>()) {
    ctx_->threads(1);
    ctx_->fatalOnError(true);
    ctx_->traceEverOn(true);  // before the first eval: a trace may be opened later
    top_ = std::make_unique<V>(ctx_.get(), "chip");
  }
  ~RtlChipModel() override {
    top_->final();
    if (fst_) fst_->close();
  }

  const ModelConfig& config() const override { return cfg_; }

  void power_on() override {
    V& t = *top_;
    t.clk_i = 1;
    t.rst_ni = 1;
    t.eval();
    t.rst_ni = 0;  // asynchronous reset between edges, held over one edge
    t.eval();
    tick();
    t.rst_ni = 1;
    t.eval();
    tick();
    // Routing table: every (block, kind) the floorplan routes, as a mask of tiles.
    for (int b = 0; b < plan_.num_blocks; ++b) {
      for (int k = 0; k < 3; ++k) {
        uint64_t mask = 0;
        for (unsigned out : plan_.routes.destinations(static_cast<uint8_t>(b), static_cast<sc::SpikeKind>(k)))
          mask |= uint64_t{1} << out;
        t.route_we_i = 1;
        t.route_block_i = static_cast<uint32_t>(b);
        t.route_kind_i = static_cast<uint32_t>(k);
        t.route_mask_i = mask;
        tick();
      }
    }
    t.route_we_i = 0;
    // Input ramp per timestep (the encoder's full-pixel probability, input_ramp_q16).
    const uint32_t rate = prob_to_q16(cfg_.input_rate);
    for (int s = 0; s < cfg_.timesteps; ++s) {
      t.ramp_we_i = 1;
      t.ramp_addr_i = static_cast<uint32_t>(s);
      t.ramp_data_i = input_ramp_q16(rate, s, cfg_.timesteps, cfg_.input_profile);
      tick();
    }
    t.ramp_we_i = 0;
    // The rate lanes' reciprocal of T (ssnn_rate_lane): ceil(2^(bits - 1) / T) in a `bits`-wide port.
    if (shape_.rate_bits > 0) {
      const int bits = shape_.weight_bits + 3 * shape_.rate_bits + 3;
      set_words(t.rate_recip_i, 0, bits, ceil_pow2_div(bits - 1, static_cast<uint32_t>(cfg_.timesteps)));
    }
    t.eval();
  }

  void load_weights(const std::vector<WeightMatrix>& w) override {
    if (static_cast<int>(w.size()) != cfg_.layers()) throw ConfigError("weights: layer count does not match the network");
    for (int l = 0; l < cfg_.layers(); ++l) {
      const WeightMatrix& m = w[static_cast<size_t>(l)];
      if (m.rows != cfg_.layer_size(l) || m.cols != cfg_.layer_size(l + 1))
        throw ConfigError("weights: layer " + std::to_string(l) + " does not match the network");
    }
    V& t = *top_;
    each_weight([&](const sc::TileGeometry& g, int r, int c) {
      t.w_we_i = 1;
      t.w_wdata_i = field(w[static_cast<size_t>(g.layer)].at(g.row0 + r, g.col0 + c), shape_.weight_bits);
      tick();
    });
    t.w_req_i = 0;
    t.w_we_i = 0;
    t.eval();
  }

  std::vector<WeightMatrix> read_weights() override {
    std::vector<WeightMatrix> w;
    for (int l = 0; l < cfg_.layers(); ++l) w.emplace_back(cfg_.layer_size(l), cfg_.layer_size(l + 1));
    // One request per cycle, pipelined: the data of a request is on w_rdata_o after the second edge
    // that follows it, while the next request is taken at that edge.
    V& t = *top_;
    int32_t* pending = nullptr;  // the weight requested before the last edge
    auto land = [&] {
      if (pending) *pending = static_cast<int32_t>(sext(t.w_rdata_o, shape_.weight_bits));
    };
    each_weight([&](const sc::TileGeometry& g, int r, int c) {
      t.w_we_i = 0;
      tick();  // the host register bank takes this request; the tile reads the previous one
      land();
      pending = &w[static_cast<size_t>(g.layer)].at(g.row0 + r, g.col0 + c);
    });
    t.w_req_i = 0;
    tick();  // the tile reads the last request
    land();
    t.eval();
    return w;
  }

  void start_sample(const uint8_t* pixels, int label, const SampleSpec& spec) override {
    V& t = *top_;
    for (int i = 0; i < cfg_.inputs; ++i) {
      t.pix_we_i = 1;
      t.pix_addr_i = static_cast<uint32_t>(i);
      t.pix_data_i = pixels[i];
      tick();
    }
    t.pix_we_i = 0;
    t.label_i = static_cast<uint32_t>(label < 0 ? 0 : label);
    set_parameters(spec);
    corrupt_.clear();
    t.learn_i = spec.learn;
    t.sample_phase_i = static_cast<uint32_t>(spec.phase);
    t.epoch_i = static_cast<uint32_t>(spec.epoch);
    t.index_i = spec.index;
    t.seed_i = cfg_.seed;
    t.timesteps_i = static_cast<uint32_t>(cfg_.timesteps);
    t.rate_mode_i = cfg_.update_mode == UpdateMode::kRate;
    t.start_i = 1;
    t.eval();
    for (int n = 0; !t.busy_o; ++n) {
      if (n == 100) throw std::runtime_error("rtl chip: the controller did not take the start request within 100 cycles");
      tick();
    }
    t.start_i = 0;
    t.eval();
  }

  void step() override { tick(); }
  bool busy() const override { return top_->busy_o != 0; }

  SampleResult sample_result() const override {
    const V& t = *top_;
    SampleResult r;
    r.prediction = static_cast<int>(t.prediction_o);
    for (int k = 0; k < cfg_.classes; ++k)
      r.output_counts.push_back(static_cast<int32_t>(get_field(t.out_counts_o, k * 17, 17)));
    return r;
  }

  uint64_t edges() const override { return edges_; }

 protected:
  const sc::ChipFloorplan& floorplan() const override { return plan_; }

  sc::ChipState hardware_state() const override {
    const V& t = *top_;
    const int L = cfg_.layers();
    auto count = [](const auto& port, int index) { return get_field(port, index * kCountBits, kCountBits); };
    sc::ChipState c;
    for (size_t p = 0; p < c.controller.phase_cycles.size(); ++p) c.controller.phase_cycles[p] = count(t.phase_cycles_o, static_cast<int>(p));
    c.controller.cycles = t.cycles_o;
    c.controller.samples = t.samples_o;
    c.controller.steps = t.steps_o;
    c.encoder.lfsr_draws = count(t.enc_counters_o, 0);
    c.encoder.input_spikes = count(t.enc_counters_o, 1);
    c.encoder.label_spikes = count(t.enc_counters_o, 2);
    c.encoder.seed_loads = count(t.enc_counters_o, 3);
    c.sources.push_back({count(t.enc_counters_o, 4), count(t.enc_counters_o, 5), count(t.enc_counters_o, 6)});
    for (int l = 0; l < L; ++l) {
      const int b = l * kCoreCounts;
      sc::CoreCounters k;
      k.forward_updates = count(t.core_counters_o, b + 0);
      k.gradient_updates = count(t.core_counters_o, b + 1);
      k.forward_spikes = count(t.core_counters_o, b + 2);
      k.pos_spikes = count(t.core_counters_o, b + 3);
      k.neg_spikes = count(t.core_counters_o, b + 4);
      k.wta_iterations = count(t.core_counters_o, b + 5);
      k.column_sum_words = count(t.core_counters_o, b + 6);
      c.cores.push_back(k);
      c.sources.push_back({count(t.core_counters_o, b + 7), count(t.core_counters_o, b + 8), count(t.core_counters_o, b + 9)});
    }
    for (size_t k = 0; k < plan_.tiles.size(); ++k) {
      const int b = static_cast<int>(k) * kTileCounts;
      sc::TileCounters s;
      s.events = count(t.tile_counters_o, b);
      s.row_reads = count(t.tile_counters_o, b + 1);
      s.col_reads = count(t.tile_counters_o, b + 2);
      s.col_latches = s.events - s.row_reads - s.col_reads;  // gradient events of tiles that only latch
      s.pulses_up = count(t.tile_counters_o, b + 3);
      s.pulses_down = count(t.tile_counters_o, b + 4);
      s.rate_updates = count(t.tile_counters_o, b + 5);
      c.tiles.push_back(s);
    }
    sc::AerRouterCounters& r = c.router;
    const int n_in = plan_.num_blocks;
    const int occ_bits = bit_width(static_cast<uint64_t>(chip_.fifo_depth));
    for (int i = 0; i < n_in; ++i) {
      r.events_in.push_back(count(t.router_in_counters_o, i));
      r.grants.push_back(count(t.router_in_counters_o, n_in + i));
      r.head_stall_cycles.push_back(count(t.router_in_counters_o, 2 * n_in + i));
      r.input_stall_cycles.push_back(count(t.router_in_counters_o, 3 * n_in + i));
      r.drops.push_back(count(t.router_in_counters_o, 4 * n_in + i));
      r.fifo_high_water.push_back(static_cast<uint32_t>(get_field(t.fifo_high_water_o, i * occ_bits, occ_bits)));
    }
    for (size_t k = 0; k < plan_.tiles.size(); ++k) r.events_out.push_back(count(t.events_out_o, static_cast<int>(k)));
    r.cycles = count(t.router_counters_o, 0);
    r.multicast_copies = count(t.router_counters_o, 1);
    r.unrouted = count(t.router_counters_o, 2);
    r.stall_cycles = count(t.router_counters_o, 3);
    r.bandwidth_stall_cycles = count(t.router_counters_o, 4);
    r.output_stall_cycles = count(t.router_counters_o, 5);
    return c;
  }

 public:
  void open_trace(const std::string& fst_path) override {
    fst_ = std::make_unique<VerilatedFstC>();
    top_->trace(fst_.get(), 99);
    fst_->open(fst_path.c_str());
    if (!fst_->isOpen()) throw ConfigError("--trace: cannot write " + fst_path);
  }

  uint64_t now_ps() const override { return edges_ * period_ps_; }

  void set_tracing(bool on) override {
    tracing_ = on && fst_ != nullptr;
    if (fst_ && !on) fst_->flush();
  }

  void corrupt_next_sample(const std::string& kind) override { corrupt_ = kind; }

 private:
  static int bit_width(uint64_t v) {  // $clog2(v + 1)
    int b = 0;
    while ((uint64_t{1} << b) < v + 1) ++b;
    return b;
  }

  // Calls f(tile, row, col) for every cross-point with the weight port addressing it (w_req_i high).
  template <class F>
  void each_weight(F f) {
    V& t = *top_;
    for (size_t k = 0; k < plan_.tiles.size(); ++k) {
      const sc::TileGeometry& g = plan_.tiles[k];
      for (int r = 0; r < g.rows; ++r)
        for (int c = 0; c < g.cols; ++c) {
          t.w_req_i = 1;
          t.w_tile_i = static_cast<uint32_t>(k);
          t.w_row_i = static_cast<uint32_t>(r);
          t.w_col_i = static_cast<uint32_t>(c);
          f(g, r, c);
        }
    }
  }

  void tick() {
    if (tracing_) {  // the falling edge, half a period before the rising one
      top_->clk_i = 0;
      top_->eval();
      fst_->dump(edges_ * period_ps_ + period_ps_ / 2);
    }
    rising_edge(*top_);
    ++edges_;
    if (tracing_) fst_->dump(edges_ * period_ps_);
  }

  // The sample's layer parameters and device options, as the SystemC chip's controller holds them.
  void set_parameters(const SampleSpec& spec) {
    V& t = *top_;
    const int L = cfg_.layers();
    const int P = shape_.potential_bits, C = shape_.charge_bits, W = shape_.weight_bits;
    const int noise_width = std::max(shape_.noise_bits, 1);
    t.beta_i = cfg_.neuron_params().beta_q16;
    for (int l = 1; l < L; ++l) {
      const int32_t theta = cfg_.forward_threshold(l, spec.learn);
      set_field(t.theta_i, (l - 1) * P, P, corrupt_ == "neuron" ? theta + std::max(1, theta / 4) : theta);
      set_field(t.theta_gate_i, (l - 1) * P, P, cfg_.gate_threshold(l, spec.learn));
      set_field(t.theta_grad_i, (l - 1) * P, P, cfg_.gradient_threshold(l));
    }
    t.drop_hidden_q16_i = prob_to_q16(cfg_.dropout_hidden);
    t.theta_out_i = field(cfg_.forward_threshold(L, spec.learn), P);
    t.theta_err_i = field(cfg_.theta_err, P);
    t.err_unit_i = field(cfg_.err_unit, C);
    t.inhibition_i = field(cfg_.inhibition_for(spec.learn), P);
    t.label_q16_i = prob_to_q16(cfg_.label_rate);
    t.drop_input_q16_i = prob_to_q16(cfg_.dropout_input);
    const int64_t pulse_max = (int64_t{1} << (W + 1)) - 1;  // larger pulses end at a bound all the same
    for (int l = 0; l < L; ++l) {
      const SynapseParams s = cfg_.synapse_params(static_cast<int>(spec.epoch), l);
      set_field(t.w_min_i, l * W, W, s.w_min);
      set_field(t.w_max_i, l * W, W, s.w_max);
      set_field(t.pulse_up_i, l * (W + 1), W + 1, std::min<int64_t>(s.pulse_up + (corrupt_ == "coincidence" ? 1 : 0), pulse_max));
      set_field(t.pulse_down_i, l * (W + 1), W + 1, std::min<int64_t>(s.pulse_down, pulse_max));
      set_field(t.pulse_noise_i, l * noise_width, noise_width, s.pulse_noise);
    }
  }

  ModelConfig cfg_;
  sc::ChipConfig chip_;
  ChipShape shape_;
  sc::ChipFloorplan plan_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<V> top_;
  uint64_t edges_ = 0;
  std::string corrupt_;  // corrupt_next_sample
  std::unique_ptr<VerilatedFstC> fst_;  // open_trace
  bool tracing_ = false;
  // The clock period in ps, as the SystemC chip's clock (chip_harness.cpp), even so the edges at
  // whole-cycle times.
  uint64_t period_ps_ = 2 * static_cast<uint64_t>(std::max(1.0, std::round(5e5 / chip_.clock_mhz)));
};

}  // namespace ssnn::rtl
