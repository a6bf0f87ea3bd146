// Known-value and property tests of the per-neuron step rules (contract/neuron.hpp,
// contract/fixed_point.hpp): the contract the SystemC model and the RTL match bit for bit.  The
// cross-point rules (contract/synapse.hpp) are tested in test_synapse.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "ssnn/contract/fixed_point.hpp"
#include "ssnn/contract/neuron.hpp"

using namespace ssnn;

namespace {

// The reference: round-half-up multiply by a Q0.16 fraction in 64-bit arithmetic.
int64_t mul_q16_ref(int64_t value, uint64_t frac) {
  const int64_t prod = value * static_cast<int64_t>(frac) + 32768;
  // floor division by 2^16 (well-defined for negative numbers, unlike a plain '/').
  return prod >= 0 ? prod / 65536 : -((-prod + 65535) / 65536);
}

NeuronParams unfiltered(int charge_bits = 24, int potential_bits = 24) {
  return NeuronParams{1u << kBetaBits, charge_bits, potential_bits};
}

}  // namespace

// ------------------------------------------------------------------------------ fixed point

TEST(FixedPoint, RegisterBounds) {
  EXPECT_EQ(signed_max(8), 127);
  EXPECT_EQ(signed_min(8), -128);
  EXPECT_EQ(signed_max(16), 32767);
  EXPECT_EQ(signed_min(16), -32768);
  EXPECT_EQ(signed_max(32), INT32_MAX);
  EXPECT_EQ(signed_min(32), INT32_MIN);
  EXPECT_EQ(saturate(1000, 8), 127);
  EXPECT_EQ(saturate(-1000, 8), -128);
  EXPECT_EQ(saturate(-5, 8), -5);
  EXPECT_EQ(saturate(int64_t{1} << 40, 30), (1 << 29) - 1);
  EXPECT_EQ(saturate32(200, 8), 127);
  EXPECT_EQ(saturate32(-200, 8), -128);
  EXPECT_EQ(clamp_to(50, -10, 20), 20);
  EXPECT_EQ(clamp_to(-50, -10, 20), -10);
  EXPECT_EQ(clamp_to(7, -10, 20), 7);
}

TEST(FixedPoint, MulQ16EdgeValues) {
  const int32_t values[] = {0,       1,        -1,        2,          -2,          32767,     -32768,   32768,
                            -32769,  65535,    -65535,    65536,      -65536,      0x7FFF,    0x8000,   -0x8000,
                            1 << 29, -(1 << 29), (1 << 30) - 1, -(1 << 30) + 1, 123456789, -123456789};
  const uint32_t fracs[] = {0, 1, 2, 0x7FFF, 0x8000, 0x8001, 0xFFFE, 0xFFFF, 0x10000, 6472, 12345};
  for (int32_t v : values) {
    for (uint32_t f : fracs) {
      ASSERT_EQ(mul_q16(v, f), mul_q16_ref(v, f)) << "value " << v << " frac " << f;
    }
  }
  // Known values: x * 1 = x, x * 0 = 0, halves round up (towards +infinity).
  EXPECT_EQ(mul_q16(12345, 0x10000), 12345);
  EXPECT_EQ(mul_q16(-12345, 0x10000), -12345);
  EXPECT_EQ(mul_q16(-12345, 0), 0);
  EXPECT_EQ(mul_q16(1, 0x8000), 1);    // 0.5 -> 1
  EXPECT_EQ(mul_q16(-1, 0x8000), 0);   // -0.5 -> 0
  EXPECT_EQ(mul_q16(3, 0x8000), 2);    // 1.5 -> 2
  EXPECT_EQ(mul_q16(-3, 0x8000), -1);  // -1.5 -> -1
  EXPECT_EQ(mul_q16(100, 0x4000), 25);
  EXPECT_EQ(mul_q16(-100, 0x4000), -25);
}

TEST(FixedPoint, MulQ16MatchesWideFormulaOnRandomValues) {
  std::mt19937_64 rng(20240501);
  std::uniform_int_distribution<int32_t> value(-(1 << 30) + 1, (1 << 30) - 1);
  std::uniform_int_distribution<int32_t> small(-70000, 70000);
  std::uniform_int_distribution<uint32_t> frac(0, 1u << 16);
  for (int i = 0; i < 200000; ++i) {
    const int32_t v = (i & 1) ? value(rng) : small(rng);
    const uint32_t f = frac(rng);
    ASSERT_EQ(mul_q16(v, f), mul_q16_ref(v, f)) << "value " << v << " frac " << f;
  }
}

