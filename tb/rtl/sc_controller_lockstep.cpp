// ssnn_controller (verilated C++) in lockstep with the SystemC chip_controller: the test plays the
// host (sample descriptors, start until busy rises) and the blocks (each started block stays busy
// for a random number of cycles; the sources' tx_expected and the tiles' rx_count move with random
// delays, so phases wait for the fabric to drain). After every edge every output of the command
// bus, busy_o and every counter (cycles per phase, cycles, samples, steps) must agree.
// Part of bin/rtl_block_tests (sc_block_main.cpp); each test is its own process.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

// Verilator's C++ headers before SystemC's (see sc_tile_lockstep.cpp).
#include "Vctrl.h"
#include "Vctrl_one_layer.h"
#include "sc_bench.hpp"

#include "chip_controller.hpp"
#include "chip_types.hpp"
#include "controller_bus.hpp"
#include "ssnn/config.hpp"
#include "ssnn/contract/seeding.hpp"

namespace ssnn::rtl::test {
namespace {

using ssnn::sc::CtrlPhase;

constexpr int kCountBits = 48;
constexpr int kPhases = static_cast<int>(CtrlPhase::kCount);

struct CtrlDefault {  // two hidden layers, four tiles
  using Model = Vctrl;
  static constexpr int kLayers = 3, kTiles = 4;
};
struct CtrlOneLayer {  // no hidden layer: no backward phase
  using Model = Vctrl_one_layer;
  static constexpr int kLayers = 1, kTiles = 1;
};

struct Coverage {
  uint64_t samples = 0, steps = 0, drain_waits = 0;
};
using Result = RunResult<Coverage>;

template <class P>
class CtrlBench {
 public:
  static constexpr int L = P::kLayers, K = P::kTiles;

  explicit CtrlBench(uint64_t seed) : rng_(seed) {
    cfg_.hidden.assign(static_cast<size_t>(L - 1), 8);
    cfg_.timesteps = static_cast<int>(rng_.range(1, 6));
    cfg_.seed = rng_.u64();
    ct_ = std::make_unique<ssnn::sc::chip_controller>("ctrl", cfg_, K);
    auto& c = *ct_;
    c.clk_i(lk_.clk);
    c.rst_ni(lk_.rst_n);
    host_.bind(c);
    bus_.init(L, K);
    bus_.bind(c);
    lk_.elaborate();
    auto& t = lk_.top();
    t.seed_i = cfg_.seed;
    t.timesteps_i = static_cast<uint32_t>(cfg_.timesteps);
    busy_left_.assign(static_cast<size_t>(2 + L + K), 0);
    tx_v_.assign(static_cast<size_t>(L + 1), 0);
    rx_v_.assign(static_cast<size_t>(K), 0);
    drive_status();
  }

  Result run(uint64_t cycles) {
    lk_.run(cycles, [this] { run_sample(); });
    return lk_.finish(res_);
  }

 private:
  using Model = typename P::Model;

  // Block status of the next edge: busy counters, in-flight events delivered one by one.
  void drive_status() {
    auto& t = lk_.top();
    bus_.enc_busy.write(busy_left_[0] > 0);
    t.enc_busy_i = busy_left_[0] > 0;
    for (int l = 0; l < L; ++l) {
      const bool b = busy_left_[static_cast<size_t>(1 + l)] > 0;
      bus_.core_busy[static_cast<size_t>(l)].write(b);
      set_field(t.core_busy_i, l, 1, b);
    }
    for (int k = 0; k < K; ++k) {
      const bool b = busy_left_[static_cast<size_t>(1 + L + k)] > 0;
      bus_.tile_busy[static_cast<size_t>(k)].write(b);
      set_field(t.tile_busy_i, k, 1, b);
      bus_.rx_count[static_cast<size_t>(k)].write(rx_v_[static_cast<size_t>(k)]);
      set_field(t.rx_count_i, k * kCountBits, kCountBits, static_cast<int64_t>(rx_v_[static_cast<size_t>(k)]));
    }
    for (int s = 0; s <= L; ++s) {
      bus_.tx_expected[static_cast<size_t>(s)].write(tx_v_[static_cast<size_t>(s)]);
      set_field(t.tx_expected_i, s * kCountBits, kCountBits, static_cast<int64_t>(tx_v_[static_cast<size_t>(s)]));
    }
  }

  // The blocks react to the start lines the controllers drive (compared equal before).
  void blocks_react() {
    auto& t = lk_.top();
    for (auto& b : busy_left_)
      if (b > 0) --b;
    auto start = [&](size_t block, int source) {
      busy_left_[block] = static_cast<int>(rng_.range(0, 6));
      if (source >= 0 && rng_.chance(0.5)) {
        const int n = static_cast<int>(rng_.range(1, 4));
        tx_v_[static_cast<size_t>(source)] += static_cast<uint64_t>(n);
        in_flight_ += n;
      }
    };
    if (t.enc_start_o) start(0, 0);
    for (int l = 0; l < L; ++l)
      if (get_field(t.core_start_o, l, 1)) start(static_cast<size_t>(1 + l), 1 + l);
    if (t.tile_start_o)
      for (int k = 0; k < K; ++k) start(static_cast<size_t>(1 + L + k), -1);
    if (in_flight_ > 0 && rng_.chance(0.4)) {
      ++rx_v_[static_cast<size_t>(rng_.range(0, K - 1))];
      --in_flight_;
      ++res_.cov.drain_waits;
    }
  }

