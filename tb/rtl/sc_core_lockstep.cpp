// ssnn_hidden_core and ssnn_output_core (verilated C++) in lockstep with the SystemC neuron_core:
// the test plays the controller (sample begin, forward, backward / error, sample end, with random
// gaps), the tiles (random partial sums on both models' sum buses) and the router (random ready on
// every channel). After every edge busy_o, every channel's valid_o and event_o and tx_expected_o
// must agree; after every command the counters and every neuron's state (read back through the
// hidden core's state port, or the output core's state output), and after a sample end the
// prediction. Part of bin/rtl_block_tests (sc_block_main.cpp); each test is its own process.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

// Verilator's C++ headers before SystemC's (see sc_tile_lockstep.cpp).
#include "Vcore_hidden.h"
#include "Vcore_hidden_narrow.h"
#include "Vcore_hidden_wide.h"
#include "Vcore_output.h"
#include "Vcore_output_narrow.h"
#include "sc_bench.hpp"

#include "aer_router_core.hpp"
#include "chip_config.hpp"
#include "chip_types.hpp"
#include "neuron_core.hpp"
#include "ssnn/config.hpp"
#include "ssnn/contract/encoder.hpp"

namespace ssnn::rtl::test {
namespace {

using ssnn::sc::Op;
using ssnn::sc::SpikeKind;

constexpr int kFanoutBits = 8;

// Verilated configurations (rtl/CMakeLists.txt).
struct HiddenDefault {  // four groups (the last one partial), three tiles below, two above
  using Model = Vcore_hidden;
  static constexpr int kN = 20, kLanes = 6, kC = 24, kP = 24, kIn = 31, kSum = 20, kBelow = 3, kAbove = 2;
  static constexpr int kFwdBand = 8, kGradBand = 7, kLayer = 1, kFirstBlock = 3;
};
struct HiddenNarrow {  // one lane, saturating registers, second hidden layer
  using Model = Vcore_hidden_narrow;
  static constexpr int kN = 9, kLanes = 1, kC = 10, kP = 9, kIn = 12, kSum = 10, kBelow = 1, kAbove = 1;
  static constexpr int kFwdBand = 9, kGradBand = 4, kLayer = 2, kFirstBlock = 5;
};
struct HiddenWide {  // one group of 40 lanes, 30-bit registers
  using Model = Vcore_hidden_wide;
  static constexpr int kN = 40, kLanes = 40, kC = 30, kP = 30, kIn = 31, kSum = 24, kBelow = 2, kAbove = 1;
  static constexpr int kFwdBand = 16, kGradBand = 40, kLayer = 1, kFirstBlock = 1;
};
struct OutputDefault {  // ten classes, three gather groups, two tiles below
  using Model = Vcore_output;
  static constexpr int kN = 10, kLanes = 4, kC = 24, kP = 24, kIn = 31, kSum = 20, kBelow = 2;
  static constexpr int kGradBand = 4, kFirstBlock = 4, kFwdBand = 1, kLayer = 2, kAbove = 1;
};
struct OutputNarrow {  // five classes in one group, saturating registers
  using Model = Vcore_output_narrow;
  static constexpr int kN = 5, kLanes = 8, kC = 10, kP = 9, kIn = 12, kSum = 10, kBelow = 1;
  static constexpr int kGradBand = 5, kFirstBlock = 2, kFwdBand = 1, kLayer = 2, kAbove = 1;
};

// A tile as the core sees it: one partial sum per column (forward) and per row (backward), read and
// cleared by the SystemC core at the command; the RTL core reads the same values from its bus.
class FakeTile : public sc_core::sc_module, public ssnn::sc::tile_sum_if {
 public:
  FakeTile(const sc_core::sc_module_name& name, int n) : sc_core::sc_module(name), fwd(n, 0), bwd(n, 0) {}
  int row_offset() const override { return 0; }
  int col_offset() const override { return 0; }
  int num_rows() const override { return static_cast<int>(bwd.size()); }
  int num_cols() const override { return static_cast<int>(fwd.size()); }
  bool take_forward_sums(int32_t* dst) override {
    for (size_t j = 0; j < fwd.size(); ++j) dst[j] += fwd[j];
    std::fill(fwd.begin(), fwd.end(), 0);
    return true;
  }
  bool take_backward_sums(int32_t* dst) override {
    for (size_t j = 0; j < bwd.size(); ++j) dst[j] += bwd[j];
    std::fill(bwd.begin(), bwd.end(), 0);
    return true;
  }
  std::vector<int32_t> fwd, bwd;
};

struct Coverage {
  uint64_t commands = 0, fwd_spikes = 0, pos_spikes = 0, neg_spikes = 0, stalls = 0, dropped = 0;
  uint64_t saturated = 0, wta_multi = 0, predictions = 0, resets = 0;
};
using Result = RunResult<Coverage>;

// What differs between the hidden and the output core's benches.
template <class P, bool kOutput>
class CoreBench : public SourceBench<CoreBench<P, kOutput>, typename P::Model, Coverage> {
  using Base = SourceBench<CoreBench<P, kOutput>, typename P::Model, Coverage>;
  friend Base;
  using Base::bus_, Base::cfg_, Base::chip_, Base::command, Base::edge, Base::lk_, Base::res_, Base::rng_, Base::src_;