// ------------------------------------------------------------------------------ filter / kernel

TEST(Filter, BetaFromTau) {
  for (int T : {10, 20, 50, 100, 200, 1000}) {
    const double beta = 1.0 - std::exp(-10.0 / T);  // tau = T / 10
    const uint32_t q = filter_beta_q16(T, 10.0);
    EXPECT_NEAR(static_cast<double>(q), beta * 65536.0, 0.5 + 1e-9) << "T=" << T;
  }
  // Bounds: never 0 (the charge would never reach the membrane), never above 1.
  EXPECT_EQ(filter_beta_q16(100000, 0.001), 1u);      // tau = 1e8 steps
  EXPECT_EQ(filter_beta_q16(1, 1e6), 1u << 16);       // tau = 1e-6 steps: no filtering
}

TEST(Filter, StepMatchesDefinition) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> in(-100000, 100000);
  std::uniform_int_distribution<uint32_t> beta(1, 1u << 16);
  for (int i = 0; i < 20000; ++i) {
    const NeuronParams p{beta(rng), 24, 24};
    const int32_t charge = in(rng) * 8;
    const int32_t input = in(rng);
    const FilterStep f = filter_step(p, charge, input);
    const int64_t filled = std::clamp<int64_t>(int64_t{charge} + input, signed_min(24), signed_max(24));
    ASSERT_EQ(f.transfer, mul_q16_ref(filled, p.beta_q16));
    ASSERT_EQ(f.charge + f.transfer, filled);
  }
}

TEST(Filter, ChargeIsConserved) {
  std::mt19937 rng(11);
  for (uint32_t beta : {filter_beta_q16(50, 10.0), filter_beta_q16(100, 10.0), filter_beta_q16(1000, 10.0), 1u,
                        1u << 15, 1u << 16}) {
    const NeuronParams p{beta, 24, 24};
    std::uniform_int_distribution<int32_t> in(-20000, 20000);
    int32_t charge = 0;
    int64_t total_in = 0, total_out = 0;
    for (int t = 0; t < 5000; ++t) {
      const int32_t input = (t % 3 == 0) ? in(rng) : 0;  // sparse inputs of both signs
      const FilterStep f = filter_step(p, charge, input);
      total_in += input;
      total_out += f.transfer;
      charge = f.charge;
      ASSERT_EQ(total_out + charge, total_in) << "beta " << beta << " step " << t;
    }
  }
}

TEST(Filter, ResidualIsBoundedWhenInputStops) {
  // After the input stops, the charge drains until beta * charge rounds to zero: |residual| <= 2^15/beta.
  for (int T : {20, 50, 100, 200}) {
    const NeuronParams p{filter_beta_q16(T, 10.0), 24, 24};
    for (int32_t q : {1000, -1000, 123457, -98765}) {
      int32_t charge = 0;
      int64_t out = 0;
      for (int t = 0; t < 20 * T; ++t) {
        const FilterStep f = filter_step(p, charge, t == 0 ? q : 0);
        out += f.transfer;
        charge = f.charge;
      }
      EXPECT_LE(std::abs(charge), 32768.0 / p.beta_q16 + 1) << "T=" << T << " q=" << q;
      EXPECT_EQ(out + charge, q);
    }
  }
}

