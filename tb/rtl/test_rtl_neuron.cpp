// ssnn_composite_neuron (hidden layer) against forward_step / gradient_step: random samples with
// saturation, negative potentials, the gate switching, clears and resets in the middle of a sample.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "Vneuron_hidden.h"
#include "Vneuron_hidden_narrow.h"
#include "Vneuron_hidden_wide.h"
#include "rtl_sim.hpp"
#include "ssnn/contract/fixed_point.hpp"
#include "ssnn/contract/neuron.hpp"
#include "ssnn_rtl/lockstep.hpp"

namespace {

using namespace ssnn::rtl;        // Lockstep, Mismatch
using namespace ssnn::rtl::test;  // Sim, Rng, fields, corners

// Parameter sets, as verilated in rtl/CMakeLists.txt.
struct Default : NeuronWidths<ssnn::kChargeBits, ssnn::kPotentialBits, ssnn::kInputBits> {
  using Model = Vneuron_hidden;
};
struct Narrow : NeuronWidths<9, 8, 12> {
  using Model = Vneuron_hidden_narrow;
};
struct Wide : NeuronWidths<30, 30, 31> {
  using Model = Vneuron_hidden_wide;
};

// The unit's protocol over the golden step functions: a forward command runs forward_step, a
// gradient command gradient_step with the current step's gate event (the forward spike, or the
// forward potential at or above theta_gate), clear restarts the sample.
template <class P>
struct NeuronRef {
  ssnn::ForwardState fwd;
  ssnn::GradientState grad;
  bool spike = false, gate_event = false, grad_pos = false, grad_neg = false;
  void clear() {
    fwd = {};
    grad = {};
    spike = gate_event = grad_pos = grad_neg = false;
  }
  static ssnn::NeuronParams params(uint32_t beta) { return ssnn::NeuronParams{beta, P::kCharge, P::kPotential}; }
  // Whether a register would leave its range before saturation (coverage only).
  static bool outside(int64_t v, int bits) { return v > ssnn::signed_max(bits) || v < ssnn::signed_min(bits); }
  struct Saturated {
    bool charge = false, potential = false;
  };
  Saturated forward(uint32_t beta, int32_t input, int32_t theta, int32_t theta_gate) {
    const ssnn::FilterStep f = ssnn::filter_step(params(beta), fwd.charge, input);
    const Saturated sat{outside(int64_t{fwd.charge} + input, P::kCharge),
                        outside(int64_t{fwd.potential} + f.transfer, P::kPotential)};
    const ssnn::ForwardStep r = ssnn::forward_step(params(beta), fwd, input, theta);
    fwd = r.next;
    spike = r.spike;
    gate_event = ssnn::gate_event(r, theta_gate);
    return sat;
  }
  Saturated gradient(uint32_t beta, int32_t input, int32_t theta_grad) {
    const ssnn::FilterStep f = ssnn::filter_step(params(beta), grad.charge, input);
    const Saturated sat{outside(int64_t{grad.charge} + input, P::kCharge),
                        outside(int64_t{grad.pos} + f.transfer, P::kPotential) ||
                            outside(int64_t{grad.neg} - f.transfer, P::kPotential)};
    const ssnn::GradientStep r = ssnn::gradient_step(params(beta), grad, input, gate_event, theta_grad);
    grad = r.next;
    grad_pos = r.spike_pos;
    grad_neg = r.spike_neg;
    return sat;
  }
};

template <class P>
bool check_state(Lockstep& ls, Sim<typename P::Model>& dut, const NeuronRef<P>& ref, int index) {
  auto& t = dut.top();
  ls.set_cycle(dut.cycles());
  const char* u = "neuron";
  return ls.check(u, index, "spike_o", ref.spike, t.spike_o) &&
         ls.check(u, index, "grad_pos_o", ref.grad_pos, t.grad_pos_o) &&
         ls.check(u, index, "grad_neg_o", ref.grad_neg, t.grad_neg_o) &&
         ls.check(u, index, "charge_o", ref.fwd.charge, sext(t.charge_o, P::kCharge)) &&
         ls.check(u, index, "potential_o", ref.fwd.potential, sext(t.potential_o, P::kPotential)) &&
         ls.check(u, index, "grad_charge_o", ref.grad.charge, sext(t.grad_charge_o, P::kCharge)) &&
         ls.check(u, index, "pos_potential_o", ref.grad.pos, sext(t.pos_potential_o, P::kPotential)) &&
         ls.check(u, index, "neg_potential_o", ref.grad.neg, sext(t.neg_potential_o, P::kPotential)) &&
         ls.check(u, index, "gate_o", ref.grad.gate, t.gate_o) &&
         ls.check(u, index, "wta_eligible_o", 0, t.wta_eligible_o);
}

// What the run exercised: each corner must be hit for the run to count.
struct Coverage {
  uint64_t fwd_steps = 0, grad_steps = 0, fwd_spikes = 0, pos_spikes = 0, neg_spikes = 0;
  uint64_t charge_saturations = 0, potential_saturations = 0, negative_potentials = 0;
  uint64_t gate_opened_mid_sample = 0, gated_at_threshold = 0, clears_mid_sample = 0, resets = 0;
  uint64_t surrogate_gate_events = 0;  // gate events of a forward step that did not spike
  uint64_t samples = 0;
};

using RunResult = ssnn::rtl::test::RunResult<Coverage>;

// `beta_skew` perturbs the reference's filter coefficient: a checker that works must then fail.
template <class P>
RunResult run_hidden(uint64_t seed, uint64_t cycles, int32_t beta_skew = 0) {
  Sim<typename P::Model> dut;
  auto& t = dut.top();
  NeuronRef<P> ref;
  Lockstep ls;
  Rng rng(seed);
  RunResult res;
  Coverage& cov = res.cov;

  auto idle = [&] {
    t.clear_i = 0;
    t.fwd_en_i = 0;
    t.grad_en_i = 0;
    t.fwd_in_i = static_cast<uint32_t>(bits_of(static_cast<int64_t>(rng.u32()), P::kInput));
    t.grad_in_i = static_cast<uint32_t>(bits_of(static_cast<int64_t>(rng.u32()), P::kInput));
  };
  auto finish = [&] {
    res.cycles = dut.cycles();
    res.mismatch = ls.first();
    return res;
  };
  auto draw_theta = [&](int64_t scale) -> int32_t {
    const int64_t kinds[] = {1, 2, scale, scale / 3 + 1, P::kMaxPot, P::kMaxPot / 2};
    const int64_t v = rng.chance(0.5) ? rng.pick(kinds) : rng.range(1, std::max<int64_t>(1, std::min(P::kMaxPot, 4 * scale)));
    return static_cast<int32_t>(std::clamp<int64_t>(v, 1, P::kMaxPot));
  };
  auto draw_beta = [&]() -> uint32_t {
    const uint32_t kinds[] = {65536u, 1u, 0u, 65535u, 32768u, ssnn::filter_beta_q16(50, 10.0),
                              ssnn::filter_beta_q16(1000, 10.0), ssnn::filter_beta_q16(5, 10.0)};
    return rng.chance(0.6) ? rng.pick(kinds) : static_cast<uint32_t>(rng.range(0, 65536));
  };

  t.label_i = 0;
  t.wta_win_i = 0;
  t.wta_inhibit_i = 0;
  t.err_unit_i = 0;
  t.inhibition_i = 0;
  if (!check_state(ls, dut, ref, 0)) return finish();

  while (dut.cycles() < cycles) {
    // One sample: clear, then T steps of forward (always) and gradient (when learning).
    ++cov.samples;
    idle();
    t.clear_i = 1;
    if (rng.chance(0.1)) t.fwd_en_i = 1;  // clear wins over a simultaneous command
    dut.tick();
    ref.clear();
    if (!check_state(ls, dut, ref, 0)) return finish();

    // Input magnitudes relative to the registers: small ones integrate, large ones saturate.
    const int64_t scale_kinds[] = {4, 64, P::kMaxPot / 8 + 1, P::kMaxCharge, P::kMaxIn};
    const int64_t scale = std::min<int64_t>(rng.pick(scale_kinds), P::kMaxIn);
    const double bias = rng.range(-100, 100) / 100.0;  // mean drift: negative drives potentials down
    const int64_t grad_scale = std::min<int64_t>(rng.pick(scale_kinds), P::kMaxIn);
    const bool learn = rng.chance(0.85);
    const int timesteps = static_cast<int>(rng.range(1, 300));
    uint32_t beta = draw_beta();
    int32_t theta = draw_theta(scale);
    int32_t theta_grad = draw_theta(grad_scale);
    // Half the samples use the paper's gate (theta_gate = theta), the others a surrogate gate.
    const bool surrogate = rng.chance(0.5);
    const double gate_fraction = rng.range(1, 1000) / 1000.0;
    auto gate_of = [&](int32_t th) {
      return surrogate ? static_cast<int32_t>(std::max<int64_t>(1, static_cast<int64_t>(th * gate_fraction))) : th;
    };
    for (int step = 0; step < timesteps && dut.cycles() < cycles; ++step) {
      if (rng.chance(0.02)) beta = draw_beta();
      if (rng.chance(0.02)) theta = draw_theta(scale);
      if (rng.chance(0.02)) theta_grad = draw_theta(grad_scale);
      t.beta_i = beta;
      t.theta_i = static_cast<uint32_t>(bits_of(theta, P::kPotential));
      t.theta_grad_i = static_cast<uint32_t>(bits_of(theta_grad, P::kPotential));
      t.theta_gate_i = static_cast<uint32_t>(bits_of(gate_of(theta), P::kPotential));

      // Forward command.
      idle();
      const int64_t drift = static_cast<int64_t>(bias * static_cast<double>(scale));
      const int64_t fwd_in = std::clamp<int64_t>(drift + rng.range(-scale, scale), -P::kMaxIn, P::kMaxIn);
      t.fwd_en_i = 1;
      t.fwd_in_i = static_cast<uint32_t>(bits_of(fwd_in, P::kInput));
      dut.tick();
      const auto fsat = ref.forward(beta + static_cast<uint32_t>(beta_skew), static_cast<int32_t>(fwd_in), theta, gate_of(theta));
      ++cov.fwd_steps;
      cov.fwd_spikes += ref.spike;
      cov.surrogate_gate_events += ref.gate_event && !ref.spike;
      cov.negative_potentials += ref.fwd.potential < 0;
      cov.charge_saturations += fsat.charge;
      cov.potential_saturations += fsat.potential;
      if (!check_state(ls, dut, ref, 0)) return finish();

      for (int64_t i = rng.range(0, 2); i > 0; --i) {
        idle();
        dut.tick();
        if (!check_state(ls, dut, ref, 0)) return finish();
      }

      // Gradient command, reading this step's forward spike.
      if (learn) {
        idle();
        const int64_t grad_in = std::clamp<int64_t>(rng.range(-grad_scale, grad_scale), -P::kMaxIn, P::kMaxIn);
        t.grad_en_i = 1;
        t.grad_in_i = static_cast<uint32_t>(bits_of(grad_in, P::kInput));
        const bool closed_before = !ref.grad.gate;
        dut.tick();
        const auto gsat =
            ref.gradient(beta + static_cast<uint32_t>(beta_skew), static_cast<int32_t>(grad_in), theta_grad);
        ++cov.grad_steps;
        cov.charge_saturations += gsat.charge;
        cov.potential_saturations += gsat.potential;
        cov.pos_spikes += ref.grad_pos;
        cov.neg_spikes += ref.grad_neg;
        cov.gate_opened_mid_sample += closed_before && ref.grad.gate && step > 0;
        cov.gated_at_threshold += !ref.grad.gate && (ref.grad.pos >= theta_grad || ref.grad.neg >= theta_grad);
        cov.negative_potentials += ref.grad.pos < 0 || ref.grad.neg < 0;
        if (!check_state(ls, dut, ref, 0)) return finish();
      }

      // Interruptions: a clear or an asynchronous reset in the middle of the sample.
      if (rng.chance(0.002)) {
        idle();
        t.clear_i = 1;
        dut.tick();
        ref.clear();
        ++cov.clears_mid_sample;
        if (!check_state(ls, dut, ref, 0)) return finish();
      } else if (rng.chance(0.001)) {
        dut.async_reset();
        ref.clear();
        ++cov.resets;
        ls.set_cycle(dut.cycles());
        if (!check_state(ls, dut, ref, 0)) return finish();
      }
    }
  }
  return finish();
}

void expect_full_coverage(const RunResult& r, const char* name) {
  const Coverage& c = r.cov;
  expect_corners(r, name, 1'000'000, {{"samples", c.samples}, {"forward steps", c.fwd_steps}, {"gradient steps", c.grad_steps},
      {"forward spikes", c.fwd_spikes, 1000}, {"positive spikes", c.pos_spikes, 1000}, {"negative spikes", c.neg_spikes, 1000},
      {"charge saturations", c.charge_saturations, 100}, {"potential saturations", c.potential_saturations, 100},
      {"negative potentials", c.negative_potentials, 1000}, {"gate opened mid-sample", c.gate_opened_mid_sample, 100},
      {"gated at threshold", c.gated_at_threshold, 100}, {"surrogate gate events", c.surrogate_gate_events, 1000},
      {"clears mid-sample", c.clears_mid_sample, 10}, {"resets", c.resets, 5}});
}

TEST(RtlNeuron, HiddenDefaultWidthsMatchGoldenSteps) {
  expect_full_coverage(run_hidden<Default>(0x4E455552u, 2'000'000), "ssnn_composite_neuron 24/24/31");
}

TEST(RtlNeuron, HiddenNarrowWidthsSaturateLikeGolden) {
  expect_full_coverage(run_hidden<Narrow>(0x4E41524Eu, 1'000'000), "ssnn_composite_neuron 9/8/12");
}

TEST(RtlNeuron, HiddenThirtyBitRegistersMatchGolden) {
  expect_full_coverage(run_hidden<Wide>(0x57494445u, 1'000'000), "ssnn_composite_neuron 30/30/31");
}

// The directed tests' neuron: no filtering (transfer == input), theta 100, theta_grad 10, the gate
// threshold given, cleared.
void clear_directed(Sim<Vneuron_hidden>& dut, uint32_t theta_gate) {
  auto& t = dut.top();
  t.beta_i = 65536;
  t.theta_i = 100;
  t.theta_grad_i = 10;
  t.theta_gate_i = theta_gate;
  t.clear_i = 1;
  dut.tick();
  t.clear_i = 0;
}

// One forward or gradient step of the directed tests' neuron: its enable high for one edge, with
// its input.
template <class Enable, class Input>
void one_step(Sim<Vneuron_hidden>& dut, Enable& en, Input& in, uint32_t value) {
  en = 1;
  in = value;
  dut.tick();
  en = 0;
}
void forward_step(Sim<Vneuron_hidden>& dut, uint32_t in) {
  one_step(dut, dut.top().fwd_en_i, dut.top().fwd_in_i, in);
}
void gradient_step(Sim<Vneuron_hidden>& dut, uint32_t in) {
  one_step(dut, dut.top().grad_en_i, dut.top().grad_in_i, in);
}

// Directed: the gradient neurons integrate while gated and may fire from the step of the first
// forward spike on, including that step.
TEST(RtlNeuron, GateOpensWithTheFirstForwardSpike) {
  Sim<Vneuron_hidden> dut;
  auto& t = dut.top();
  clear_directed(dut, 100);  // the paper's gate
  // Step 0: forward below threshold, gradient input far above theta_grad: no gradient spike.
  forward_step(dut, 60);
  EXPECT_FALSE(t.spike_o);
  gradient_step(dut, 50);
  EXPECT_FALSE(t.gate_o);
  EXPECT_FALSE(t.grad_pos_o);
  EXPECT_EQ(t.pos_potential_o, 50u);  // integrated while gated
  // Step 1: the forward neuron crosses theta; the same step's gradient step may fire.
  forward_step(dut, 60);
  EXPECT_TRUE(t.spike_o);
  EXPECT_EQ(t.potential_o, 20u);  // 120 - 100: reset by subtraction
  gradient_step(dut, 0);
  EXPECT_TRUE(t.gate_o);
  EXPECT_TRUE(t.grad_pos_o);
  EXPECT_EQ(t.pos_potential_o, 40u);  // 50 - 10, one spike per step
  EXPECT_FALSE(t.grad_neg_o);
  // A clear closes the gate again.
  t.clear_i = 1;
  dut.tick();
  EXPECT_FALSE(t.gate_o);
  EXPECT_EQ(t.pos_potential_o, 0u);
}

// Directed: with a surrogate gate (theta_gate < theta) the gate opens once the forward potential
// reaches theta_gate, before any forward spike; below it the gate stays closed.
TEST(RtlNeuron, SurrogateGateOpensBelowThreshold) {
  Sim<Vneuron_hidden> dut;
  auto& t = dut.top();
  clear_directed(dut, 50);
  auto step = [&](uint32_t fwd_in, uint32_t grad_in) {
    forward_step(dut, fwd_in);
    gradient_step(dut, grad_in);
  };
  step(49, 30);  // potential 49 < 50: closed, the gradient integrates
  EXPECT_FALSE(t.spike_o);
  EXPECT_FALSE(t.gate_o);
  EXPECT_FALSE(t.grad_pos_o);
  EXPECT_EQ(t.pos_potential_o, 30u);
  step(1, 0);  // potential 50: open without a forward spike, the held gradient fires
  EXPECT_FALSE(t.spike_o);
  EXPECT_EQ(t.potential_o, 50u);
  EXPECT_TRUE(t.gate_o);
  EXPECT_TRUE(t.grad_pos_o);
  EXPECT_EQ(t.pos_potential_o, 20u);  // 30 - 10
  step(0, 0);  // stays open for the rest of the sample
  EXPECT_TRUE(t.gate_o);
  EXPECT_TRUE(t.grad_pos_o);
  // The golden rule agrees on the event.
  const ssnn::ForwardStep below{ssnn::ForwardState{0, 49}, 0}, at{ssnn::ForwardState{0, 50}, 0};
  EXPECT_EQ(ssnn::gate_event(below, 50), 0);
  EXPECT_EQ(ssnn::gate_event(at, 50), 1);
  EXPECT_EQ(ssnn::gate_event(at, 100), 0);  // the paper's gate: the potential alone never opens it
}

// The checker must be able to fail: a reference with beta off by one LSB is caught.
TEST(RtlNeuron, CheckerCatchesAnOffByOneFilterCoefficient) {
  expect_caught(run_hidden<Default>(0x4641494Cu, 200'000, 1), "unit neuron[");
}

}  // namespace
