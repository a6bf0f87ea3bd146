// Known-value and property tests of the per-cross-point update rules (contract/synapse.hpp): the
// coincidence update with its device noise and the rate update, bit for bit what the SystemC model
// and the RTL compute.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <random>

#include "ssnn/contract/synapse.hpp"

using namespace ssnn;

// ------------------------------------------------------------------------------ coincidence update

TEST(Coincidence, PulsesOnlyWithRowAndOneColumn) {
  SynapseParams p;
  p.pulse_up = 3;
  p.pulse_down = 5;
  EXPECT_EQ(coincidence_update(p, 100, false, true, false), 100);  // no row
  EXPECT_EQ(coincidence_update(p, 100, false, false, true), 100);
  EXPECT_EQ(coincidence_update(p, 100, true, false, false), 100);  // no column
  EXPECT_EQ(coincidence_update(p, 100, true, true, true), 100);    // up and down cancel
  EXPECT_EQ(coincidence_update(p, 100, true, true, false), 103);   // up pulse
  EXPECT_EQ(coincidence_update(p, 100, true, false, true), 95);    // down pulse (asymmetric)
  // Without a row nothing moves whatever the noise word says.
  p.pulse_noise = 2;
  EXPECT_EQ(coincidence_update(p, 100, false, true, false, 0xFFFFFFFFu), 100);
}

TEST(Coincidence, SaturatesAtTheBounds) {
  SynapseParams p;
  p.w_min = -1000;
  p.w_max = 1000;
  p.pulse_up = 7;
  p.pulse_down = 7;
  int32_t w = 990;
  for (int i = 0; i < 5; ++i) w = coincidence_update(p, w, true, true, false);
  EXPECT_EQ(w, 1000);
  w = -995;
  for (int i = 0; i < 5; ++i) w = coincidence_update(p, w, true, false, true);
  EXPECT_EQ(w, -1000);
  // Full 16-bit register: never wraps.
  SynapseParams q;
  q.pulse_up = q.pulse_down = 100;
  EXPECT_EQ(coincidence_update(q, 32700, true, true, false), 32767);
  EXPECT_EQ(coincidence_update(q, -32700, true, false, true), -32768);
}

TEST(Coincidence, AsymmetryBiasesBalancedPulses) {
  SynapseParams p;
  p.pulse_up = 2;
  p.pulse_down = 3;
  int32_t w = 0;
  for (int i = 0; i < 100; ++i) {
    w = coincidence_update(p, w, true, true, false);
    w = coincidence_update(p, w, true, false, true);
  }
  EXPECT_EQ(w, -100);  // equal numbers of up and down pulses drift down by 1 each pair
}

TEST(Coincidence, NoiseVariationIsBoundedAndCentred) {
  for (int32_t n : {1, 2, 5}) {
    SynapseParams p;
    p.pulse_up = 8;
    p.pulse_down = 8;
    p.pulse_noise = n;
    std::map<int32_t, int> seen_up, seen_down;
    double sum = 0;
    const int draws = 20000;
    for (int i = 0; i < draws; ++i) {
      const uint32_t word = device_noise_word(0x1234, static_cast<uint32_t>(i / 100), static_cast<uint32_t>(i % 100), 7);
      const int32_t up = coincidence_update(p, 0, true, true, false, word) - 0;
      const int32_t down = 0 - coincidence_update(p, 0, true, false, true, word);
      ASSERT_GE(up, 8 - n);
      ASSERT_LE(up, 8 + n);
      ASSERT_GE(down, 8 - n);
      ASSERT_LE(down, 8 + n);
      ASSERT_EQ(up - 8, pulse_variation(word, n));
      ++seen_up[up];
      ++seen_down[down];
      sum += up;
    }
    EXPECT_EQ(static_cast<int>(seen_up.size()), 2 * n + 1) << "every size in [pulse-n, pulse+n] occurs";
    // Uniform on 2n+1 values: mean 8, std of the mean sqrt((n(n+1)/3) / draws).
    const double sigma = std::sqrt(n * (n + 1) / 3.0 / draws);
    EXPECT_NEAR(sum / draws, 8.0, 4 * sigma);
    for (const auto& [size, count] : seen_up) {
      const double expect = static_cast<double>(draws) / (2 * n + 1);
      EXPECT_NEAR(count, expect, 4 * std::sqrt(expect)) << "size " << size;
    }
  }
  // No noise configured: the word is ignored.
  SynapseParams p;
  EXPECT_EQ(coincidence_update(p, 0, true, true, false, 0xDEADBEEFu), 1);
  EXPECT_EQ(pulse_variation(0xDEADBEEFu, 0), 0);
}