TEST(Filter, KernelFollowsEps) {
  // A single input's cumulative transfer follows q * eps[k], eps[k] = 1 - (1 - beta)^(k + 1), from its
  // own step on (k = 0 is the step of the input), within the accumulated rounding.
  for (int T : {10, 20, 50, 100, 200}) {
    const uint32_t bq = filter_beta_q16(T, 10.0);
    const NeuronParams p{bq, 24, 24};
    const double beta = bq / 65536.0;
    for (int32_t q : {1024, 5000, 65536, -4096, 1 << 20}) {
      int32_t charge = 0;
      int64_t cumulative = 0;
      for (int k = 0; k < T; ++k) {
        const FilterStep f = filter_step(p, charge, k == 0 ? q : 0);
        charge = f.charge;
        cumulative += f.transfer;
        const double eps = 1.0 - std::pow(1.0 - beta, k + 1);
        // Each step's rounding error is <= 1/2 and decays by (1 - beta): |error| <= min((k+1)/2, 1/(2 beta)).
        const double tol = std::min(0.5 * (k + 1), 0.5 / beta) + 1e-6;
        ASSERT_NEAR(static_cast<double>(cumulative), q * eps, tol) << "T=" << T << " q=" << q << " k=" << k;
      }
      // And the filtered kernel is the discretisation of 1 - exp(-t/tau), tau = T/10, up to beta's rounding.
      const double eps_cont = 1.0 - std::exp(-10.0 * T / T);
      EXPECT_NEAR(static_cast<double>(cumulative) / q, eps_cont, 0.002 + std::abs(0.5 / beta / q));
    }
  }
  // Transfer already in the input's own step (no per-layer delay).
  const NeuronParams p{filter_beta_q16(50, 10.0), 24, 24};
  EXPECT_GT(filter_step(p, 0, 1024).transfer, 0);
}

TEST(Filter, ChargeRegisterSaturates) {
  const NeuronParams p{1u << 15, 10, 24};  // charge in [-512, 511]
  FilterStep f = filter_step(p, 0, 100000);
  EXPECT_EQ(f.charge + f.transfer, 511);
  f = filter_step(p, 0, -100000);
  EXPECT_EQ(f.charge + f.transfer, -512);
}

// ------------------------------------------------------------------------------ forward neuron

TEST(ForwardNeuron, IntegratesBelowThreshold) {
  const NeuronParams p = unfiltered();
  ForwardState s;
  for (int t = 0; t < 9; ++t) {
    const ForwardStep r = forward_step(p, s, 100, 1000);
    EXPECT_FALSE(r.spike);
    s = r.next;
  }
  EXPECT_EQ(s.potential, 900);
  const ForwardStep r = forward_step(p, s, 100, 1000);
  EXPECT_TRUE(r.spike);  // reaching theta exactly fires
  EXPECT_EQ(r.next.potential, 0);
}

TEST(ForwardNeuron, SubtractiveResetAndOneSpikePerStep) {
  const NeuronParams p = unfiltered();
  // 3.5 thresholds arrive at once: one spike per step, the surplus carries over.
  ForwardStep r = forward_step(p, ForwardState{}, 3500, 1000);
  EXPECT_TRUE(r.spike);
  EXPECT_EQ(r.next.potential, 2500);
  r = forward_step(p, r.next, 0, 1000);
  EXPECT_TRUE(r.spike);
  EXPECT_EQ(r.next.potential, 1500);
  r = forward_step(p, r.next, 0, 1000);
  EXPECT_TRUE(r.spike);
  EXPECT_EQ(r.next.potential, 500);
  r = forward_step(p, r.next, 0, 1000);
  EXPECT_FALSE(r.spike);
  EXPECT_EQ(r.next.potential, 500);
}

TEST(ForwardNeuron, RateIsReluOverTheta) {
  // Constant drive: the spike count over T steps is floor(T * input / theta) (subtractive reset keeps the
  // remainder), and zero for negative drive: the ReLU rate code.
  const NeuronParams p = unfiltered();
  const int T = 200;
  for (int32_t input : {-300, 0, 1, 99, 100, 250, 333, 999, 1000}) {
    ForwardState s;
    int spikes = 0;
    for (int t = 0; t < T; ++t) {
      const ForwardStep r = forward_step(p, s, input, 1000);
      spikes += r.spike;
      s = r.next;
    }
    EXPECT_EQ(spikes, input > 0 ? T * input / 1000 : 0) << "input " << input;
  }
}

