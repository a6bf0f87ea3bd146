// ssnn_rate_lane against rate_update: random counts, pulses, bounds and T (rounding halves, negative
// numerators, saturation), at the default, a narrow and the shipped weight width; and the reciprocal
// that makes the lane divide by T exactly.
#include <algorithm>
#include <cstdint>
#include <random>

#include <gtest/gtest.h>
#include <verilated.h>

#include "Vrate_lane.h"
#include "Vrate_lane_narrow.h"
#include "Vrate_lane_wide.h"
#include "ssnn/contract/fixed_point.hpp"
#include "ssnn/contract/shipped_widths.hpp"
#include "ssnn/contract/synapse.hpp"
#include "ssnn/contract/widths.hpp"
#include "ssnn_rtl/bits.hpp"

namespace {

using ssnn::rtl::ceil_pow2_div;
using ssnn::rtl::field;
using ssnn::rtl::set_words;

struct Default {
  using Model = Vrate_lane;
  static constexpr int kW = ssnn::kWeightBits, kR = 8;
};
struct Narrow {
  using Model = Vrate_lane_narrow;
  static constexpr int kW = 6, kR = 4;
};
struct Wide {
  using Model = Vrate_lane_wide;
  static constexpr int kW = ssnn::kShippedWeightBits, kR = 17;
};

// Returns the number of cross-points that moved (the test asks for many).
template <class P>
uint64_t run_lane(uint64_t seed, int n) {
  constexpr int W = P::kW, R = P::kR;
  constexpr int kRecipBits = W + 3 * R + 3;
  const int32_t w_lo = ssnn::signed_min(W), w_hi = ssnn::signed_max(W);
  const int32_t max_pulse = (1 << (W + 1)) - 1;
  const int32_t max_t = (1 << R) - 1;
  VerilatedContext ctx;
  typename P::Model t(&ctx);
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  uint64_t moved = 0;
  int32_t timesteps = 0;
  for (int i = 0; i < n; ++i) {
    if (i % 64 == 0) {  // a new T: small ones often (many halves to round), up to the counters' limit
      timesteps = static_cast<int32_t>(uniform(0, 3) == 0 ? uniform(1, 4) : uniform(1, max_t));
      set_words(t.recip_i, 0, kRecipBits, ceil_pow2_div(kRecipBits - 1, static_cast<uint32_t>(timesteps)));
      t.half_i = static_cast<uint32_t>(timesteps / 2);
    }
    ssnn::SynapseParams p;
    const bool big = uniform(0, 4) == 0;  // pulses up to what the registers hold
    p.pulse_up = static_cast<int32_t>(big ? uniform(1, max_pulse) : uniform(1, std::min(max_pulse, 16)));
    p.pulse_down = static_cast<int32_t>(big ? uniform(1, max_pulse) : uniform(1, std::min(max_pulse, 16)));
    p.w_min = w_lo;
    p.w_max = w_hi;
    if (uniform(0, 3) == 0) {  // device bounds inside the register
      p.w_min = static_cast<int32_t>(uniform(w_lo, 0));
      p.w_max = static_cast<int32_t>(uniform(0, w_hi));
    }
    const auto w = static_cast<int32_t>(uniform(p.w_min, p.w_max));
    auto count = [&] { return static_cast<int32_t>(uniform(0, 5) == 0 ? 0 : uniform(1, timesteps)); };
    const int32_t nx = count(), np = count(), nn = count();
    t.weight_i = field(w, W);
    t.n_x_i = static_cast<uint32_t>(nx);
    t.n_pos_i = static_cast<uint32_t>(np);
    t.n_neg_i = static_cast<uint32_t>(nn);
    t.w_min_i = field(p.w_min, W);
    t.w_max_i = field(p.w_max, W);
    t.pulse_up_i = static_cast<uint32_t>(p.pulse_up);
    t.pulse_down_i = static_cast<uint32_t>(p.pulse_down);
    t.eval();
    // The golden model and the SystemC tile visit only rows and columns that spiked.
    const int32_t expected = nx == 0 || (np == 0 && nn == 0) ? w : ssnn::rate_update(p, w, nx, np, nn, timesteps);
    const auto rtl = static_cast<int32_t>(ssnn::rtl::sext(t.weight_o, W));
    if (rtl != expected) {
      ADD_FAILURE() << "case " << i << ": w " << w << ", n_x " << nx << ", n_p " << np << ", n_n " << nn << ", T "
                    << timesteps << ", pulses " << p.pulse_up << "/" << p.pulse_down << ", bounds " << p.w_min << ".."
                    << p.w_max << ": rate_update " << expected << ", RTL " << rtl;
      return moved;
    }
    moved += rtl != w;
  }
  t.final();
  return moved;
}

TEST(RtlRateLane, DefaultWidthEqualsRateUpdate) { EXPECT_GT(run_lane<Default>(1, 200000), 100000u); }
TEST(RtlRateLane, NarrowWidthSaturatesLikeRateUpdate) { EXPECT_GT(run_lane<Narrow>(2, 200000), 100000u); }
TEST(RtlRateLane, ShippedWidthUpToLongSamplesEqualsRateUpdate) { EXPECT_GT(run_lane<Wide>(3, 200000), 100000u); }

// The reciprocal is ceil(2^e / d): spot values and the identity d * q - 2^e in [0, d).
TEST(RtlRateLane, ReciprocalIsTheCeilingOfThePowerOverT) {
  EXPECT_EQ(ceil_pow2_div(10, 3), std::vector<uint32_t>({342}));
  EXPECT_EQ(ceil_pow2_div(10, 1), std::vector<uint32_t>({1024}));
  EXPECT_EQ(ceil_pow2_div(40, 7), std::vector<uint32_t>({0x92492493u, 0x24u}));  // 157,073,089,683
  EXPECT_EQ(ceil_pow2_div(64, 1), std::vector<uint32_t>({0u, 0u, 1u}));
}

}  // namespace
