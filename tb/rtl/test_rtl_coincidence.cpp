// ssnn_coincidence_unit against coincidence_update: AND gates, asymmetric pulses, pulse noise from a
// random word, saturation at device bounds, loads and resets.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>

#include <gtest/gtest.h>

#include "Vcoincidence.h"
#include "Vcoincidence_narrow.h"
#include "Vcoincidence_wide.h"
#include "rtl_sim.hpp"
#include "ssnn/contract/fixed_point.hpp"
#include "ssnn/contract/synapse.hpp"
#include "ssnn_rtl/lockstep.hpp"

namespace {

using namespace ssnn::rtl;        // Lockstep, Mismatch
using namespace ssnn::rtl::test;  // Sim, Rng, fields, corners

struct Default {
  using Model = Vcoincidence;
  static constexpr int kW = ssnn::kWeightBits, kNoise = ssnn::kNoiseBits;
};
struct Narrow {
  using Model = Vcoincidence_narrow;
  static constexpr int kW = 6, kNoise = 5;
};
struct Wide {
  using Model = Vcoincidence_wide;
  static constexpr int kW = 24, kNoise = 0;
};

struct Coverage {
  uint64_t up = 0, down = 0, cancelled = 0, at_max = 0, at_min = 0, negative_steps = 0, noisy = 0, loads = 0;
  uint64_t resets = 0;
};

using RunResult = ssnn::rtl::test::RunResult<Coverage>;

// The device pins of one configuration (SynapseParams), at weight width `w`.
template <class Top>
void set_device(Top& t, const ssnn::SynapseParams& sp, int w) {
  t.w_min_i = static_cast<uint32_t>(bits_of(sp.w_min, w));
  t.w_max_i = static_cast<uint32_t>(bits_of(sp.w_max, w));
  t.pulse_up_i = static_cast<uint32_t>(sp.pulse_up);
  t.pulse_down_i = static_cast<uint32_t>(sp.pulse_down);
  t.pulse_noise_i = static_cast<uint32_t>(sp.pulse_noise);
}

// The cross-point's lines in one cycle: its row, its column's delta_p and delta_n.
template <class Top>
void set_lines(Top& t, bool row, bool pos, bool neg) {
  t.row_i = row;
  t.col_pos_i = pos;
  t.col_neg_i = neg;
}

// `pulse_skew` perturbs the reference's up pulse: a checker that works must then fail.
template <class P>
RunResult run_crosspoint(uint64_t seed, uint64_t cycles, int32_t pulse_skew = 0) {
  constexpr int W = P::kW;
  constexpr int32_t kMax = ssnn::signed_max(W);
  constexpr int32_t kMin = ssnn::signed_min(W);
  constexpr int32_t kMaxPulse = (1 << (W + 1)) - 1;
  constexpr int32_t kMaxNoise = P::kNoise > 0 ? (1 << P::kNoise) - 1 : 0;
  Sim<typename P::Model> dut;
  auto& t = dut.top();
  Lockstep ls;
  Rng rng(seed);
  RunResult res;
  Coverage& cov = res.cov;
  int32_t w = 0;
  ssnn::SynapseParams sp;
  auto finish = [&] {
    res.cycles = dut.cycles();
    res.mismatch = ls.first();
    return res;
  };
  // A device configuration, as ModelConfig::synapse_params makes them, or arbitrary.
  auto configure = [&] {
    const int mode = static_cast<int>(rng.range(0, 4));
    if (mode == 0) {  // ideal digital device
      sp = {kMin, kMax, 1, 1, 0};
    } else if (mode == 1) {  // finite states: symmetric bounds, one level per pulse
      const int32_t half = static_cast<int32_t>(rng.range(1, kMax));
      const int32_t level = kMax / half;
      sp = {-half * level, half * level, level, level, 0};
    } else if (mode == 2) {  // asymmetry and pulse noise
      const auto up = static_cast<int32_t>(rng.range(1, std::min(kMax, 8)));
      const auto down = static_cast<int32_t>(std::clamp<int64_t>(std::llround(up * (1.0 + rng.range(-90, 300) / 100.0)), 1, kMaxPulse));
      sp = {kMin, kMax, up, down, static_cast<int32_t>(rng.range(0, kMaxNoise))};
    } else {  // anything the ports can carry, including huge pulses and crossed bounds
      auto a = static_cast<int32_t>(rng.range(kMin, kMax));
      auto b = static_cast<int32_t>(rng.range(kMin, kMax));
      if (mode == 3 && a > b) std::swap(a, b);
      sp = {a, b, static_cast<int32_t>(rng.range(0, kMaxPulse)), static_cast<int32_t>(rng.range(0, kMaxPulse)),
            static_cast<int32_t>(rng.range(0, kMaxNoise))};
    }
    set_device(t, sp, W);
  };

  configure();
  t.load_i = 0;
  t.update_i = 0;
  dut.settle();
  ls.set_cycle(dut.cycles());
  if (!ls.check("crosspoint", 0, "weight_o", 0, sext(t.weight_o, W))) return finish();
  while (dut.cycles() < cycles) {
    if (rng.chance(0.001)) configure();
    const bool load = rng.chance(0.003);
    const auto load_weight = static_cast<int32_t>(rng.range(kMin, kMax));
    const bool update = rng.chance(0.9);
    // Rows and columns spike sparsely or densely in runs, which drives weights into the bounds.
    const bool row = rng.chance(0.7);
    const bool pos = rng.chance(0.45);
    const bool neg = rng.chance(0.35);
    const uint32_t word = rng.u32();
    t.load_i = load;
    t.load_weight_i = static_cast<uint32_t>(bits_of(load_weight, W));
    t.update_i = update;
    set_lines(t, row, pos, neg);
    t.noise_word_i = word;
    dut.settle();
    ls.set_cycle(dut.cycles());
    const bool fires = update && !load && row && pos != neg;
    if (!ls.check("crosspoint", 0, "up_o", fires && pos, t.up_o) ||
        !ls.check("crosspoint", 0, "down_o", fires && neg, t.down_o))
      return finish();
    dut.tick();
    if (load) {
      w = load_weight;
      ++cov.loads;
    } else if (update) {
      ssnn::SynapseParams ref_sp = sp;
      ref_sp.pulse_up += pulse_skew;
      const int32_t before = w;
      w = ssnn::coincidence_update(ref_sp, w, row, pos, neg, word);
      if (fires) {
        cov.up += pos;
        cov.down += neg;
        cov.at_max += w == sp.w_max;
        cov.at_min += w == sp.w_min;
        cov.negative_steps += pos ? w < before : w > before;
        cov.noisy += sp.pulse_noise > 0;
      } else {
        cov.cancelled += row && pos && neg;
      }
    }
    ls.set_cycle(dut.cycles());
    if (!ls.check("crosspoint", 0, "weight_o", w, sext(t.weight_o, W))) return finish();
    if (rng.chance(2e-5)) {
      dut.async_reset();
      w = 0;
      ++cov.resets;
      if (!ls.check("crosspoint", 0, "weight_o", w, sext(t.weight_o, W))) return finish();
    }
  }
  return finish();
}

template <class P>
void expect_full_coverage(const RunResult& r, const char* name) {
  const Coverage& c = r.cov;
  const uint64_t noisy = P::kNoise > 0 ? 10000 : 0, against = P::kNoise > 0 ? 100 : 0;  // no noise: none
  expect_corners(r, name, 1'000'000, {{"pulses up", c.up, 10000}, {"pulses down", c.down, 10000},
      {"with noise", c.noisy, noisy}, {"moved against their sign", c.negative_steps, against},
      {"cancelled", c.cancelled, 10000}, {"at w_max", c.at_max, 1000}, {"at w_min", c.at_min, 1000},
      {"loads", c.loads, 1000}, {"resets", c.resets, 5}});
}

TEST(RtlCoincidence, DefaultWidthsMatchGolden) {
  expect_full_coverage<Default>(run_crosspoint<Default>(0x434F494Eu, 2'000'000), "ssnn_coincidence_unit W16 N4");
}

TEST(RtlCoincidence, NarrowWeightsWithLargeNoiseMatchGolden) {
  expect_full_coverage<Narrow>(run_crosspoint<Narrow>(0x4E4F4953u, 1'000'000), "ssnn_coincidence_unit W6 N5");
}

TEST(RtlCoincidence, WideNoiselessMatchesGolden) {
  expect_full_coverage<Wide>(run_crosspoint<Wide>(0x57323430u, 1'000'000), "ssnn_coincidence_unit W24 N0");
}

// Directed: pulses saturate at the bounds and never wrap; simultaneous up and down cancel.
TEST(RtlCoincidence, SaturatesAtTheBoundsAndNeverWraps) {
  Sim<Vcoincidence> dut;
  auto& t = dut.top();
  set_device(t, {-32768, 32767, 1000, 3000, 0}, 16);
  t.load_i = 1;
  t.load_weight_i = 32000;
  dut.tick();
  t.load_i = 0;
  t.update_i = 1;
  set_lines(t, true, true, false);
  dut.tick();
  EXPECT_EQ(sext(t.weight_o, 16), 32767);
  dut.tick();
  EXPECT_EQ(sext(t.weight_o, 16), 32767);
  set_lines(t, true, true, true);  // both columns: cancel
  dut.tick();
  EXPECT_EQ(sext(t.weight_o, 16), 32767);
  set_lines(t, true, false, true);
  for (int i = 0; i < 30; ++i) dut.tick();
  EXPECT_EQ(sext(t.weight_o, 16), -32768);
  set_lines(t, false, true, false);  // no row spike: no pulse
  dut.tick();
  EXPECT_EQ(sext(t.weight_o, 16), -32768);
}

TEST(RtlCoincidence, CheckerCatchesAWrongPulseSize) {
  expect_caught(run_crosspoint<Default>(0x42414421u, 100'000, 1), "signal weight_o:");
}

}  // namespace