  void edge() {
    lk_.edge();
    check();
    blocks_react();
    drive_status();
  }

  void check() {
    auto& t = lk_.top();
    auto& ls = lk_.ls;
    auto c = [&](const char* name, int64_t expected, int64_t actual) {
      ls.check("controller", 0, name, expected, actual);
    };
    c("busy_o", host_.busy.read(), t.busy_o);
    c("op_o", bus_.op.read(), t.op_o);
    c("enc_start_o", bus_.enc_start.read(), t.enc_start_o);
    for (int l = 0; l < L; ++l)
      ls.check("controller", l + 1, "core_start_o", bus_.core_start[static_cast<size_t>(l)].read(),
               static_cast<int64_t>(get_field(t.core_start_o, l, 1)));
    c("tile_start_o", bus_.tile_start.read(), t.tile_start_o);
    c("step_o", bus_.step.read(), t.step_o);
    c("learn_o", bus_.learn.read(), t.learn_o);
    c("epoch_o", bus_.epoch.read(), t.epoch_o);
    c("sample_key_o", static_cast<int64_t>(bus_.sample_key.read()), static_cast<int64_t>(t.sample_key_o));
    c("phase_o", bus_.phase.read(), t.phase_o);
    c("layer_o", bus_.layer.read(), t.layer_o);
    const auto& k = ct_->counters();
    for (int p = 0; p < kPhases; ++p)
      ls.check("controller", p, "phase_cycles_o", static_cast<int64_t>(k.phase_cycles[static_cast<size_t>(p)]),
               static_cast<int64_t>(get_field(t.phase_cycles_o, p * kCountBits, kCountBits)));
    c("cycles_o", static_cast<int64_t>(k.cycles), static_cast<int64_t>(t.cycles_o));
    c("samples_o", static_cast<int64_t>(k.samples), static_cast<int64_t>(t.samples_o));
    c("steps_o", static_cast<int64_t>(k.steps), static_cast<int64_t>(t.steps_o));
  }

  void run_sample() {
    auto& t = lk_.top();
    const bool learn = rng_.chance(0.7);
    const ssnn::Phase phases[] = {ssnn::Phase::kTrain, ssnn::Phase::kTest, ssnn::Phase::kValidation};
    ssnn::SampleSpec spec;
    spec.learn = learn;
    spec.phase = rng_.pick(phases);
    spec.epoch = static_cast<uint64_t>(rng_.range(0, 50));
    spec.index = rng_.u64() >> static_cast<int>(rng_.range(0, 60));
    while (rng_.chance(0.4) && lk_.ls.ok()) edge();
    if (rng_.chance(0.05)) lk_.reset();
    host_.request(spec);
    t.learn_i = learn;
    t.sample_phase_i = static_cast<uint16_t>(spec.phase);
    t.epoch_i = static_cast<uint32_t>(spec.epoch);
    t.index_i = spec.index;
    t.start_i = 1;
    int guard = 0;
    while (!host_.busy.read() && lk_.ls.ok() && ++guard < 100) edge();
    host_.start.write(false);
    t.start_i = 0;
    guard = 0;
    while ((host_.busy.read() || t.busy_o) && lk_.ls.ok() && ++guard < 1000000) edge();
    ++res_.cov.samples;  // the counters restart at every reset: count here
    res_.cov.steps += static_cast<uint64_t>(cfg_.timesteps);
  }

  Rng rng_;
  ssnn::ModelConfig cfg_;
  std::unique_ptr<ssnn::sc::chip_controller> ct_;
  ScLockstep<Model> lk_;
  Result res_;
  std::vector<int> busy_left_;  // encoder, cores, tiles
  std::vector<uint64_t> tx_v_, rx_v_;
  int in_flight_ = 0;

  ssnn::sc::HostBus host_;
  ssnn::sc::ControllerBus bus_;
};

template <class P>
void expect_lockstep(uint64_t seed, uint64_t cycles) {
  CtrlBench<P> bench(seed);
  const Result r = bench.run(cycles);
  expect_corners(
      r, "controller", cycles,
      {{"samples", r.cov.samples, 20}, {"steps", r.cov.steps}, {"delayed deliveries", r.cov.drain_waits, 100}});
}

TEST(RtlController, ThreeLayerControllerMatchesSystemC) { expect_lockstep<CtrlDefault>(31, 100000); }
TEST(RtlController, OneLayerControllerMatchesSystemC) { expect_lockstep<CtrlOneLayer>(32, 50000); }

}  // namespace
}  // namespace ssnn::rtl::test