TEST(ForwardNeuron, FilteredDriveConservesCharge) {
  // With the kernel on, every input eventually reaches the membrane: spikes*theta + potential + charge
  // equals the total input.
  const NeuronParams p{filter_beta_q16(50, 10.0), 24, 24};
  std::mt19937 rng(3);
  std::uniform_int_distribution<int32_t> in(-300, 900);
  ForwardState s;
  int64_t total = 0, spikes = 0;
  for (int t = 0; t < 500; ++t) {
    const int32_t input = in(rng);
    total += input;
    const ForwardStep r = forward_step(p, s, input, 1024);
    spikes += r.spike;
    s = r.next;
    ASSERT_EQ(spikes * 1024 + s.potential + s.charge, total);
  }
  EXPECT_GT(spikes, 0);
}

TEST(ForwardNeuron, NegativePotentialsMustBeMadeUp) {
  const NeuronParams p = unfiltered();
  ForwardStep r = forward_step(p, ForwardState{}, -2500, 1000);
  EXPECT_FALSE(r.spike);
  EXPECT_EQ(r.next.potential, -2500);
  int steps = 0;
  while (!r.spike) {
    r = forward_step(p, r.next, 500, 1000);
    ++steps;
  }
  EXPECT_EQ(steps, 7);  // -2500 + 7 * 500 = 1000
  EXPECT_EQ(r.next.potential, 0);
}

TEST(ForwardNeuron, PotentialSaturatesAtRegisterBounds) {
  const NeuronParams p = unfiltered(24, 10);  // potential in [-512, 511]
  ForwardStep r = forward_step(p, ForwardState{}, 100000, 500);
  EXPECT_TRUE(r.spike);
  EXPECT_EQ(r.next.potential, 511 - 500);  // saturated at 511, then reset by subtraction
  r = forward_step(p, ForwardState{}, -100000, 500);
  EXPECT_FALSE(r.spike);
  EXPECT_EQ(r.next.potential, -512);
  r = forward_step(p, r.next, -100000, 500);
  EXPECT_EQ(r.next.potential, -512);  // stays at the bound, never wraps
  // A saturated potential with theta at the register's maximum still fires.
  r = forward_step(p, ForwardState{}, 100000, 511);
  EXPECT_TRUE(r.spike);
  EXPECT_EQ(r.next.potential, 0);
}

TEST(ForwardNeuron, IntegrateMatchesStepWithoutFiring) {
  const NeuronParams p{filter_beta_q16(30, 10.0), 20, 20};
  std::mt19937 rng(5);
  std::uniform_int_distribution<int32_t> in(-5000, 5000);
  ForwardState a, b;
  for (int t = 0; t < 200; ++t) {
    const int32_t input = in(rng);
    a = forward_integrate(p, a, input);
    const ForwardStep r = forward_step(p, b, input, signed_max(20));
    b = r.next;
    if (r.spike) break;
    ASSERT_EQ(a, b);
  }
}

// ------------------------------------------------------------------------------ gradient neurons

TEST(GradientNeuron, ClosedGateIntegratesButNeverFires) {
  const NeuronParams p = unfiltered();
  GradientState s;
  for (int t = 0; t < 10; ++t) {
    const GradientStep r = gradient_step(p, s, 300, false, 100);
    EXPECT_FALSE(r.spike_pos);
    EXPECT_FALSE(r.spike_neg);
    s = r.next;
  }
  EXPECT_FALSE(s.gate);
  EXPECT_EQ(s.pos, 3000);
  EXPECT_EQ(s.neg, -3000);
}

TEST(GradientNeuron, GateOpensOnTheSameStepsForwardSpike) {
  const NeuronParams p = unfiltered();
  GradientState s;
  s = gradient_step(p, s, 250, false, 100).next;  // pos 250, closed
  GradientStep r = gradient_step(p, s, 0, true, 100);  // forward spike this step: fires now
  EXPECT_TRUE(r.next.gate);
  EXPECT_TRUE(r.spike_pos);
  EXPECT_FALSE(r.spike_neg);
  EXPECT_EQ(r.next.pos, 150);
  // The gate stays open without further forward spikes; one spike per step.
  r = gradient_step(p, r.next, 0, false, 100);
  EXPECT_TRUE(r.spike_pos);
  EXPECT_EQ(r.next.pos, 50);
  r = gradient_step(p, r.next, 0, false, 100);
  EXPECT_FALSE(r.spike_pos);
  EXPECT_TRUE(r.next.gate);
}

