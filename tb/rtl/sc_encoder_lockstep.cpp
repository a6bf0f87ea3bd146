// ssnn_spike_encoder (verilated C++) in lockstep with the SystemC spike_encoder: the test plays the
// host (pixels and label), the controller (sample begin, forward steps with the step's input ramp,
// random gaps) and the router (random ready per channel). After every edge busy_o, every channel's
// valid_o and event_o, tx_expected_o and the label outputs must agree; after every command the
// counters, every pixel's LFSR state and keep bit (read back a group per cycle, dbg_req_i), the
// label LFSR.
// Part of bin/rtl_block_tests (sc_block_main.cpp); each test is its own process.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

// Verilator's C++ headers before SystemC's (see sc_tile_lockstep.cpp).
#include "Venc.h"
#include "Venc_one_lane.h"
#include "sc_bench.hpp"

#include "aer_router_core.hpp"
#include "chip_config.hpp"
#include "chip_types.hpp"
#include "spike_encoder.hpp"
#include "ssnn/config.hpp"
#include "ssnn/contract/encoder.hpp"

namespace ssnn::rtl::test {
namespace {

using ssnn::sc::Op;
using ssnn::sc::SpikeKind;

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
using Result = RunResult<Coverage>;

template <class P>
class EncoderBench : public SourceBench<EncoderBench<P>, typename P::Model, Coverage> {
  using Base = SourceBench<EncoderBench<P>, typename P::Model, Coverage>;
  friend Base;
  using Base::bus_, Base::cfg_, Base::chip_, Base::command, Base::edge, Base::lk_, Base::res_, Base::rng_, Base::src_;

 public:
  static constexpr int N = P::kInputs;
  static constexpr int kChannels = (N + P::kBand - 1) / P::kBand;

  explicit EncoderBench(uint64_t seed, double input_rate, ssnn::InputProfile profile) : Base(seed, "encoder") {
    cfg_.inputs = N;
    cfg_.classes = 10;
    cfg_.hidden = {8};
    cfg_.timesteps = static_cast<int>(rng_.range(10, 30));
    cfg_.input_rate = input_rate;
    cfg_.label_rate = 0.5;
    cfg_.input_profile = profile;
    chip_.encoder_lanes = P::kLanes;
    for (int ch = 0; ch < kChannels; ++ch) this->random_route(ch, SpikeKind::kForward);
    enc_ = std::make_unique<ssnn::sc::spike_encoder>("enc", cfg_, chip_, this->routes_, 0, P::kBand);
    auto& e = *enc_;
    bus_.bind(e, lk_);
    src_.bind(e);
    e.label_valid_o(label_valid_);
    e.label_class_o(label_class_);
    this->elaborate();
    auto& t = lk_.top();
    for (int ch = 0; ch < kChannels; ++ch)
      set_field(t.fanout_i, ch * kFanoutBits, kFanoutBits, this->fanout(ch, SpikeKind::kForward));
    t.label_q16_i = ssnn::prob_to_q16(cfg_.label_rate);
  }

 private:
  void idle_inputs() {
    lk_.top().pix_we_i = 0;
    lk_.top().dbg_req_i = 0;
  }

  void drive_command(Op /*op*/, int step) {
    const uint32_t rate = ssnn::prob_to_q16(cfg_.input_rate);
    lk_.top().ramp_i =
        ssnn::input_ramp_q16(rate, step, cfg_.timesteps, cfg_.input_profile) + static_cast<uint32_t>(this->skew_);
  }

  void check_outputs() {
    auto& t = lk_.top();
    lk_.ls.check("encoder", 0, "label_valid_o", label_valid_.read(), t.label_valid_o);
    lk_.ls.check("encoder", 0, "label_class_o", label_class_.read(), t.label_class_o);
  }