 public:
  static constexpr int N = P::kN;
  static constexpr int kLayer = kOutput ? 2 : P::kLayer;  // output core: layer L = 2
  static int channels() {
    if constexpr (kOutput) {
      return (N + P::kGradBand - 1) / P::kGradBand;
    } else {
      return std::max((N + P::kFwdBand - 1) / P::kFwdBand, (N + P::kGradBand - 1) / P::kGradBand);
    }
  }

  explicit CoreBench(uint64_t seed) : Base(seed, "core") {
    cfg_.inputs = 12;
    cfg_.classes = kOutput ? N : 3;
    cfg_.hidden = kOutput ? std::vector<int>{7} : (kLayer == 1 ? std::vector<int>{N} : std::vector<int>{6, N});
    cfg_.charge_bits = P::kC;
    cfg_.potential_bits = P::kP;
    cfg_.timesteps = static_cast<int>(rng_.range(4, 40));
    cfg_.tau_divisor = static_cast<double>(rng_.range(2, 12));
    chip_.lanes = P::kLanes;
    const int fwd_band = kOutput ? 1 : P::kFwdBand;
    // Routing table: every (block, kind) of the core's channels reaches 0..3 tiles.
    for (int ch = 0; ch < channels(); ++ch)
      for (auto kind : {SpikeKind::kForward, SpikeKind::kGradPos, SpikeKind::kGradNeg})
        this->random_route(P::kFirstBlock + ch, kind);
    core_ = std::make_unique<ssnn::sc::neuron_core>("core", cfg_, chip_, this->routes_, kLayer,
                                                    static_cast<uint8_t>(P::kFirstBlock), fwd_band, P::kGradBand);
    auto& co = *core_;
    bus_.bind(co, lk_);
    src_.bind(co);
    co.label_valid_i(label_valid_);
    co.label_class_i(label_class_);
    co.prediction_o(prediction_);
    for (int t = 0; t < P::kBelow; ++t) {
      below_.push_back(std::make_unique<FakeTile>(("below" + std::to_string(t)).c_str(), N));
      co.below_i(*below_.back());
    }
    if constexpr (!kOutput) {
      for (int t = 0; t < P::kAbove; ++t) {
        above_.push_back(std::make_unique<FakeTile>(("above" + std::to_string(t)).c_str(), N));
        co.above_i(*above_.back());
      }
    }
    this->elaborate();
    auto& top = lk_.top();
    for (int ch = 0; ch < channels(); ++ch) {
      const int b = P::kFirstBlock + ch;
      if constexpr (!kOutput)
        set_field(top.fwd_fanout_i, ch * kFanoutBits, kFanoutBits, this->fanout(b, SpikeKind::kForward));
      set_field(top.pos_fanout_i, ch * kFanoutBits, kFanoutBits, this->fanout(b, SpikeKind::kGradPos));
      set_field(top.neg_fanout_i, ch * kFanoutBits, kFanoutBits, this->fanout(b, SpikeKind::kGradNeg));
    }
  }

