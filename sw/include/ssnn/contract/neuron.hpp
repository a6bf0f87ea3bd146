// Composite-neuron arithmetic: pure (parameters, state, inputs) -> next state functions.
//
// These are the contract between sw/, systemc/ and rtl/: the golden model, the SystemC neuron core
// and the RTL checkers all call them.  Units: currents, charges and potentials are integers in the
// same LSB as the weights they sum (docs/theory.md, "Fixed-point formats").
#pragma once

#include <cmath>
#include <cstdint>

#include "ssnn/contract/fixed_point.hpp"
#include "ssnn/contract/widths.hpp"

namespace ssnn {

// beta = 1 - exp(-1/tau), tau = T / tau_divisor (paper: tau = T/10), as unsigned Q0.16.
// The discrete kernel it yields is eps[k] = 1 - (1 - beta)^(k+1) for a spike k steps ago, so an
// input contributes from its own step on (no extra delay per layer).
inline uint32_t filter_beta_q16(int timesteps, double tau_divisor) {
  const double tau = static_cast<double>(timesteps) / tau_divisor;
  const double beta = 1.0 - std::exp(-1.0 / tau);
  const auto q = static_cast<uint32_t>(std::lround(beta * (1u << kBetaBits)));
  return q < 1 ? 1u : (q > (1u << kBetaBits) ? (1u << kBetaBits) : q);
}

// Register widths and filter coefficient shared by every neuron of a layer.
struct NeuronParams {
  uint32_t beta_q16 = 1u << kBetaBits;  // 65536: no filtering (kernel is a step)
  int charge_bits = kChargeBits;         // synaptic charge register (signed, <= 30 bits)
  int potential_bits = kPotentialBits;   // membrane potential registers (signed, <= 30 bits)
};

// A spike or gate bit (0 or 1).  A full word rather than bool: result structs holding a bool defeat
// GCC's vectoriser in the neuron loops, which then run 4-8x slower.
using Bit = int32_t;

// Preconditions of every step function below (enforced by ModelConfig::validate): registers are at
// most 30 bits and |input| < 2^30, so all intermediate sums fit in 32 bits before saturation.

// ---- Synaptic filter (the eps kernel, eq. 3) ---------------------------------------------------
// The filter holds a charge reservoir q.  Each step the step's input (sum of the weights of the
// spikes that arrived, wide) is added, and a fraction beta of the charge flows onto the membrane.
// Charge is conserved exactly: every input eventually reaches the membrane in full, as the
// continuous kernel's integral does.
struct FilterStep {
  int32_t charge;    // next reservoir content
  int32_t transfer;  // amount delivered to the membrane this step
};

constexpr FilterStep filter_step(const NeuronParams& p, int32_t charge, int32_t input) {
  const int32_t filled = saturate32(charge + input, p.charge_bits);
  const int32_t transfer = mul_q16(filled, p.beta_q16);
  return FilterStep{filled - transfer, transfer};
}

// ---- Forward integrate-and-fire neuron (eq. 1) -------------------------------------------------
struct ForwardState {
  int32_t charge = 0;
  int32_t potential = 0;
  friend constexpr bool operator==(const ForwardState& a, const ForwardState& b) {
    return a.charge == b.charge && a.potential == b.potential;
  }
};

// Integration without firing (the output layer fires through the WTA resolver below).
constexpr ForwardState forward_integrate(const NeuronParams& p, ForwardState s, int32_t input) {
  const FilterStep f = filter_step(p, s.charge, input);
  return ForwardState{f.charge, saturate32(s.potential + f.transfer, p.potential_bits)};
}

struct FireStep {
  int32_t potential;
  Bit spike;
};

// Threshold with reset by subtraction (keeps the rate code closest to ReLU: rate = max(0, net)/theta);
// at most one spike per step, surplus potential carries over.
constexpr FireStep fire(int32_t potential, int32_t theta) {
  return potential >= theta ? FireStep{potential - theta, 1} : FireStep{potential, 0};
}

struct ForwardStep {
  ForwardState next;
  Bit spike;
};

constexpr ForwardStep forward_step(const NeuronParams& p, ForwardState s, int32_t input, int32_t theta) {
  const ForwardState integrated = forward_integrate(p, s, input);
  const FireStep f = fire(integrated.potential, theta);
  return ForwardStep{ForwardState{integrated.charge, f.potential}, f.spike};
}

// Gate event of a hidden composite neuron in this step: its forward neuron fired, or its membrane
// potential (after the step's firing) reached theta_gate.  theta_gate >= theta is the paper's gate
// ("spiked at least once"): without a spike the potential is below theta, so only the spike counts.
// A lower theta_gate is a surrogate gate: a neuron driven close to threshold also passes gradient,
// as the ReLU derivative does for a small positive input (docs/theory.md, "Surrogate gate").
constexpr Bit gate_event(const ForwardStep& r, int32_t theta_gate) {
  return r.spike | static_cast<Bit>(r.next.potential >= theta_gate);
}

// ---- Gradient neuron pair (eq. 4-7) --------------------------------------------------------------
// The positive and negative gradient neurons share one filtered input: the positive one integrates
// +eps*(W^T (d_p - d_n)), the negative one its negation.  Both integrate from the start of the
// sample; they may fire only once the gate is open (hidden layers: a gate_event of the composite's
// forward neuron in this sample, including this step; by default its first spike).  Output error
// neurons (eq. 6-7) use the same function with the gate open from reset and input
// (label - output) * err_unit.
struct GradientState {
  int32_t charge = 0;
  int32_t pos = 0;
  int32_t neg = 0;
  Bit gate = 0;
  friend constexpr bool operator==(const GradientState& a, const GradientState& b) {
    return a.charge == b.charge && a.pos == b.pos && a.neg == b.neg && a.gate == b.gate;
  }
};

struct GradientStep {
  GradientState next;
  Bit spike_pos;
  Bit spike_neg;
};

constexpr GradientStep gradient_step(const NeuronParams& p, GradientState s, int32_t input, Bit gate_open,
                                     int32_t theta) {
  const FilterStep f = filter_step(p, s.charge, input);
  int32_t pos = saturate32(s.pos + f.transfer, p.potential_bits);
  int32_t neg = saturate32(s.neg - f.transfer, p.potential_bits);
  const Bit gate = s.gate | gate_open;
  const Bit spike_pos = gate & static_cast<Bit>(pos >= theta);
  const Bit spike_neg = gate & static_cast<Bit>(neg >= theta);
  pos = spike_pos ? pos - theta : pos;
  neg = spike_neg ? neg - theta : neg;
  return GradientStep{GradientState{f.charge, pos, neg, gate}, spike_pos, spike_neg};
}

// The input of output error neuron k in one step (eq. 6-7): (label - output) x err_unit, where label is
// 1 when the target encoder spiked for class k this step and output is k's forward spike.
constexpr int32_t output_error_input(Bit label_spike, Bit output_spike, int32_t err_unit) {
  return (label_spike - output_spike) * err_unit;
}

// ---- Winner-take-all output (eq. 2, iterated within the step) -------------------------------------
// Among the outputs whose potential has reached theta, the highest (lowest index on ties) fires, is
// reset by subtraction and subtracts `inhibition` from every other output's potential; this repeats
// within the step until no output that has not fired is at threshold.  inhibition = 0 is plain
// independent firing (WTA off).  Returns a bit mask of the outputs that fired; n <= 64.
constexpr uint64_t wta_fire(int32_t* potentials, int n, int32_t theta, int32_t inhibition, int potential_bits) {
  uint64_t fired = 0;
  for (;;) {
    int best = -1;
    for (int k = 0; k < n; ++k) {
      if (((fired >> k) & 1u) == 0 && potentials[k] >= theta && (best < 0 || potentials[k] > potentials[best])) {
        best = k;
      }
    }
    if (best < 0) return fired;
    fired |= uint64_t{1} << best;
    potentials[best] -= theta;
    if (inhibition != 0) {
      for (int k = 0; k < n; ++k) {
        if (k != best) potentials[k] = saturate(int64_t{potentials[k]} - inhibition, potential_bits);
      }
    }
  }
}

// ---- Prediction ---------------------------------------------------------------------------------
// argmax of the output spike counts; ties go to the higher residual potential, then the lower index.
constexpr int predict_class(const int32_t* counts, const int32_t* potentials, int classes) {
  int best = 0;
  for (int k = 1; k < classes; ++k) {
    if (counts[k] > counts[best] || (counts[k] == counts[best] && potentials[k] > potentials[best])) best = k;
  }
  return best;
}

}  // namespace ssnn