  void check_state() {
    auto& t = lk_.top();
    auto& ls = lk_.ls;
    const auto& k = enc_->counters();
    auto c = [&](const char* name, uint64_t expected, uint64_t actual) {
      ls.check("encoder", 0, name, static_cast<int64_t>(expected), static_cast<int64_t>(actual));
    };
    c("lfsr_draws_o", k.lfsr_draws, t.lfsr_draws_o);
    c("input_spikes_o", k.input_spikes, t.input_spikes_o);
    c("label_spikes_o", k.label_spikes, t.label_spikes_o);
    c("seed_loads_o", k.seed_loads, t.seed_loads_o);
    compare_source_counters(ls, "encoder", enc_->source_counters(), t);
    // The counters restart at a reset: the coverage adds what they held before it.
    res_.cov.spikes = this->base_.spikes + k.input_spikes;
    res_.cov.label_spikes = this->base_.label_spikes + k.label_spikes;
    res_.cov.draws = this->base_.draws + k.lfsr_draws;
    // The pixels' state is in memory words of kLanes pixels: group g on dbg_state_o the cycle after
    // its read-back request (fields of a lane from bit 0: LFSR, keep bit, pixel).
    constexpr int kLaneBits = 32 + 1 + 8;
    this->read_back(N, P::kLanes, [&](int i, int lane) {
      ls.check("pixel", i, "lfsr state (dbg_state_o)", enc_->lfsr_state(i),
               static_cast<int64_t>(get_field(t.dbg_state_o, lane * kLaneBits, 32)));
      ls.check("pixel", i, "keep (dbg_state_o)", enc_->keep_mask()[static_cast<size_t>(i)],
               static_cast<int64_t>(get_field(t.dbg_state_o, lane * kLaneBits + 32, 1)));
    });
    ls.check("label", 0, "lfsr state (label_lfsr_o)", enc_->label_lfsr_state(), t.label_lfsr_o);
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
    auto& t = lk_.top();
    t.label_i = static_cast<uint8_t>(label);
    for (int i = 0; i < N && lk_.ls.ok(); ++i) {
      t.pix_we_i = 1;
      t.pix_addr_i = static_cast<uint32_t>(i);
      t.pix_data_i = px[static_cast<size_t>(i)];
      edge();
    }
  }

  void run_sample() {
    const bool learn = rng_.chance(0.7);
    cfg_.dropout_input = rng_.chance(0.5) ? 0.0 : static_cast<double>(rng_.range(5, 60)) / 100.0;
    lk_.top().drop_q16_i = ssnn::prob_to_q16(cfg_.dropout_input);
    this->p_ready_ = rng_.pick({1.0, 0.7, 0.3});
    bus_.learn.write(learn);
    lk_.top().learn_i = learn;
    const uint64_t key = rng_.u64();
    bus_.key.write(key);
    lk_.top().sample_key_i = key;
    load_pixels(static_cast<int>(rng_.range(0, cfg_.classes - 1)));
    if (rng_.chance(0.03)) this->reset_both();
    if (command(Op::kSampleBegin, 0)) check_state();
    for (int step = 0; step < cfg_.timesteps && lk_.ls.ok(); ++step)
      if (command(Op::kForward, step)) check_state();
    for (int i = 0; i < N; ++i) res_.cov.dropped += enc_->keep_mask()[static_cast<size_t>(i)] == 0;
  }

  std::unique_ptr<ssnn::sc::spike_encoder> enc_;
  sc_core::sc_signal<uint32_t> label_class_{"label_class"};
  sc_core::sc_signal<bool> label_valid_{"label_valid"};
};

template <class P>
void expect_lockstep(uint64_t seed, uint64_t cycles, double rate, ssnn::InputProfile profile) {
  EncoderBench<P> bench(seed, rate, profile);
  const Result r = bench.run(cycles);
  const Coverage& c = r.cov;
  expect_corners(r, "encoder", cycles,
                 {{"commands", c.commands},
                  {"draws", c.draws},
                  {"spikes", c.spikes, 200},
                  {"label spikes", c.label_spikes, 20},
                  {"stalled offers", c.stalls, 100},
                  {"dropped pixels", c.dropped, 10},
                  {"resets", c.resets}});
}

TEST(RtlEncoder, EncoderMatchesSystemC) {
  expect_lockstep<EncDefault>(21, 150000, 0.4, ssnn::InputProfile::kFrontLoaded);
}
TEST(RtlEncoder, OneLaneFlatEncoderMatchesSystemC) {
  expect_lockstep<EncOneLane>(22, 100000, 0.5, ssnn::InputProfile::kFlat);
}
TEST(RtlEncoder, CheckerCatchesAWrongRamp) {
  EncoderBench<EncDefault> bench(23, 0.4, ssnn::InputProfile::kFrontLoaded);
  expect_caught(bench.run(50000, 700), "unit ");
}

}  // namespace
}  // namespace ssnn::rtl::test
