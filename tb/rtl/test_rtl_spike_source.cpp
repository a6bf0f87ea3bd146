// ssnn_spike_source against the golden encoder: bernoulli(lfsr, pixel_prob_q16(pixel, ramp)).
#include <cstdint>

#include <gtest/gtest.h>

#include "Vspike_source.h"
#include "rtl_sim.hpp"
#include "ssnn/contract/encoder.hpp"
#include "ssnn/contract/lfsr.hpp"
#include "ssnn/contract/seeding.hpp"
#include "ssnn_rtl/lockstep.hpp"

namespace {

using ssnn::Lfsr;
using ssnn::rtl::Lockstep;
using ssnn::rtl::test::Rng;
using ssnn::rtl::test::Sim;

constexpr int kRampBits = 17;

// Reference of the unit's protocol built from the golden functions.
struct SourceRef {
  Lfsr lfsr;
  bool spike = false;
  void reset() {
    lfsr = Lfsr{};
    spike = false;
  }
  void cycle(bool load, uint32_t seed, bool step, uint8_t pixel, uint32_t ramp) {
    if (load) {
      lfsr.load(seed);
      spike = false;
    } else if (step) {
      spike = ssnn::bernoulli(lfsr, ssnn::pixel_prob_q16(pixel, ramp));
    }
  }
};

struct Stats {
  uint64_t draws = 0, spikes = 0, loads = 0, zero_seeds = 0, resets = 0;
};

bool check_regs(Lockstep& ls, Sim<Vspike_source>& dut, const SourceRef& ref) {
  ls.set_cycle(dut.cycles());
  return ls.check("spike_source", 0, "spike_o", ref.spike, dut->spike_o) &&
         ls.check("spike_source", 0, "state_o", ref.lfsr.state, dut->state_o);
}

// Drives one cycle and checks the combinational probability before the edge and the registers after.
::testing::AssertionResult drive(Lockstep& ls, Sim<Vspike_source>& dut, SourceRef& ref, Stats& st, bool load,
                                 uint32_t seed, bool step, uint8_t pixel, uint32_t ramp) {
  dut->load_i = load;
  dut->seed_i = seed;
  dut->step_i = step;
  dut->pixel_i = pixel;
  dut->ramp_i = ramp;
  dut.settle();
  ls.set_cycle(dut.cycles());
  if (!ls.check("spike_source", 0, "prob_o", ssnn::pixel_prob_q16(pixel, ramp), dut->prob_o))
    return ::testing::AssertionFailure() << ls.first()->message();
  dut.tick();
  ref.cycle(load, seed, step, pixel, ramp);
  st.loads += load;
  st.zero_seeds += load && seed == 0;
  st.draws += !load && step;
  st.spikes += !load && step && ref.spike;
  if (!check_regs(ls, dut, ref)) return ::testing::AssertionFailure() << ls.first()->message();
  return ::testing::AssertionSuccess();
}

// Whole samples as the golden model encodes them: seeds from the seeding rule, the front-loaded or
// flat ramp of input_ramp_q16 per step, idle cycles between draws, resets and reloads mid-sample.
TEST(RtlSpikeSource, EncodedSamplesMatchGoldenEncoder) {
  constexpr uint64_t kCycles = 1'200'000;
  Sim<Vspike_source> dut;
  SourceRef ref;
  Lockstep ls;
  Stats st;
  Rng rng(0x454E434Fu);
  const uint8_t corner_pixels[] = {0, 1, 127, 128, 254, 255};
  uint64_t sample = 0;
  while (dut.cycles() < kCycles) {
    const uint64_t key = ssnn::sample_key(7, ssnn::Phase::kTrain, 0, sample++);
    const int timesteps = static_cast<int>(rng.range(1, 400));
    const auto profile = rng.chance(0.5) ? ssnn::InputProfile::kFrontLoaded : ssnn::InputProfile::kFlat;
    const uint32_t rate = ssnn::prob_to_q16(static_cast<double>(rng.range(1, 500)) / 1000.0);
    const uint8_t pixel = rng.chance(0.3) ? rng.pick(corner_pixels) : static_cast<uint8_t>(rng.range(0, 255));
    const uint32_t seed = rng.chance(0.01) ? 0u : ssnn::stream_seed(key, rng.range(0, 783));
    ASSERT_TRUE(drive(ls, dut, ref, st, true, seed, false, pixel, 0));
    for (int t = 0; t < timesteps; ++t) {
      const uint32_t ramp = ssnn::input_ramp_q16(rate, t, timesteps, profile);
      ASSERT_TRUE(drive(ls, dut, ref, st, false, 0, true, pixel, ramp));
      const int idle = static_cast<int>(rng.range(0, 3));
      for (int i = 0; i < idle; ++i) ASSERT_TRUE(drive(ls, dut, ref, st, false, rng.u32(), false, pixel, ramp));
      if (rng.chance(1e-4)) {
        dut.async_reset();
        ref.reset();
        ++st.resets;
        ASSERT_TRUE(check_regs(ls, dut, ref)) << ls.first()->message();
      }
    }
  }
  EXPECT_GT(st.spikes, st.draws / 20);
  EXPECT_GT(st.zero_seeds, 0u);
  std::printf("ssnn_spike_source (samples): %llu cycles, %llu draws, %llu spikes, %llu loads, %llu resets\n",
              static_cast<unsigned long long>(dut.cycles()), static_cast<unsigned long long>(st.draws),
              static_cast<unsigned long long>(st.spikes), static_cast<unsigned long long>(st.loads),
              static_cast<unsigned long long>(st.resets));
}

// Unconstrained cycles: any pixel, any 17-bit ramp (beyond 1.0 too), loads racing draws.
TEST(RtlSpikeSource, RandomPixelsRampsAndSeedsMatchGolden) {
  constexpr uint64_t kCycles = 1'000'000;
  Sim<Vspike_source> dut;
  SourceRef ref;
  Lockstep ls;
  Stats st;
  Rng rng(0x52414E44u);
  const uint32_t corner_ramps[] = {0u, 1u, 255u, 256u, 0x8000u, 0xFFFFu, 0x10000u, (1u << kRampBits) - 1};
  while (dut.cycles() < kCycles) {
    const bool load = rng.chance(0.001);
    const uint32_t seed = rng.chance(0.2) ? 0u : rng.u32();
    const bool step = rng.chance(0.7);
    const auto pixel = static_cast<uint8_t>(rng.range(0, 255));
    const uint32_t ramp = rng.chance(0.2) ? rng.pick(corner_ramps) : static_cast<uint32_t>(rng.range(0, (1 << kRampBits) - 1));
    ASSERT_TRUE(drive(ls, dut, ref, st, load, seed, step, pixel, ramp));
  }
  std::printf("ssnn_spike_source (random): %llu cycles, %llu draws, %llu spikes\n",
              static_cast<unsigned long long>(dut.cycles()), static_cast<unsigned long long>(st.draws),
              static_cast<unsigned long long>(st.spikes));
}

// The label encoder is the same unit at full pixel: prob == ramp, i.e. the plain bernoulli(label_q16).
TEST(RtlSpikeSource, FullPixelIsThePlainLabelBernoulli) {
  Sim<Vspike_source> dut;
  const uint64_t key = ssnn::sample_key(3, ssnn::Phase::kTrain, 1, 42);
  for (const double rate : {0.5, 1.0, 0.1}) {
    const uint32_t label_q16 = ssnn::prob_to_q16(rate);
    Lfsr label(ssnn::stream_seed(key, ssnn::stream::kLabel));
    dut->load_i = 1;
    dut->seed_i = ssnn::stream_seed(key, ssnn::stream::kLabel);
    dut.tick();
    dut->load_i = 0;
    dut->step_i = 1;
    dut->pixel_i = 255;
    dut->ramp_i = label_q16;
    int spikes = 0;
    for (int t = 0; t < 5000; ++t) {
      dut.tick();
      const bool expected = ssnn::bernoulli(label, label_q16);
      ASSERT_EQ(dut->prob_o, label_q16);
      ASSERT_EQ(static_cast<bool>(dut->spike_o), expected) << "rate " << rate << " step " << t;
      spikes += expected;
    }
    if (rate == 1.0) {
      EXPECT_EQ(spikes, 5000);
    }
  }
}

}  // namespace
