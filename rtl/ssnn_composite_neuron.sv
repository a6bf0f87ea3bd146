// Composite neuron: forward integrate-and-fire neuron, its synaptic filter and the gated gradient pair.
//
// Bit-exact with the golden step functions (sw/include/ssnn/contract/neuron.hpp):
//   fwd_en_i  : forward_step(p, {charge, potential}, fwd_in_i, theta_i) in a hidden layer
//               (OutputLayer = 0): spike_o is the step's forward spike; in the output layer
//               forward_integrate() only, the spike comes from the WTA commands below.
//   grad_en_i : gradient_step(p, {grad_charge, pos, neg, gate}, input, gate_event, theta_grad_i), with
//               gate_event = gate_event(forward step, theta_gate_i) of this timestep's forward command
//               (its spike, or its potential at or above theta_gate_i; theta_gate_i = theta_i: the
//               spike alone) in a hidden layer and spike_o in the output layer (gate open anyway), and
//               input = grad_in_i in a hidden layer (W^T (delta_p - delta_n)) and, in the output layer,
//               the error neurons' input (label_i - spike_o) * err_unit_i (eq. 6-7).
//   wta_win_i / wta_inhibit_i (output layer): one iteration of wta_fire(): the winner fires and
//               is reset by subtraction of theta_i, every other output loses inhibition_i (saturating).
//   clear_i   : sample start: every register zero, the gate closed (hidden) or open (output layer).
// The forward step and the gradient step share one filter datapath (they are different phases of a
// timestep); at most one command per cycle (clear_i wins, then fwd_en_i, grad_en_i, WTA).
// Every command takes one cycle: its result is on the outputs the cycle after it was issued.
// The gradient step reads spike_o, the forward spike of the current timestep, so it must follow that
// step's forward command (and, in the output layer, its WTA resolution).
`include "ssnn_assert.svh"
`include "ssnn_registers.svh"

module ssnn_composite_neuron #(
  parameter int ChargeBits    = ssnn_pkg::ChargeBits,     // signed synaptic charge registers, 2..30
  parameter int PotentialBits = ssnn_pkg::PotentialBits,  // signed membrane potential registers, 2..30
  parameter int InputBits     = ssnn_pkg::InputBits,      // signed step inputs, >= ChargeBits (golden: |input| < 2^30)
  parameter bit OutputLayer   = 1'b0   // 1: output neuron (WTA firing, error neurons, gate open)
) (
  input  logic                            clk_i,
  input  logic                            rst_ni,
  // Commands
  input  logic                            clear_i,        // sample start
  input  logic                            fwd_en_i,       // forward step with fwd_in_i
  input  logic signed [InputBits-1:0]     fwd_in_i,       // sum of the weights of this step's input spikes
  input  logic                            grad_en_i,      // gradient step
  input  logic signed [InputBits-1:0]     grad_in_i,      // hidden: W^T (delta_p - delta_n); output: unused
  input  logic                            label_i,        // output: target spike of this step; hidden: unused
  input  logic                            wta_win_i,      // output: fire now (from ssnn_wta); hidden: unused
  input  logic                            wta_inhibit_i,  // output: another output fired; hidden: unused
  // Layer parameters (held by the controller)
  input  logic [ssnn_pkg::BetaBits:0]     beta_i,         // filter coefficient, unsigned Q0.16 <= 2^16
  input  logic signed [PotentialBits-1:0] theta_i,        // forward threshold, >= 1
  input  logic signed [PotentialBits-1:0] theta_grad_i,   // gradient threshold (theta_b or theta_N), >= 1
  input  logic signed [PotentialBits-1:0] theta_gate_i,   // hidden: potential opening the gate, 1..theta_i
  input  logic signed [ChargeBits-1:0]    err_unit_i,     // output: charge per label/output spike, >= 0
  input  logic signed [PotentialBits-1:0] inhibition_i,   // output: WTA inhibition, >= 0
  // Spikes
  output logic                            spike_o,        // forward spike of the current timestep
  output logic                            grad_pos_o,     // positive gradient spike (delta_p)
  output logic                            grad_neg_o,     // negative gradient spike (delta_n)
  output logic                            wta_eligible_o, // output: at threshold and not yet fired
  // State (for lockstep checkers and waveforms)
  output logic signed [ChargeBits-1:0]    charge_o,
  output logic signed [PotentialBits-1:0] potential_o,
  output logic signed [ChargeBits-1:0]    grad_charge_o,
  output logic signed [PotentialBits-1:0] pos_potential_o,
  output logic signed [PotentialBits-1:0] neg_potential_o,
  output logic                            gate_o
);

  localparam int C = ChargeBits;
  localparam int P = PotentialBits;

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_RANGE(ChargeBits, 2, 30)
    `SSNN_PARAM_RANGE(PotentialBits, 2, 30)
    `SSNN_PARAM_RANGE(InputBits, ChargeBits, 32)
  end
