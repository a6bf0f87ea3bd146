// SystemC smoke test of the --sc RTL units: a one-synapse network (input spike source, label spike
// source, hidden composite neuron, cross-point) clocked in SystemC, closed-loop on the RTL's own
// outputs, in lockstep with the golden functions every cycle, traced to FST.
//
// Own sc_main: libsystemc defines main(), so gtest_main must not be linked (docs/toolchain.md). SystemC
// elaborates once per process: this binary holds one test, run through ctest (DISCOVERY_MODE PRE_TEST).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <systemc>
#include <verilated.h>
#include <verilated_fst_sc.h>

#include "Vsc_coincidence.h"
#include "Vsc_neuron_hidden.h"
#include "Vsc_spike_source.h"
#include "ssnn/contract/encoder.hpp"
#include "ssnn/contract/fixed_point.hpp"
#include "ssnn/contract/lfsr.hpp"
#include "ssnn/contract/neuron.hpp"
#include "ssnn/contract/seeding.hpp"
#include "ssnn/contract/synapse.hpp"
#include "ssnn_rtl/bits.hpp"
#include "ssnn_rtl/crosspoint_pins.hpp"
#include "ssnn_rtl/spike_source_pins.hpp"
#include "ssnn_rtl/lockstep.hpp"

namespace {

using sc_core::sc_clock;
using sc_core::sc_signal;
using sc_core::sc_start;
using sc_core::sc_time;
using sc_core::SC_NS;

constexpr int kCharge = ssnn::kChargeBits, kPotential = ssnn::kPotentialBits, kInput = ssnn::kInputBits,
              kWeight = ssnn::kWeightBits;  // the --sc models: the chip's default widths

using ssnn::rtl::CrosspointPins;
using ssnn::rtl::field;
using ssnn::rtl::sext;

// Signals of one spike source.
struct SourcePins {
  sc_signal<bool> load, step, spike;
  sc_signal<uint32_t> seed, pixel, ramp, prob, state;
  void bind(Vsc_spike_source& m, sc_clock& clk, sc_signal<bool>& rst_n) {
    ssnn::rtl::bind_spike_source(m, clk, rst_n, load, seed, step, pixel, ramp, spike, prob, state);
  }
};

struct NeuronPins {
  sc_signal<bool> clear, fwd_en, grad_en, label, wta_win, wta_inhibit;
  sc_signal<uint32_t> fwd_in, grad_in, beta, theta, theta_grad, theta_gate, err_unit, inhibition;
  sc_signal<bool> spike, grad_pos, grad_neg, eligible, gate;
  sc_signal<uint32_t> charge, potential, grad_charge, pos_potential, neg_potential;
  void bind(Vsc_neuron_hidden& m, sc_clock& clk, sc_signal<bool>& rst_n) {
    m.clk_i(clk);
    m.rst_ni(rst_n);
    m.clear_i(clear);
    m.fwd_en_i(fwd_en);
    m.fwd_in_i(fwd_in);
    m.grad_en_i(grad_en);
    m.grad_in_i(grad_in);
    m.label_i(label);
    m.wta_win_i(wta_win);
    m.wta_inhibit_i(wta_inhibit);
    m.beta_i(beta);
    m.theta_i(theta);
    m.theta_grad_i(theta_grad);
    m.theta_gate_i(theta_gate);
    m.err_unit_i(err_unit);
    m.inhibition_i(inhibition);
    m.spike_o(spike);
    m.grad_pos_o(grad_pos);
    m.grad_neg_o(grad_neg);
    m.wta_eligible_o(eligible);
    m.charge_o(charge);
    m.potential_o(potential);
    m.grad_charge_o(grad_charge);
    m.pos_potential_o(pos_potential);
    m.neg_potential_o(neg_potential);
    m.gate_o(gate);
  }
};


// The golden side of the bench: the same network from the golden functions.
struct Golden {
  ssnn::Lfsr row, label;
  bool row_spike = false, label_spike = false;
  ssnn::ForwardState fwd;
  ssnn::GradientState grad;
  bool spike = false, gate_event = false, grad_pos = false, grad_neg = false;
  int32_t weight = 0;
  void reset() { *this = Golden{}; }
};

std::string wave_dir() {
  const char* env = std::getenv("SSNN_WAVE_DIR");
  return env && *env ? env : SSNN_RTL_WAVE_DIR;
}

TEST(RtlSystemC, OneSynapseNetworkRunsInLockstepWithGolden) {
  Verilated::threadContextp()->threads(1);
  Verilated::traceEverOn(true);

  sc_clock clk("clk", sc_time(10, SC_NS), 0.5, sc_time(0, SC_NS), false);  // rising edges at 5 + 10k ns
  sc_signal<bool> rst_n{"rst_n", false};  // in reset until the first cycle has passed
  SourcePins row_pins, label_pins;
  NeuronPins n;
  CrosspointPins x{"xp_"};
  auto row_src = std::make_unique<Vsc_spike_source>("row_source");
  auto label_src = std::make_unique<Vsc_spike_source>("label_source");
  auto neuron = std::make_unique<Vsc_neuron_hidden>("neuron");
  auto xpoint = std::make_unique<Vsc_coincidence>("crosspoint");
  row_pins.bind(*row_src, clk, rst_n);
  label_pins.bind(*label_src, clk, rst_n);
  n.bind(*neuron, clk, rst_n);
  x.bind(*xpoint, rst_n, clk);

  sc_start(sc_core::SC_ZERO_TIME);
  const std::string dir = wave_dir();
  std::filesystem::create_directories(dir);
  VerilatedFstSc neuron_fst, xpoint_fst;
  neuron->trace(&neuron_fst, 99);
  xpoint->trace(&xpoint_fst, 99);
  neuron_fst.open((dir + "/rtl_neuron.fst").c_str());
  xpoint_fst.open((dir + "/rtl_crosspoint.fst").c_str());

  // Network constants (a small synapse so the neuron fires now and then and the weight moves).
  const int32_t theta = 600, theta_grad = 128, err_unit = 256;
  const ssnn::SynapseParams sp{-2048, 2047, 24, 32, 3};
  const uint32_t label_q16 = ssnn::prob_to_q16(0.5);
  const uint32_t rate_q16 = ssnn::prob_to_q16(0.4);
  n.theta.write(field(theta, kPotential));
  n.theta_grad.write(field(theta_grad, kPotential));
  n.theta_gate.write(field(theta, kPotential));  // the paper's gate: the first forward spike
  n.err_unit.write(0);
  n.inhibition.write(0);
  x.params(sp);
  label_pins.pixel.write(255);
  label_pins.ramp.write(label_q16);

  Golden g;
  ssnn::rtl::Lockstep ls;
  uint64_t cycle = 0;
  uint64_t fwd_spikes = 0, pos_spikes = 0, neg_spikes = 0, weight_moves = 0;

  auto all_idle = [&] {
    row_pins.load.write(false);
    row_pins.step.write(false);
    label_pins.load.write(false);
    label_pins.step.write(false);
    n.clear.write(false);
    n.fwd_en.write(false);
    n.grad_en.write(false);
    x.load.write(false);
    x.update.write(false);
  };
  auto check_all = [&]() -> bool {
    ls.set_cycle(cycle);
    return ls.check("row_source", 0, "spike_o", g.row_spike, row_pins.spike.read()) &&
           ls.check("row_source", 0, "state_o", g.row.state, row_pins.state.read()) &&
           ls.check("label_source", 0, "spike_o", g.label_spike, label_pins.spike.read()) &&
           ls.check("label_source", 0, "state_o", g.label.state, label_pins.state.read()) &&
           ls.check("neuron", 0, "spike_o", g.spike, n.spike.read()) &&
           ls.check("neuron", 0, "grad_pos_o", g.grad_pos, n.grad_pos.read()) &&
           ls.check("neuron", 0, "grad_neg_o", g.grad_neg, n.grad_neg.read()) &&
           ls.check("neuron", 0, "charge_o", g.fwd.charge, sext(n.charge.read(), kCharge)) &&
           ls.check("neuron", 0, "potential_o", g.fwd.potential, sext(n.potential.read(), kPotential)) &&
           ls.check("neuron", 0, "grad_charge_o", g.grad.charge, sext(n.grad_charge.read(), kCharge)) &&
           ls.check("neuron", 0, "pos_potential_o", g.grad.pos, sext(n.pos_potential.read(), kPotential)) &&
           ls.check("neuron", 0, "neg_potential_o", g.grad.neg, sext(n.neg_potential.read(), kPotential)) &&
           ls.check("neuron", 0, "gate_o", g.grad.gate, n.gate.read()) &&
           ls.check("crosspoint", 0, "weight_o", g.weight, sext(x.weight.read(), kWeight));
  };
  auto clock = [&] {
    sc_start(sc_time(10, SC_NS));
    ++cycle;
  };

  all_idle();
  clock();  // one cycle in reset
  rst_n.write(true);
  ASSERT_TRUE(check_all()) << ls.first()->message();
  // Initial weight.
  x.load.write(true);
  x.load_weight.write(field(300, kWeight));
  clock();
  g.weight = 300;
  ASSERT_TRUE(check_all()) << ls.first()->message();

  const int timesteps_of[] = {100, 150, 60, 200, 120, 90, 180, 50};
  for (uint64_t sample = 0; sample < 8; ++sample) {
    const int T = timesteps_of[sample];
    const uint64_t key = ssnn::sample_key(2026, ssnn::Phase::kTrain, 0, sample);
    const auto pixel = static_cast<uint8_t>(120 + 17 * sample);
    const ssnn::NeuronParams np{ssnn::filter_beta_q16(T, 10.0), kCharge, kPotential};
    const uint64_t device_key = key ^ (ssnn::stream::kDeviceBase + 0);
    n.beta.write(np.beta_q16);
    row_pins.pixel.write(pixel);

    // Sample start: seeds, neuron clear.
    all_idle();
    const uint32_t row_seed = ssnn::stream_seed(key, ssnn::stream::kInputBase + 0);
    const uint32_t label_seed = ssnn::stream_seed(key, ssnn::stream::kLabel);
    row_pins.load.write(true);
    row_pins.seed.write(row_seed);
    label_pins.load.write(true);
    label_pins.seed.write(label_seed);
    n.clear.write(true);
    clock();
    g.row.load(row_seed);
    g.label.load(label_seed);
    g.row_spike = g.label_spike = false;
    g.fwd = {};
    g.grad = {};
    g.spike = g.gate_event = g.grad_pos = g.grad_neg = false;
    ASSERT_TRUE(check_all()) << ls.first()->message();

    for (int t = 0; t < T; ++t) {
      ls.set_context("sample " + std::to_string(sample) + " step " + std::to_string(t));
      // Encode.
      all_idle();
      const uint32_t ramp = ssnn::input_ramp_q16(rate_q16, t, T, ssnn::InputProfile::kFrontLoaded);
      row_pins.ramp.write(ramp);
      row_pins.step.write(true);
      label_pins.step.write(true);
      clock();
      g.row_spike = ssnn::bernoulli(g.row, ssnn::pixel_prob_q16(pixel, ramp));
      g.label_spike = ssnn::bernoulli(g.label, label_q16);
      ASSERT_TRUE(check_all()) << ls.first()->message();

      // Forward: the synapse's weight as at the start of the step, if the row spiked.
      all_idle();
      const int64_t fwd_in = row_pins.spike.read() ? sext(x.weight.read(), kWeight) : 0;
      n.fwd_en.write(true);
      n.fwd_in.write(field(fwd_in, kInput));
      clock();
      {
        const ssnn::ForwardStep r = ssnn::forward_step(np, g.fwd, g.row_spike ? g.weight : 0, theta);
        g.fwd = r.next;
        g.spike = r.spike;
        g.gate_event = ssnn::gate_event(r, theta);
        fwd_spikes += g.spike;
      }
      ASSERT_TRUE(check_all()) << ls.first()->message();

      // Backward: the output error input (label - output) * err_unit into the gradient pair.
      all_idle();
      const int64_t grad_in = ssnn::output_error_input(label_pins.spike.read(), n.spike.read(), err_unit);
      n.grad_en.write(true);
      n.grad_in.write(field(grad_in, kInput));
      clock();
      {
        const int32_t in = ssnn::output_error_input(g.label_spike, g.spike, err_unit);
        const ssnn::GradientStep r = ssnn::gradient_step(np, g.grad, in, g.gate_event, theta_grad);
        g.grad = r.next;
        g.grad_pos = r.spike_pos;
        g.grad_neg = r.spike_neg;
        pos_spikes += g.grad_pos;
        neg_spikes += g.grad_neg;
      }
      ASSERT_TRUE(check_all()) << ls.first()->message();

      // Update: the cross-point's AND gates at the end of the step, with pulse noise.
      all_idle();
      const uint32_t word = ssnn::device_noise_word(device_key, static_cast<uint32_t>(t), 0, 0);
      x.update.write(true);
      x.row.write(row_pins.spike.read());
      x.col_pos.write(n.grad_pos.read());
      x.col_neg.write(n.grad_neg.read());
      x.noise_word.write(word);
      clock();
      {
        const int32_t before = g.weight;
        g.weight = ssnn::coincidence_update(sp, g.weight, g.row_spike, g.grad_pos, g.grad_neg, word);
        weight_moves += g.weight != before;
      }
      ASSERT_TRUE(check_all()) << ls.first()->message();

      // An asynchronous reset in the middle of the last sample: every unit restarts from its reset
      // state (the weight too: a chip reloads its weights after a reset).
      if (sample == 7 && t == T / 2) {
        all_idle();
        rst_n.write(false);
        clock();
        rst_n.write(true);
        g.reset();
        ASSERT_TRUE(check_all()) << ls.first()->message();
      }
    }
  }
  neuron_fst.close();
  xpoint_fst.close();
  neuron->final();
  xpoint->final();
  row_src->final();
  label_src->final();

  EXPECT_GT(cycle, 3000u);
  EXPECT_GT(fwd_spikes, 20u);
  EXPECT_GT(pos_spikes, 20u);
  EXPECT_GT(neg_spikes, 20u);
  EXPECT_GT(weight_moves, 20u);
  EXPECT_GT(std::filesystem::file_size(dir + "/rtl_neuron.fst"), 0u);
  EXPECT_GT(std::filesystem::file_size(dir + "/rtl_crosspoint.fst"), 0u);
  std::printf("SystemC lockstep: %llu cycles, %llu checks, forward spikes %llu, gradient spikes +%llu -%llu, "
              "weight moves %llu; waves in %s\n",
              static_cast<unsigned long long>(cycle), static_cast<unsigned long long>(ls.checks()),
              static_cast<unsigned long long>(fwd_spikes), static_cast<unsigned long long>(pos_spikes),
              static_cast<unsigned long long>(neg_spikes), static_cast<unsigned long long>(weight_moves), dir.c_str());
}

}  // namespace

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