// The gate event: the paper's gate (theta_gate = theta) opens only on a spike, however high the
// potential; a surrogate gate also on a potential at or above theta_gate without a spike.
TEST(GateEvent, PaperGateOpensOnlyOnASpike) {
  const NeuronParams p = unfiltered();
  const ForwardStep below = forward_step(p, ForwardState{}, 99, 100);
  EXPECT_FALSE(below.spike);
  EXPECT_EQ(gate_event(below, 100), 0);
  const ForwardStep fired = forward_step(p, ForwardState{}, 250, 100);  // spikes once, 150 carries over
  EXPECT_TRUE(fired.spike);
  EXPECT_EQ(fired.next.potential, 150);
  EXPECT_EQ(gate_event(fired, 100), 1);
}

TEST(GateEvent, SurrogateGateOpensAtItsThresholdWithoutASpike) {
  const NeuronParams p = unfiltered();
  EXPECT_EQ(gate_event(forward_step(p, ForwardState{}, 49, 100), 50), 0);
  EXPECT_EQ(gate_event(forward_step(p, ForwardState{}, 50, 100), 50), 1);
  EXPECT_EQ(gate_event(forward_step(p, ForwardState{}, 99, 100), 50), 1);
  EXPECT_EQ(gate_event(forward_step(p, ForwardState{}, -500, 100), 50), 0);
  // After a spike the residual potential may be below theta_gate: the spike opens the gate anyway.
  EXPECT_EQ(gate_event(forward_step(p, ForwardState{0, 90}, 10, 100), 50), 1);
}

TEST(GradientNeuron, NegativeStreamFiresForNegativeInput) {
  const NeuronParams p = unfiltered();
  GradientState s;
  s.gate = true;  // output error neurons: open from reset
  GradientStep r = gradient_step(p, s, -256, false, 256);
  EXPECT_FALSE(r.spike_pos);
  EXPECT_TRUE(r.spike_neg);
  EXPECT_EQ(r.next.neg, 0);
  EXPECT_EQ(r.next.pos, -256);
  // Positive input must first make up pos's deficit.
  r = gradient_step(p, r.next, 256, false, 256);
  EXPECT_FALSE(r.spike_pos);
  EXPECT_FALSE(r.spike_neg);
  r = gradient_step(p, r.next, 256, false, 256);
  EXPECT_TRUE(r.spike_pos);
}

TEST(GradientNeuron, PosAndNegNeverBothFire) {
  std::mt19937 rng(17);
  for (int bits : {8, 10, 24}) {
    for (uint32_t beta : {1u << 16, filter_beta_q16(20, 10.0), filter_beta_q16(100, 10.0)}) {
      const NeuronParams p{beta, bits, bits};
      const int32_t range = signed_max(bits);
      std::uniform_int_distribution<int32_t> in(-2 * range, 2 * range);
      std::uniform_int_distribution<int32_t> th(1, range);
      std::bernoulli_distribution fwd(0.1);
      for (int trial = 0; trial < 200; ++trial) {
        GradientState s;
        const int32_t theta = th(rng);
        for (int t = 0; t < 100; ++t) {
          const GradientStep r = gradient_step(p, s, in(rng), fwd(rng), theta);
          ASSERT_FALSE(r.spike_pos && r.spike_neg) << "bits " << bits << " theta " << theta << " t " << t;
          ASSERT_LE(r.next.pos + r.next.neg, 0);  // the invariant behind it (saturation included)
          ASSERT_GE(r.next.pos, signed_min(bits));
          ASSERT_LE(r.next.pos, signed_max(bits));
          ASSERT_GE(r.next.neg, signed_min(bits));
          ASSERT_LE(r.next.neg, signed_max(bits));
          s = r.next;
        }
      }
    }
  }
}

TEST(GradientNeuron, SharedFilterMatchesForwardFilter) {
  // The gradient pair's shared filter is the forward neuron's filter: pos follows the same integration.
  const NeuronParams p{filter_beta_q16(40, 10.0), 24, 24};
  std::mt19937 rng(23);
  std::uniform_int_distribution<int32_t> in(-3000, 3000);
  GradientState g;
  ForwardState f;
  for (int t = 0; t < 300; ++t) {
    const int32_t input = in(rng);
    g = gradient_step(p, g, input, false, 1).next;  // gate stays closed: no resets
    f = forward_integrate(p, f, input);
    ASSERT_EQ(g.charge, f.charge);
    ASSERT_EQ(g.pos, f.potential);
    ASSERT_EQ(g.neg, -f.potential);
  }
}