 private:
  void idle_inputs() {
    if constexpr (!kOutput) lk_.top().dbg_req_i = 0;
  }
  void drive_command(Op /*op*/, int /*step*/) {}
  void check_outputs() {}

  void fill_sums(std::vector<std::unique_ptr<FakeTile>>& tiles, bool forward, int32_t scale) {
    auto& t = lk_.top();
    const int tiles_n = static_cast<int>(tiles.size());
    // Every tile's sum fits the bus, and their total the neuron's input.
    const int64_t lim_sum = (int64_t{1} << (P::kSum - 1)) - 1;
    const int64_t lim_in = ((int64_t{1} << (P::kIn - 1)) - 1) / tiles_n;
    const int64_t lim = std::min<int64_t>({lim_sum, lim_in, int64_t{4} * scale});
    const double density = rng_.pick({0.1, 0.5, 0.9});
    for (int k = 0; k < tiles_n; ++k) {
      auto& v = forward ? tiles[static_cast<size_t>(k)]->fwd : tiles[static_cast<size_t>(k)]->bwd;
      for (int j = 0; j < N; ++j) {
        int64_t s = 0;
        if (rng_.chance(density)) s = rng_.range(-lim / 2, lim);
        // Now and then the largest sum the bus and the input hold: saturation.
        if (rng_.chance(0.02)) s = (rng_.chance(0.5) ? 1 : -1) * std::min(lim_sum, lim_in);
        v[static_cast<size_t>(j)] = static_cast<int32_t>(s);
        if constexpr (kOutput) {
          set_field(t.below_sum_i, (k * N + j) * P::kSum, P::kSum, s);
        } else {
          if (forward)
            set_field(t.below_sum_i, (k * N + j) * P::kSum, P::kSum, s);
          else
            set_field(t.above_sum_i, (k * N + j) * P::kSum, P::kSum, s);
        }
      }
    }
  }

  // Thresholds of the sample, from the configuration as the SystemC core computes them.
  void drive_parameters(bool learn) {
    auto& t = lk_.top();
    const ssnn::NeuronParams np = core_->neuron_params();
    t.beta_i = np.beta_q16;
    const int32_t theta = cfg_.forward_threshold(kLayer, learn) + this->skew_;
    t.theta_i = static_cast<uint32_t>(bits_of(theta, P::kP));
    if constexpr (kOutput) {
      t.theta_err_i = static_cast<uint32_t>(bits_of(cfg_.theta_err, P::kP));
      t.err_unit_i = static_cast<uint32_t>(bits_of(cfg_.err_unit, P::kC));
      t.inhibition_i = static_cast<uint32_t>(bits_of(cfg_.inhibition_for(learn), P::kP));
    } else {
      t.theta_gate_i = static_cast<uint32_t>(bits_of(cfg_.gate_threshold(kLayer, learn), P::kP));
      t.theta_grad_i = static_cast<uint32_t>(bits_of(cfg_.gradient_threshold(kLayer), P::kP));
      t.drop_q16_i = ssnn::prob_to_q16(cfg_.dropout_hidden);
    }
  }

  // A command on both models (random gap before it), then the counters and every neuron's state.
  void checked_command(Op op, int step) {
    if (command(op, step)) check_counters();
    if (lk_.ls.ok()) check_state();
  }

  void check_counters() {
    auto& t = lk_.top();
    const auto& k = core_->counters();
    auto c = [&](const char* name, uint64_t expected, uint64_t actual) {
      lk_.ls.check("core", 0, name, static_cast<int64_t>(expected), static_cast<int64_t>(actual));
    };
    c("forward_updates_o", k.forward_updates, t.forward_updates_o);
    c("gradient_updates_o", k.gradient_updates, t.gradient_updates_o);
    c("forward_spikes_o", k.forward_spikes, t.forward_spikes_o);
    c("pos_spikes_o", k.pos_spikes, t.pos_spikes_o);
    c("neg_spikes_o", k.neg_spikes, t.neg_spikes_o);
    c("column_sum_words_o", k.column_sum_words, t.column_sum_words_o);
    compare_source_counters(lk_.ls, "core", core_->source_counters(), t);
    if constexpr (kOutput) c("wta_iterations_o", k.wta_iterations, t.wta_iterations_o);
    // The counters restart at a reset: the coverage adds what they held before it.
    res_.cov.fwd_spikes = this->base_.fwd_spikes + k.forward_spikes;
    res_.cov.pos_spikes = this->base_.pos_spikes + k.pos_spikes;
    res_.cov.neg_spikes = this->base_.neg_spikes + k.neg_spikes;
  }

