// ssnn_lfsr against ssnn::Lfsr: loads (zero seed included), enables, holds and asynchronous resets.
#include <cstdint>

#include <gtest/gtest.h>

#include "Vlfsr.h"
#include "rtl_sim.hpp"
#include "ssnn/contract/lfsr.hpp"
#include "ssnn_rtl/lockstep.hpp"

namespace {

using ssnn::Lfsr;
using ssnn::rtl::Lockstep;
using ssnn::rtl::test::Rng;
using ssnn::rtl::test::Sim;

// The unit's reference: the golden Lfsr, reset to its default state.
struct LfsrRef {
  Lfsr lfsr;
  void reset() { lfsr = Lfsr{}; }
  void cycle(bool load, uint32_t seed, bool en) {
    if (load) {
      lfsr.load(seed);
    } else if (en) {
      lfsr.next();
    }
  }
};

bool check(Lockstep& ls, Sim<Vlfsr>& dut, const LfsrRef& ref) {
  ls.set_cycle(dut.cycles());
  return ls.check("lfsr", 0, "state_o", ref.lfsr.state, dut->state_o) &&
         ls.check("lfsr", 0, "next_o", Lfsr::next_state(ref.lfsr.state), dut->next_o);
}

TEST(RtlLfsr, ResetStateIsTheGoldenDefault) {
  Sim<Vlfsr> dut;
  EXPECT_EQ(dut->state_o, Lfsr{}.state);
  EXPECT_EQ(dut->next_o, Lfsr::next_state(Lfsr{}.state));
}

TEST(RtlLfsr, ZeroSeedLoadsTheReplacementAndFollowsTheGoldenSequence) {
  Sim<Vlfsr> dut;
  Lfsr ref(0);
  dut->load_i = 1;
  dut->seed_i = 0;
  dut->en_i = 1;  // load wins over enable
  dut.tick();
  EXPECT_EQ(dut->state_o, Lfsr::kZeroSeedReplacement);
  dut->load_i = 0;
  for (int i = 0; i < 1000; ++i) {
    dut.tick();
    ASSERT_EQ(dut->state_o, ref.next()) << "draw " << i;
    ASSERT_NE(dut->state_o, 0u);
  }
}

TEST(RtlLfsr, RandomLoadsEnablesAndResetsMatchGolden) {
  constexpr uint64_t kCycles = 2'000'000;
  Sim<Vlfsr> dut;
  LfsrRef ref;
  Lockstep ls;
  Rng rng(0x4C465352u);
  const uint32_t corner_seeds[] = {0u, 1u, 0x80000000u, 0xFFFFFFFFu, Lfsr::kZeroSeedReplacement, 0x00010000u};
  uint64_t loads = 0, zero_loads = 0, resets = 0, advances = 0;
  ASSERT_TRUE(check(ls, dut, ref));
  while (dut.cycles() < kCycles) {
    if (rng.chance(1e-4)) {
      dut.async_reset();
      ref.reset();
      ++resets;
      ASSERT_TRUE(check(ls, dut, ref)) << ls.first()->message();
    }
    const bool load = rng.chance(0.002);
    const uint32_t seed = rng.chance(0.3) ? rng.pick(corner_seeds) : rng.u32();
    const bool en = rng.chance(0.8);
    dut->load_i = load;
    dut->seed_i = seed;
    dut->en_i = en;
    dut.settle();
    ASSERT_TRUE(check(ls, dut, ref)) << ls.first()->message();  // next_o is combinational
    dut.tick();
    ref.cycle(load, seed, en);
    loads += load;
    zero_loads += load && seed == 0;
    advances += !load && en;
    ASSERT_TRUE(check(ls, dut, ref)) << ls.first()->message();
  }
  EXPECT_GT(zero_loads, 0u);
  EXPECT_GT(resets, 10u);
  RecordProperty("cycles", static_cast<int>(dut.cycles()));
  std::printf("ssnn_lfsr: %llu cycles, %llu advances, %llu loads (%llu zero), %llu resets, %llu checks\n",
              static_cast<unsigned long long>(dut.cycles()), static_cast<unsigned long long>(advances),
              static_cast<unsigned long long>(loads), static_cast<unsigned long long>(zero_loads),
              static_cast<unsigned long long>(resets), static_cast<unsigned long long>(ls.checks()));
}

}  // namespace