// ------------------------------------------------------------------------------ WTA

TEST(Wta, NoInhibitionIsIndependentFiring) {
  std::mt19937 rng(29);
  std::uniform_int_distribution<int32_t> v(-3000, 5000);
  for (int trial = 0; trial < 1000; ++trial) {
    const int n = 1 + trial % 64;
    std::vector<int32_t> pot(static_cast<size_t>(n));
    for (auto& x : pot) x = v(rng);
    std::vector<int32_t> expect = pot;
    uint64_t mask = 0;
    for (int k = 0; k < n; ++k) {
      const FireStep f = fire(expect[static_cast<size_t>(k)], 1000);
      expect[static_cast<size_t>(k)] = f.potential;
      if (f.spike) mask |= uint64_t{1} << k;
    }
    ASSERT_EQ(wta_fire(pot.data(), n, 1000, 0, 24), mask);
    ASSERT_EQ(pot, expect);  // each output at most once, reset by subtraction
  }
}

TEST(Wta, StrongInhibitionLeavesOneWinnerPerStep) {
  std::mt19937 rng(31);
  std::uniform_int_distribution<int32_t> v(0, 4000);
  for (int trial = 0; trial < 1000; ++trial) {
    std::vector<int32_t> pot(10);
    for (auto& x : pot) x = v(rng);
    const std::vector<int32_t> before = pot;
    const auto best = static_cast<int>(std::max_element(before.begin(), before.end()) - before.begin());
    const uint64_t fired = wta_fire(pot.data(), 10, 1000, 100000, 24);
    if (before[static_cast<size_t>(best)] < 1000) {
      ASSERT_EQ(fired, 0u);
      ASSERT_EQ(pot, before);
      continue;
    }
    ASSERT_EQ(fired, uint64_t{1} << best);  // the highest, lowest index among equals
    for (int k = 0; k < 10; ++k) {
      const int32_t expect = k == best ? before[static_cast<size_t>(k)] - 1000
                                       : std::max<int32_t>(before[static_cast<size_t>(k)] - 100000, signed_min(24));
      ASSERT_EQ(pot[static_cast<size_t>(k)], expect);
    }
  }
}

TEST(Wta, TieGoesToLowestIndex) {
  std::vector<int32_t> pot{500, 1500, 1200, 1500, 1500};
  EXPECT_EQ(wta_fire(pot.data(), 5, 1000, 5000, 24), uint64_t{1} << 1);
  EXPECT_EQ(pot[1], 500);
  EXPECT_EQ(pot[3], 1500 - 5000);
}

TEST(Wta, ModerateInhibitionIteratesWithinTheStep) {
  // Winner 0 (3000) fires and inhibits by 500: 1 (2000 -> 1500) still fires, inhibiting 0 and 2 by 500;
  // 2 (1700 -> 1200 -> 700) no longer reaches theta.
  std::vector<int32_t> pot{3000, 2000, 1700};
  EXPECT_EQ(wta_fire(pot.data(), 3, 1000, 500, 24), 0b011u);
  EXPECT_EQ(pot, (std::vector<int32_t>{3000 - 1000 - 500, 1500 - 1000, 700}));
}

TEST(Wta, InhibitionSaturatesAtTheRegisterBound) {
  std::vector<int32_t> pot{200, -500, 100};
  EXPECT_EQ(wta_fire(pot.data(), 3, 100, 400, 10), 0b001u);  // 200 fires; 100 -> -300 < theta
  EXPECT_EQ(pot, (std::vector<int32_t>{100, -512, -300}));
}

TEST(Wta, SixtyFourOutputs) {
  std::vector<int32_t> pot(64, 0);
  pot[63] = 5000;
  EXPECT_EQ(wta_fire(pot.data(), 64, 1000, 1000, 24), uint64_t{1} << 63);
  std::fill(pot.begin(), pot.end(), 1000);
  EXPECT_EQ(wta_fire(pot.data(), 64, 1000, 0, 24), ~uint64_t{0});
}