  // Neuron j's registers from the fields of a state word at bit b, both cores' layout from bit 0:
  // charge, potential, gradient charge, delta_p, delta_n, gate.
  template <class Word>
  void check_neuron(int j, const Word& w, int b) {
    constexpr int C = P::kC, Pb = P::kP;
    auto& co = *core_;
    auto& ls = lk_.ls;
    const int64_t potential = get_signed(w, b + C, Pb), pos = get_signed(w, b + 2 * C + Pb, Pb);
    const int64_t neg = get_signed(w, b + 2 * C + 2 * Pb, Pb);
    ls.check("neuron", j, "charge", co.charge(j), get_signed(w, b, C));
    ls.check("neuron", j, "potential", co.potential(j), potential);
    ls.check("neuron", j, "grad_charge", co.grad_charge(j), get_signed(w, b + C + Pb, C));
    ls.check("neuron", j, "pos_potential", co.grad_pos(j), pos);
    ls.check("neuron", j, "neg_potential", co.grad_neg(j), neg);
    ls.check("neuron", j, "gate", co.gate(j), static_cast<int64_t>(get_field(w, b + 2 * C + 3 * Pb, 1)));
    const int64_t pmax = (int64_t{1} << (Pb - 1)) - 1;
    if (potential == pmax || potential == -pmax - 1 || pos == pmax || neg == pmax) ++res_.cov.saturated;
  }

  void check_state() {
    auto& t = lk_.top();
    auto& ls = lk_.ls;
    constexpr int kRegisterBits = 2 * P::kC + 3 * P::kP;  // a state word's fields up to the gate
    if constexpr (kOutput) {
      for (int k = 0; k < N; ++k) {
        check_neuron(k, t.state_o, k * (kRegisterBits + 1));
        ls.check("neuron", k, "spike_o", core_->fired(k), static_cast<int64_t>(get_field(t.spike_o, k, 1)));
        ls.check("neuron", k, "counts_o", core_->forward_counts()[static_cast<size_t>(k)],
                 static_cast<int64_t>(get_field(t.counts_o, k * 17, 17)));
      }
    } else {
      this->read_back(N, P::kLanes, [&](int j, int lane) {
        const int b = lane * (kRegisterBits + 3);  // + gate event, keep
        check_neuron(j, t.dbg_state_o, b);
        const int64_t keep = static_cast<int64_t>(get_field(t.dbg_state_o, b + kRegisterBits + 2, 1));
        ls.check("neuron", j, "keep (dropout mask)", core_->kept(j), keep);
        if (!keep) ++res_.cov.dropped;
      });
    }
  }

  // Random network parameters of a sample (the SystemC core reads them from the configuration).
  void configure_sample() {
    const int32_t pmax = (1 << (P::kP - 1)) - 1;
    const int32_t theta = static_cast<int32_t>(rng_.range(std::max(2, pmax / 64), std::max(3, pmax / 4)));
    cfg_.theta = theta;
    cfg_.theta_out = theta;
    cfg_.theta_grad = std::max<int32_t>(1, theta / static_cast<int32_t>(rng_.range(1, 16)));
    cfg_.theta_err = std::max<int32_t>(1, theta / static_cast<int32_t>(rng_.range(2, 64)));
    cfg_.err_unit = std::max<int32_t>(1, cfg_.theta_err * static_cast<int32_t>(rng_.range(1, 4)));
    cfg_.gate_fraction = rng_.chance(0.5) ? 1.0 : static_cast<double>(rng_.range(10, 90)) / 100.0;
    cfg_.dropout_hidden = rng_.chance(0.5) ? 0.0 : static_cast<double>(rng_.range(5, 60)) / 100.0;
    cfg_.wta = rng_.chance(0.7);
    cfg_.inhibition = static_cast<int32_t>(rng_.range(0, 2 * theta));
    this->p_ready_ = rng_.pick({1.0, 0.8, 0.4, 0.15});
  }