`endif

  // ---------------------------------------------------------------------------------------------
  // Registers
  // ---------------------------------------------------------------------------------------------
  logic signed [C-1:0] charge_d, charge_q;
  logic signed [P-1:0] potential_d, potential_q;
  logic signed [C-1:0] grad_charge_d, grad_charge_q;
  logic signed [P-1:0] pos_d, pos_q;
  logic signed [P-1:0] neg_d, neg_q;
  logic                gate_d, gate_q;
  logic                spike_d, spike_q;
  logic                gate_event_d, gate_event_q;  // hidden: this timestep's forward step opens the gate
  logic                grad_pos_d, grad_pos_q;
  logic                grad_neg_d, grad_neg_q;

  // The step itself (combinational, shared with the neuron cores' lanes).
  ssnn_neuron_step #(
    .ChargeBits    (C),
    .PotentialBits (P),
    .InputBits     (InputBits),
    .OutputLayer   (OutputLayer)
  ) u_step (
    .clear_i,
    .fwd_en_i,
    .fwd_in_i,
    .grad_en_i,
    .grad_in_i,
    .label_i,
    .wta_win_i,
    .wta_inhibit_i,
    .beta_i,
    .theta_i,
    .theta_grad_i,
    .theta_gate_i,
    .err_unit_i,
    .inhibition_i,
    .charge_i       (charge_q),
    .potential_i    (potential_q),
    .grad_charge_i  (grad_charge_q),
    .pos_i          (pos_q),
    .neg_i          (neg_q),
    .gate_i         (gate_q),
    .spike_i        (spike_q),
    .gate_event_i   (gate_event_q),
    .grad_pos_i     (grad_pos_q),
    .grad_neg_i     (grad_neg_q),
    .charge_o       (charge_d),
    .potential_o    (potential_d),
    .grad_charge_o  (grad_charge_d),
    .pos_o          (pos_d),
    .neg_o          (neg_d),
    .gate_o         (gate_d),
    .spike_o        (spike_d),
    .gate_event_o   (gate_event_d),
    .grad_pos_o     (grad_pos_d),
    .grad_neg_o     (grad_neg_d),
    .wta_eligible_o
  );

  `SSNN_FF({charge_q, potential_q, grad_charge_q, pos_q, neg_q, spike_q, gate_event_q, grad_pos_q,
            grad_neg_q},
           {charge_d, potential_d, grad_charge_d, pos_d, neg_d, spike_d, gate_event_d, grad_pos_d,
            grad_neg_d}, '0)
  `SSNN_FF(gate_q, gate_d, OutputLayer)

  assign spike_o         = spike_q;
  assign grad_pos_o      = grad_pos_q;
  assign grad_neg_o      = grad_neg_q;
  assign charge_o        = charge_q;
  assign potential_o     = potential_q;
  assign grad_charge_o   = grad_charge_q;
  assign pos_potential_o = pos_q;
  assign neg_potential_o = neg_q;
  assign gate_o          = gate_q;

`ifndef SYNTHESIS
  // Input contract of the step functions (sw/include/ssnn/contract/neuron.hpp, ModelConfig::validate).
  always @(posedge clk_i or negedge rst_ni) begin : p_input_check
    if (!rst_ni) begin
      // Nothing to check in reset.
    end else if (!clear_i) begin
      if (fwd_en_i || grad_en_i) begin
        assert (beta_i <= (1 << ssnn_pkg::BetaBits))
          else $error("ssnn_composite_neuron: beta_i=%0d exceeds 2^16", beta_i);
      end
      if (fwd_en_i || grad_en_i || (OutputLayer && (wta_win_i || wta_inhibit_i))) begin
        assert (!(fwd_en_i && grad_en_i) && !(OutputLayer && wta_win_i && wta_inhibit_i)
                && (!OutputLayer || !((fwd_en_i || grad_en_i) && (wta_win_i || wta_inhibit_i))))
          else $error("ssnn_composite_neuron: more than one command in a cycle");
      end
      if (fwd_en_i || (OutputLayer && wta_win_i)) begin
        assert (theta_i >= 1) else $error("ssnn_composite_neuron: theta_i=%0d must be >= 1", theta_i);
      end
      if (fwd_en_i && !OutputLayer) begin
        assert (theta_gate_i >= 1 && theta_gate_i <= theta_i)
          else $error("ssnn_composite_neuron: theta_gate_i=%0d must be in 1..theta_i", theta_gate_i);
      end
      if (grad_en_i && !fwd_en_i) begin
        assert (theta_grad_i >= 1)
          else $error("ssnn_composite_neuron: theta_grad_i=%0d must be >= 1", theta_grad_i);
      end
      if (OutputLayer && wta_inhibit_i && !fwd_en_i && !grad_en_i) begin
        assert (inhibition_i >= 0)
          else $error("ssnn_composite_neuron: inhibition_i=%0d must be >= 0", inhibition_i);
      end
    end
  end
`endif

endmodule
