// ssnn_spike_encoder (verilated C++) in lockstep with the SystemC spike_encoder: the test plays the
// host (pixels and label), the controller (sample begin, forward steps with the step's input ramp,
// random gaps) and the router (random ready per channel). After every edge busy_o, every channel's
// valid_o and event_o, tx_expected_o and the label outputs must agree; after every command the
// counters, every pixel's LFSR state, the label LFSR and the dropout mask.
// Part of bin/rtl_block_tests (sc_block_main.cpp); each test is its own process.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

// Verilator's C++ headers before SystemC's (see sc_tile_lockstep.cpp).
#include "Venc.h"
#include "Venc_one_lane.h"
#include "rtl_sim.hpp"

#include <systemc>

#include "aer_router_core.hpp"
#include "chip_config.hpp"
#include "chip_types.hpp"
#include "spike_encoder.hpp"
#include "ssnn/config.hpp"
#include "ssnn/contract/encoder.hpp"
#include "ssnn_rtl/lockstep.hpp"

namespace {

using ssnn::rtl::Lockstep;
using ssnn::rtl::Mismatch;
using ssnn::rtl::test::get_field;
using ssnn::rtl::test::Rng;
using ssnn::rtl::test::set_field;
using ssnn::rtl::test::Sim;
using ssnn::sc::AerEvent;
using ssnn::sc::Op;
using ssnn::sc::SpikeKind;

constexpr int kEventBits = 26;
constexpr int kFanoutBits = 8;

// Verilated configurations (rtl/CMakeLists.txt).
struct EncDefault {  // seven groups (the last one partial), four channels
  using Model = Venc;
  static constexpr int kInputs = 50, kLanes = 8, kBand = 16;
};
struct EncOneLane {  // one draw per cycle, three channels, the label seed in its own group
  using Model = Venc_one_lane;
  static constexpr int kInputs = 7, kLanes = 1, kBand = 3;
};

struct Coverage {
  uint64_t commands = 0, spikes = 0, label_spikes = 0, draws = 0, stalls = 0, dropped = 0, resets = 0;
};

struct RunResult {
  uint64_t cycles = 0;
  Coverage cov;
  std::optional<Mismatch> mismatch;
};

template <class P>
class EncoderBench {
 public:
  static constexpr int N = P::kInputs;
  static constexpr int kChannels = (N + P::kBand - 1) / P::kBand;

  explicit EncoderBench(uint64_t seed, double input_rate, ssnn::InputProfile profile) : rng_(seed) {
    cfg_.inputs = N;
    cfg_.classes = 10;
    cfg_.hidden = {8};
    cfg_.timesteps = static_cast<int>(rng_.range(10, 30));
    cfg_.input_rate = input_rate;
    cfg_.label_rate = 0.5;
    cfg_.input_profile = profile;
    chip_.encoder_lanes = P::kLanes;
    for (int ch = 0; ch < kChannels; ++ch) {
      std::vector<unsigned> outs;
      const int fan = static_cast<int>(rng_.range(0, 3));
      for (int k = 0; k < fan; ++k) outs.push_back(static_cast<unsigned>(rng_.range(0, 7)));
      routes_.add(static_cast<uint8_t>(ch), SpikeKind::kForward, outs);
    }
    enc_ = std::make_unique<ssnn::sc::spike_encoder>("enc", cfg_, chip_, routes_, 0, P::kBand);
    auto& e = *enc_;
    e.clk_i(clk_);
    e.rst_ni(rst_n_);
    valid_.init(kChannels);
    event_.init(kChannels);
    ready_.init(kChannels);
    for (int ch = 0; ch < kChannels; ++ch) {
      e.valid_o[static_cast<size_t>(ch)](valid_[static_cast<size_t>(ch)]);
      e.event_o[static_cast<size_t>(ch)](event_[static_cast<size_t>(ch)]);
      e.ready_i[static_cast<size_t>(ch)](ready_[static_cast<size_t>(ch)]);
    }
    e.tx_expected_o(tx_);
    e.start_i(start_);
    e.op_i(op_);
    e.step_i(step_);
    e.learn_i(learn_);
    e.sample_key_i(key_);
    e.busy_o(busy_);
    e.label_valid_o(label_valid_);
    e.label_class_o(label_class_);
    rst_n_.write(true);
    clk_.write(true);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    auto& t = dut_.top();
    for (int ch = 0; ch < kChannels; ++ch)
      set_field(t.fanout_i, ch * kFanoutBits, kFanoutBits,
                static_cast<int64_t>(routes_.destinations(static_cast<uint8_t>(ch), SpikeKind::kForward).size()));
    t.label_q16_i = ssnn::prob_to_q16(cfg_.label_rate);
    idle_inputs();
  }

  // ramp_skew perturbs the ramp the RTL gets: the checker must then fail.
  RunResult run(uint64_t cycles, int ramp_skew = 0) {
    skew_ = ramp_skew;
    while (ls_.ok() && dut_.cycles() < cycles) run_sample();
    res_.cycles = dut_.cycles();
    res_.mismatch = ls_.first();
    return res_;
  }