TEST(Coincidence, DeviceNoiseWordDependsOnlyOnItsCoordinates) {
  EXPECT_EQ(device_noise_word(5, 1, 2, 3), device_noise_word(5, 1, 2, 3));
  EXPECT_NE(device_noise_word(5, 1, 2, 3), device_noise_word(5, 1, 3, 2));
  EXPECT_NE(device_noise_word(5, 1, 2, 3), device_noise_word(5, 2, 2, 3));
  EXPECT_NE(device_noise_word(5, 1, 2, 3), device_noise_word(6, 1, 2, 3));
}

// ------------------------------------------------------------------------------ rate update

TEST(RateUpdate, RoundsToNearestWithSign) {
  SynapseParams p;  // pulse 1 up and down
  EXPECT_EQ(rate_update(p, 0, 3, 5, 0, 10), 2);    // 1.5 -> 2
  EXPECT_EQ(rate_update(p, 0, 3, 0, 5, 10), -2);   // -1.5 -> -2 (symmetric)
  EXPECT_EQ(rate_update(p, 0, 7, 2, 0, 10), 1);    // 1.4 -> 1
  EXPECT_EQ(rate_update(p, 0, 7, 0, 2, 10), -1);
  EXPECT_EQ(rate_update(p, 0, 4, 1, 0, 10), 0);    // 0.4 -> 0
  EXPECT_EQ(rate_update(p, 0, 4, 0, 1, 10), 0);
  EXPECT_EQ(rate_update(p, 0, 10, 4, 4, 10), 0);   // balanced
  EXPECT_EQ(rate_update(p, 0, 0, 9, 0, 10), 0);    // no row activity
  EXPECT_EQ(rate_update(p, 50, 10, 10, 0, 10), 60);
}

TEST(RateUpdate, EqualsRoundedExpectedCoincidences) {
  std::mt19937 rng(37);
  for (int i = 0; i < 100000; ++i) {
    const int32_t T = std::uniform_int_distribution<int32_t>(1, 300)(rng);
    std::uniform_int_distribution<int32_t> cnt(0, T);
    SynapseParams p;
    p.pulse_up = std::uniform_int_distribution<int32_t>(1, 20)(rng);
    p.pulse_down = std::uniform_int_distribution<int32_t>(1, 20)(rng);
    const int32_t nx = cnt(rng), np = cnt(rng), nn = cnt(rng);
    const int32_t w = std::uniform_int_distribution<int32_t>(-32768, 32767)(rng);
    const int64_t num = int64_t{nx} * (int64_t{p.pulse_up} * np - int64_t{p.pulse_down} * nn);
    // Round half away from zero of num / T, by exact integer reasoning.
    const int64_t mag = (std::llabs(num) * 2 + T) / (2 * T);
    const int64_t delta = num < 0 ? -mag : mag;
    const int64_t expect = std::clamp<int64_t>(w + delta, p.w_min, p.w_max);
    ASSERT_EQ(rate_update(p, w, nx, np, nn, T), expect)
        << "nx " << nx << " np " << np << " nn " << nn << " T " << T << " w " << w;
    // The rounded result is within 1/2 of the exact product (when it does not saturate).
    if (expect > p.w_min && expect < p.w_max) {
      ASSERT_LE(std::abs(static_cast<double>(expect - w) - static_cast<double>(num) / T), 0.5 + 1e-9);
    }
  }
}

TEST(RateUpdate, Saturates) {
  SynapseParams p;
  p.w_min = -100;
  p.w_max = 100;
  p.pulse_up = p.pulse_down = 10;
  EXPECT_EQ(rate_update(p, 90, 50, 50, 0, 50), 100);
  EXPECT_EQ(rate_update(p, -90, 50, 0, 50, 50), -100);
}