  void run_sample() {
    configure_sample();
    const bool learn = rng_.chance(0.75);
    bus_.learn.write(learn);
    const uint64_t key = rng_.u64();
    bus_.key.write(key);
    if constexpr (!kOutput) {
      lk_.top().learn_i = learn;
      lk_.top().sample_key_i = key;
    }
    drive_parameters(learn);
    if (rng_.chance(0.03)) this->reset_both();
    checked_command(Op::kSampleBegin, 0);
    const int32_t scale = cfg_.theta;
    for (int step = 0; step < cfg_.timesteps && lk_.ls.ok(); ++step) {
      fill_sums(below_, true, scale);
      checked_command(Op::kForward, step);
      if (!learn) continue;
      if constexpr (kOutput) {
        const bool lv = rng_.chance(0.5);
        const int cls = static_cast<int>(rng_.range(0, N - 1));
        label_valid_.write(lv);
        label_class_.write(static_cast<uint32_t>(cls));
        auto& t = lk_.top();
        t.label_valid_i = lv;
        t.label_class_i = static_cast<uint8_t>(cls);
        checked_command(Op::kError, step);
        if (core_->forward_spikes().size() > 1) ++res_.cov.wta_multi;
      } else {
        fill_sums(above_, false, cfg_.theta_grad);
        checked_command(Op::kBackward, step);
      }
    }
    if constexpr (kOutput) {
      if (lk_.ls.ok()) {
        checked_command(Op::kSampleEnd, 0);
        lk_.ls.check("core", 0, "prediction_o", core_->prediction(), lk_.top().prediction_o);
        ++res_.cov.predictions;
      }
    }
  }

  std::unique_ptr<ssnn::sc::neuron_core> core_;
  std::vector<std::unique_ptr<FakeTile>> below_, above_;
  sc_core::sc_signal<uint32_t> label_class_{"label_class"}, prediction_{"prediction"};
  sc_core::sc_signal<bool> label_valid_{"label_valid"};
};

template <class P, bool kOutput>
void expect_lockstep(uint64_t seed, uint64_t cycles) {
  CoreBench<P, kOutput> bench(seed);
  const Result r = bench.run(cycles);
  const Coverage& c = r.cov;
  expect_corners(r, kOutput ? "output core" : "hidden core", cycles,
                 {{"commands", c.commands},
                  {"spikes x", c.fwd_spikes, 100},
                  {"dp", c.pos_spikes, 20},
                  {"dn", c.neg_spikes, 20},
                  {"stalled offers", c.stalls, 100},
                  {"dropped", c.dropped, kOutput ? 0u : 10u},
                  {"saturated", c.saturated},
                  {"multi-winner steps", c.wta_multi, kOutput ? 5u : 0u},
                  {"predictions", c.predictions, kOutput ? 5u : 0u},
                  {"resets", c.resets}});
  if (P::kP < 16) {
    EXPECT_GT(c.saturated, 0u);  // the narrow registers saturate
  }
}

TEST(RtlCore, HiddenCoreMatchesSystemC) { expect_lockstep<HiddenDefault, false>(11, 150000); }
TEST(RtlCore, NarrowOneLaneHiddenCoreMatchesSystemC) { expect_lockstep<HiddenNarrow, false>(12, 150000); }
TEST(RtlCore, WideOneGroupHiddenCoreMatchesSystemC) { expect_lockstep<HiddenWide, false>(13, 100000); }
TEST(RtlCore, OutputCoreMatchesSystemC) { expect_lockstep<OutputDefault, true>(14, 150000); }
TEST(RtlCore, NarrowOutputCoreMatchesSystemC) { expect_lockstep<OutputNarrow, true>(15, 150000); }

TEST(RtlCore, CheckerCatchesAWrongThreshold) {
  CoreBench<HiddenDefault, false> bench(16);
  expect_caught(bench.run(50000, 1), "unit ");
}

}  // namespace
}  // namespace ssnn::rtl::test