 private:
  using Model = typename P::Model;

  void idle_inputs() {
    start_.write(false);
    auto& t = dut_.top();
    t.start_i = 0;
    t.pix_we_i = 0;
  }

  void edge() {
    auto& t = dut_.top();
    for (int ch = 0; ch < kChannels; ++ch) {
      const bool r = rng_.chance(p_ready_);
      ready_[static_cast<size_t>(ch)].write(r);
      set_field(t.ready_i, ch, 1, r);
    }
    clk_.write(false);
    sc_core::sc_start(1, sc_core::SC_NS);
    clk_.write(true);
    sc_core::sc_start(1, sc_core::SC_NS);
    dut_.tick();
    ls_.set_cycle(dut_.cycles());
    idle_inputs();
    check_ports();
  }

  void check_ports() {
    auto& t = dut_.top();
    ls_.check("encoder", 0, "busy_o", busy_.read(), t.busy_o);
    ls_.check("encoder", 0, "tx_expected_o", static_cast<int64_t>(tx_.read()), static_cast<int64_t>(t.tx_expected_o));
    ls_.check("encoder", 0, "label_valid_o", label_valid_.read(), t.label_valid_o);
    ls_.check("encoder", 0, "label_class_o", label_class_.read(), t.label_class_o);
    for (int ch = 0; ch < kChannels && ls_.ok(); ++ch) {
      const bool v = valid_[static_cast<size_t>(ch)].read();
      ls_.check("encoder", ch, "valid_o", v, static_cast<int64_t>(get_field(t.valid_o, ch, 1)));
      if (v) {
        ls_.check("encoder", ch, "event_o (kind, block, neuron)", event_[static_cast<size_t>(ch)].read().pack(),
                  static_cast<int64_t>(get_field(t.event_o, ch * kEventBits, kEventBits)));
        if (!ready_[static_cast<size_t>(ch)].read()) ++res_.cov.stalls;
      }
    }
  }

  void command(Op op, int step, bool learn) {
    while (rng_.chance(0.3) && ls_.ok()) edge();
    auto& t = dut_.top();
    start_.write(true);
    op_.write(static_cast<uint32_t>(op));
    step_.write(static_cast<uint32_t>(step));
    t.start_i = 1;
    t.op_i = static_cast<uint8_t>(op);
    t.learn_i = learn;
    const uint32_t rate = ssnn::prob_to_q16(cfg_.input_rate);
    t.ramp_i = ssnn::input_ramp_q16(rate, step, cfg_.timesteps, cfg_.input_profile) + static_cast<uint32_t>(skew_);
    edge();
    ++res_.cov.commands;
    int guard = 0;
    while ((busy_.read() || t.busy_o) && ls_.ok()) {
      edge();
      if (++guard > 100000) {
        ls_.check("encoder", 0, "busy_o (never drops)", 0, 1);
        break;
      }
    }
    if (ls_.ok()) check_state();
  }

  void check_state() {
    auto& t = dut_.top();
    const auto& k = enc_->counters();
    const auto& s = enc_->source_counters();
    auto c = [&](const char* name, uint64_t expected, uint64_t actual) {
      ls_.check("encoder", 0, name, static_cast<int64_t>(expected), static_cast<int64_t>(actual));
    };
    c("lfsr_draws_o", k.lfsr_draws, t.lfsr_draws_o);
    c("input_spikes_o", k.input_spikes, t.input_spikes_o);
    c("label_spikes_o", k.label_spikes, t.label_spikes_o);
    c("seed_loads_o", k.seed_loads, t.seed_loads_o);
    c("events_o", s.events, t.events_o);
    c("stall_cycles_o", s.stall_cycles, t.stall_cycles_o);
    c("busy_cycles_o", s.busy_cycles, t.busy_cycles_o);
    // The counters restart at a reset: the coverage adds what they held before it.
    res_.cov.spikes = base_.spikes + k.input_spikes;
    res_.cov.label_spikes = base_.label_spikes + k.label_spikes;
    res_.cov.draws = base_.draws + k.lfsr_draws;
    for (int i = 0; i < N && ls_.ok(); ++i) {
      t.dbg_addr_i = static_cast<uint32_t>(i);
      dut_.settle();
      ls_.check("pixel", i, "lfsr state (dbg_lfsr_o)", enc_->lfsr_state(i), t.dbg_lfsr_o);
      ls_.check("pixel", i, "keep (keep_o)", enc_->keep_mask()[static_cast<size_t>(i)],
                static_cast<int64_t>(get_field(t.keep_o, i, 1)));
    }
    ls_.check("label", 0, "lfsr state (label_lfsr_o)", enc_->label_lfsr_state(), t.label_lfsr_o);
  }

