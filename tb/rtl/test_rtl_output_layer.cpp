// ssnn_output_layer (output composite neurons + ssnn_wta) against forward_integrate, wta_fire and the
// error neurons' gradient_step with input (label - output) * err_unit.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "Voutput_layer.h"
#include "Voutput_layer_narrow.h"
#include "rtl_sim.hpp"
#include "ssnn/contract/fixed_point.hpp"
#include "ssnn/contract/neuron.hpp"
#include "ssnn_rtl/lockstep.hpp"

namespace {

using namespace ssnn::rtl;        // Lockstep, Mismatch
using namespace ssnn::rtl::test;  // Sim, Rng, fields, corners

int popcount(uint64_t v) { return __builtin_popcountll(v); }

struct Default : NeuronWidths<ssnn::kChargeBits, ssnn::kPotentialBits, ssnn::kInputBits> {
  using Model = Voutput_layer;
  static constexpr int kN = ssnn::kNumOutputs;
};
struct Narrow : NeuronWidths<10, 9, 12> {
  using Model = Voutput_layer_narrow;
  static constexpr int kN = 5;
};

// The output layer of network.cpp, one timestep at a time.
template <class P>
struct LayerRef {
  std::vector<ssnn::ForwardState> fwd = std::vector<ssnn::ForwardState>(P::kN);
  std::vector<ssnn::GradientState> grad = std::vector<ssnn::GradientState>(P::kN);
  uint64_t spikes = 0, grad_pos = 0, grad_neg = 0;
  void clear() {
    std::fill(fwd.begin(), fwd.end(), ssnn::ForwardState{});
    std::fill(grad.begin(), grad.end(), ssnn::GradientState{0, 0, 0, true});  // error neurons: gate open
    spikes = grad_pos = grad_neg = 0;
  }
  static ssnn::NeuronParams params(uint32_t beta) { return ssnn::NeuronParams{beta, P::kCharge, P::kPotential}; }
  void forward(uint32_t beta, const std::vector<int32_t>& in) {
    for (int k = 0; k < P::kN; ++k) fwd[k] = ssnn::forward_integrate(params(beta), fwd[k], in[k]);
    spikes = 0;
  }
  void wta(int32_t theta, int32_t inhibition) {
    std::vector<int32_t> pot(P::kN);
    for (int k = 0; k < P::kN; ++k) pot[k] = fwd[k].potential;
    spikes = ssnn::wta_fire(pot.data(), P::kN, theta, inhibition, P::kPotential);
    for (int k = 0; k < P::kN; ++k) fwd[k].potential = pot[k];
  }
  void error(uint32_t beta, uint64_t label, int32_t err_unit, int32_t theta_err) {
    grad_pos = grad_neg = 0;
    for (int k = 0; k < P::kN; ++k) {
      const bool out = (spikes >> k) & 1u;
      const int32_t in = ssnn::output_error_input(static_cast<ssnn::Bit>((label >> k) & 1u), out, err_unit);
      const ssnn::GradientStep r = ssnn::gradient_step(params(beta), grad[k], in, out, theta_err);
      grad[k] = r.next;
      grad_pos |= static_cast<uint64_t>(r.spike_pos != 0) << k;
      grad_neg |= static_cast<uint64_t>(r.spike_neg != 0) << k;
    }
  }
};

template <class P>
bool check_state(Lockstep& ls, Sim<typename P::Model>& dut, const LayerRef<P>& ref) {
  auto& t = dut.top();
  ls.set_cycle(dut.cycles());
  for (int k = 0; k < P::kN; ++k) {
    const char* u = "output_neuron";
    const int C = P::kCharge, Pb = P::kPotential;
    if (!(ls.check(u, k, "spike_o", (ref.spikes >> k) & 1u, (t.spike_o >> k) & 1u) &&
          ls.check(u, k, "grad_pos_o", (ref.grad_pos >> k) & 1u, (t.grad_pos_o >> k) & 1u) &&
          ls.check(u, k, "grad_neg_o", (ref.grad_neg >> k) & 1u, (t.grad_neg_o >> k) & 1u) &&
          ls.check(u, k, "charge_o", ref.fwd[k].charge, get_signed(t.charge_o, k * C, C)) &&
          ls.check(u, k, "potential_o", ref.fwd[k].potential, get_signed(t.potential_o, k * Pb, Pb)) &&
          ls.check(u, k, "grad_charge_o", ref.grad[k].charge, get_signed(t.grad_charge_o, k * C, C)) &&
          ls.check(u, k, "pos_potential_o", ref.grad[k].pos, get_signed(t.pos_potential_o, k * Pb, Pb)) &&
          ls.check(u, k, "neg_potential_o", ref.grad[k].neg, get_signed(t.neg_potential_o, k * Pb, Pb)) &&
          ls.check(u, k, "gate_o", ref.grad[k].gate, (t.gate_o >> k) & 1u)))
      return false;
  }
  return true;
}

struct Coverage {
  uint64_t steps = 0, wta_rounds = 0, multi_winner = 0, all_winners = 0, ties = 0, wta_off_steps = 0;
  uint64_t out_spikes = 0, err_pos = 0, err_neg = 0, inhibit_saturations = 0, clears = 0, resets = 0;
  uint64_t wta_cycles = 0;
};

using RunResult = ssnn::rtl::test::RunResult<Coverage>;

template <class P>
RunResult run_layer(uint64_t seed, uint64_t cycles) {
  constexpr int N = P::kN;
  Sim<typename P::Model> dut;
  auto& t = dut.top();
  LayerRef<P> ref;
  ref.clear();
  Lockstep ls;
  Rng rng(seed);
  RunResult res;
  Coverage& cov = res.cov;
  auto finish = [&] {
    res.cycles = dut.cycles();
    res.mismatch = ls.first();
    return res;
  };
  auto idle = [&] {
    t.clear_i = 0;
    t.fwd_en_i = 0;
    t.wta_start_i = 0;
    t.grad_en_i = 0;
  };
  auto set_inputs = [&](const std::vector<int32_t>& in) {
    for (int k = 0; k < N; ++k) set_field(t.fwd_in_i, k * P::kInput, P::kInput, in[k]);
  };

  // A clear of both models (a sample begins).
  auto clear_both = [&] {
    idle();
    t.clear_i = 1;
    dut.tick();
    ref.clear();
    ++cov.clears;
    return check_state(ls, dut, ref);
  };

  idle();
  if (!check_state(ls, dut, ref)) return finish();
  while (dut.cycles() < cycles) {
    if (!clear_both()) return finish();

    const uint32_t betas[] = {65536u, ssnn::filter_beta_q16(50, 10.0), ssnn::filter_beta_q16(200, 10.0), 1u};
    const uint32_t beta = rng.chance(0.7) ? rng.pick(betas) : static_cast<uint32_t>(rng.range(0, 65536));
    const int64_t thetas[] = {1, 3, P::kMaxPot / 16 + 1, P::kMaxPot / 2, P::kMaxPot};
    const auto theta = static_cast<int32_t>(rng.pick(thetas));
    const auto theta_err = static_cast<int32_t>(rng.range(1, std::min<int64_t>(P::kMaxPot, 4 * P::kMaxCharge)));
    const auto err_unit = static_cast<int32_t>(rng.chance(0.3) ? P::kMaxCharge : rng.range(0, P::kMaxCharge));
    const int64_t inhibitions[] = {0, 1, theta, P::kMaxPot};
    const auto inhibition = static_cast<int32_t>(rng.chance(0.6) ? rng.pick(inhibitions) : rng.range(0, P::kMaxPot));
    const int64_t scales[] = {theta / 2 + 1, 2 * int64_t{theta}, P::kMaxCharge, P::kMaxIn};
    const int64_t scale = std::min(rng.pick(scales), P::kMaxIn);
    const bool learn = rng.chance(0.8);
    const int label = static_cast<int>(rng.range(0, N - 1));
    const double label_rate = rng.range(0, 100) / 100.0;
    const int timesteps = static_cast<int>(rng.range(1, 120));
    t.beta_i = beta;
    t.theta_i = static_cast<uint32_t>(bits_of(theta, P::kPotential));
    t.theta_err_i = static_cast<uint32_t>(bits_of(theta_err, P::kPotential));
    t.err_unit_i = static_cast<uint32_t>(bits_of(err_unit, P::kCharge));
    t.inhibition_i = static_cast<uint32_t>(bits_of(inhibition, P::kPotential));

    for (int step = 0; step < timesteps && dut.cycles() < cycles; ++step) {
      // Forward integration of every output; equal inputs now and then make ties.
      std::vector<int32_t> in(N);
      const bool tie = rng.chance(0.1);
      for (int k = 0; k < N; ++k) {
        in[k] = static_cast<int32_t>(tie && k > 0 ? in[0] : std::clamp<int64_t>(rng.range(-scale / 2, scale), -P::kMaxIn, P::kMaxIn));
      }
      idle();
      t.fwd_en_i = 1;
      set_inputs(in);
      dut.tick();
      ref.forward(beta, in);
      if (!check_state(ls, dut, ref)) return finish();
      for (int64_t i = rng.range(0, 1); i > 0; --i) {
        idle();
        dut.tick();
      }

      // WTA: k winners take k + 1 cycles; done_o in the last.
      {
        ref.wta(theta, inhibition);
        const int winners = popcount(ref.spikes);
        idle();
        t.wta_start_i = 1;
        int used = 0;
        int fired = 0;
        for (;;) {
          dut.settle();
          ++used;
          const bool done = t.wta_done_o;
          dut.tick();
          t.wta_start_i = 0;
          if (done || used > N + 1) break;
          // Exactly one more output fires per active cycle.
          ++fired;
          ls.set_cycle(dut.cycles());
          if (!ls.check("wta", 0, "spikes fired so far", fired, popcount(get_field(t.spike_o, 0, N))))
            return finish();
        }
        ls.set_cycle(dut.cycles());
        if (!ls.check("wta", 0, "cycles to done_o", winners + 1, used)) return finish();
        if (!check_state(ls, dut, ref)) return finish();
        ++cov.wta_rounds;
        cov.wta_cycles += used;
        cov.out_spikes += winners;
        cov.multi_winner += winners >= 2;
        cov.all_winners += winners == N;
        cov.wta_off_steps += inhibition == 0;
        cov.ties += tie && winners > 0;
        for (int k = 0; k < N; ++k) cov.inhibit_saturations += ref.fwd[k].potential == -P::kMaxPot - 1 && winners > 0;
      }

      // Error neurons (training).
      if (learn) {
        const uint64_t label_mask = rng.chance(label_rate) ? uint64_t{1} << label : 0;
        idle();
        t.grad_en_i = 1;
        t.label_i = static_cast<std::remove_reference_t<decltype(t.label_i)>>(label_mask);
        dut.tick();
        ref.error(beta, label_mask, err_unit, theta_err);
        cov.err_pos += popcount(ref.grad_pos);
        cov.err_neg += popcount(ref.grad_neg);
        if (!check_state(ls, dut, ref)) return finish();
      }
      ++cov.steps;

      if (rng.chance(0.002)) {
        if (!clear_both()) return finish();
      } else if (rng.chance(0.001)) {
        dut.async_reset();
        ref.clear();
        ++cov.resets;
        if (!check_state(ls, dut, ref)) return finish();
      }
    }
  }
  return finish();
}

void expect_full_coverage(const RunResult& r, const char* name) {
  const Coverage& c = r.cov;
  expect_corners(r, name, 1'000'000, {{"steps", c.steps}, {"WTA rounds", c.wta_rounds}, {"WTA cycles", c.wta_cycles},
      {"rounds with >= 2 winners", c.multi_winner, 1000}, {"rounds where all fire", c.all_winners, 100},
      {"rounds with ties", c.ties, 100}, {"steps with WTA off", c.wta_off_steps, 1000}, {"output spikes", c.out_spikes},
      {"error spikes +", c.err_pos, 1000}, {"error spikes -", c.err_neg, 1000},
      {"inhibitions saturated", c.inhibit_saturations, 100}, {"clears", c.clears}, {"resets", c.resets, 5}});
}

TEST(RtlOutputLayer, TenOutputsDefaultWidthsMatchGolden) {
  expect_full_coverage(run_layer<Default>(0x4F555430u, 1'200'000), "ssnn_output_layer 10x 24/24/31");
}

TEST(RtlOutputLayer, FiveOutputsNarrowWidthsMatchGolden) {
  expect_full_coverage(run_layer<Narrow>(0x4F55544Eu, 1'000'000), "ssnn_output_layer 5x 10/9/12");
}

// Directed: equal potentials fire lowest index first; inhibition can stop a second winner.
TEST(RtlOutputLayer, TiesGoToTheLowestIndexAndInhibitionStopsTheRest) {
  Sim<Voutput_layer> dut;
  auto& t = dut.top();
  t.beta_i = 65536;
  t.theta_i = 100;
  t.inhibition_i = 60;
  t.clear_i = 1;
  dut.tick();
  t.clear_i = 0;
  // Outputs 3 and 7 at 150, output 5 at 120: 3 fires (tie with 7, lower index), the others drop by
  // 60 to 90 and 60, below theta: one spike, two cycles.
  for (int k = 0; k < 10; ++k) set_field(t.fwd_in_i, k * 31, 31, k == 3 || k == 7 ? 150 : (k == 5 ? 120 : 0));
  t.fwd_en_i = 1;
  dut.tick();
  t.fwd_en_i = 0;
  t.wta_start_i = 1;
  dut.settle();
  EXPECT_EQ(t.wta_done_o, 0u);
  dut.tick();
  t.wta_start_i = 0;
  dut.settle();
  EXPECT_EQ(t.wta_done_o, 1u);
  EXPECT_EQ(t.spike_o, 1u << 3);
  EXPECT_EQ(get_signed(t.potential_o, 3 * 24, 24), 50);
  EXPECT_EQ(get_signed(t.potential_o, 7 * 24, 24), 90);
  EXPECT_EQ(get_signed(t.potential_o, 5 * 24, 24), 60);
  EXPECT_EQ(get_signed(t.potential_o, 0, 24), -60);
}

}  // namespace