  void load_pixels(int label) {
    std::vector<uint8_t> px(static_cast<size_t>(N));
    const double dark = rng_.pick({0.0, 0.3, 0.8});
    for (auto& p : px) {
      if (rng_.chance(dark)) {
        p = 0;
      } else {
        const uint8_t corners[] = {1, 127, 128, 254, 255};
        p = rng_.chance(0.3) ? rng_.pick(corners) : static_cast<uint8_t>(rng_.range(0, 255));
      }
    }
    enc_->load_sample(px.data(), label);
    auto& t = dut_.top();
    t.label_i = static_cast<uint8_t>(label);
    for (int i = 0; i < N && ls_.ok(); ++i) {
      t.pix_we_i = 1;
      t.pix_addr_i = static_cast<uint32_t>(i);
      t.pix_data_i = px[static_cast<size_t>(i)];
      edge();
    }
  }

  void run_sample() {
    const bool learn = rng_.chance(0.7);
    cfg_.dropout_input = rng_.chance(0.5) ? 0.0 : static_cast<double>(rng_.range(5, 60)) / 100.0;
    dut_.top().drop_q16_i = ssnn::prob_to_q16(cfg_.dropout_input);
    p_ready_ = rng_.pick({1.0, 0.7, 0.3});
    learn_.write(learn);
    const uint64_t key = rng_.u64();
    key_.write(key);
    dut_.top().sample_key_i = key;
    load_pixels(static_cast<int>(rng_.range(0, cfg_.classes - 1)));
    if (rng_.chance(0.03)) reset_both();
    command(Op::kSampleBegin, 0, learn);
    for (int step = 0; step < cfg_.timesteps && ls_.ok(); ++step) command(Op::kForward, step, learn);
    for (int i = 0; i < N; ++i) res_.cov.dropped += enc_->keep_mask()[static_cast<size_t>(i)] == 0;
  }

  void reset_both() {
    base_.spikes = res_.cov.spikes;
    base_.label_spikes = res_.cov.label_spikes;
    base_.draws = res_.cov.draws;
    rst_n_.write(false);
    sc_core::sc_start(1, sc_core::SC_NS);
    rst_n_.write(true);
    sc_core::sc_start(1, sc_core::SC_NS);
    dut_.async_reset();
    ++res_.cov.resets;
  }

  Rng rng_;
  ssnn::ModelConfig cfg_;
  ssnn::sc::ChipConfig chip_;
  ssnn::sc::AerRoutingTable routes_;
  std::unique_ptr<ssnn::sc::spike_encoder> enc_;
  Sim<Model> dut_;
  Lockstep ls_;
  RunResult res_;
  Coverage base_;  // counts before the last reset
  double p_ready_ = 1.0;
  int skew_ = 0;

  sc_core::sc_signal<bool> clk_{"clk"}, rst_n_{"rst_n"}, start_{"start"}, learn_{"learn"}, busy_{"busy"};
  sc_core::sc_signal<uint32_t> op_{"op"}, step_{"step"}, label_class_{"label_class"};
  sc_core::sc_signal<uint64_t> key_{"key"}, tx_{"tx"};
  sc_core::sc_signal<bool> label_valid_{"label_valid"};
  sc_core::sc_vector<sc_core::sc_signal<bool>> valid_{"valid"}, ready_{"ready"};
  sc_core::sc_vector<sc_core::sc_signal<AerEvent>> event_{"event"};
};

template <class P>
void expect_lockstep(uint64_t seed, uint64_t cycles, double rate, ssnn::InputProfile profile) {
  EncoderBench<P> bench(seed, rate, profile);
  const RunResult r = bench.run(cycles);
  ASSERT_FALSE(r.mismatch.has_value()) << r.mismatch->message();
  const Coverage& c = r.cov;
  std::printf("cycles %llu, commands %llu, draws %llu, spikes %llu, label spikes %llu, stalled offers %llu, "
              "dropped pixels %llu, resets %llu\n",
              static_cast<unsigned long long>(r.cycles), static_cast<unsigned long long>(c.commands),
              static_cast<unsigned long long>(c.draws), static_cast<unsigned long long>(c.spikes),
              static_cast<unsigned long long>(c.label_spikes), static_cast<unsigned long long>(c.stalls),
              static_cast<unsigned long long>(c.dropped), static_cast<unsigned long long>(c.resets));
  EXPECT_GT(c.spikes, 200u);
  EXPECT_GT(c.label_spikes, 20u);
  EXPECT_GT(c.stalls, 100u);
  EXPECT_GT(c.dropped, 10u);
}

TEST(RtlEncoder, EncoderMatchesSystemC) {
  expect_lockstep<EncDefault>(21, 150000, 0.4, ssnn::InputProfile::kFrontLoaded);
}
TEST(RtlEncoder, OneLaneFlatEncoderMatchesSystemC) {
  expect_lockstep<EncOneLane>(22, 100000, 0.5, ssnn::InputProfile::kFlat);
}
TEST(RtlEncoder, CheckerCatchesAWrongRamp) {
  EncoderBench<EncDefault> bench(23, 0.4, ssnn::InputProfile::kFrontLoaded);
  const RunResult r = bench.run(50000, 700);
  ASSERT_TRUE(r.mismatch.has_value());
  std::printf("%s\n", r.mismatch->message().c_str());
}

}  // namespace
