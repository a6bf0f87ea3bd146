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
  // Lane arithmetic: a potential plus a transfer or minus an inhibition, before saturation.
  localparam int WideBits = ((C > P) ? C : P) + 2;

`ifndef SYNTHESIS
  initial begin : p_param_check
    assert (ChargeBits >= 2 && ChargeBits <= 30)
      else $fatal(1, "ssnn_composite_neuron: ChargeBits=%0d must be in 2..30", ChargeBits);
    assert (PotentialBits >= 2 && PotentialBits <= 30)
      else $fatal(1, "ssnn_composite_neuron: PotentialBits=%0d must be in 2..30", PotentialBits);
    assert (InputBits >= ChargeBits && InputBits <= 32)
      else $fatal(1, "ssnn_composite_neuron: InputBits=%0d must be in ChargeBits..32", InputBits);
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

  // Decoded commands (priority: clear, forward, gradient, WTA).
  logic do_fwd, do_grad, do_win, do_inhibit;
  always_comb begin
    do_fwd     = !clear_i && fwd_en_i;
    do_grad    = !clear_i && !fwd_en_i && grad_en_i;
    do_win     = OutputLayer && !clear_i && !fwd_en_i && !grad_en_i && wta_win_i;
    do_inhibit = OutputLayer && !clear_i && !fwd_en_i && !grad_en_i && !wta_win_i && wta_inhibit_i;
  end

  // ---------------------------------------------------------------------------------------------
  // Shared synaptic filter: forward charge in the forward phase, gradient charge in the backward one
  // ---------------------------------------------------------------------------------------------
  logic signed [InputBits-1:0] err_input;   // output error neurons: (label - spike) * err_unit
  logic signed [InputBits-1:0] grad_input;
  logic signed [C-1:0]         filt_charge;
  logic signed [InputBits-1:0] filt_input;
  logic signed [C-1:0]         filt_charge_next;
  logic signed [C-1:0]         transfer;

  always_comb begin
    if (label_i && !spike_q) begin
      err_input = InputBits'(err_unit_i);
    end else if (!label_i && spike_q) begin
      err_input = -(InputBits'(err_unit_i));
    end else begin
      err_input = '0;
    end
    grad_input  = OutputLayer ? err_input : grad_in_i;
    filt_charge = do_grad ? grad_charge_q : charge_q;
    filt_input  = do_grad ? grad_input : fwd_in_i;
  end

  ssnn_filter_step #(
    .ChargeBits (C),
    .InputBits  (InputBits)
  ) u_filter (
    .charge_i   (filt_charge),
    .input_i    (filt_input),
    .beta_i,
    .charge_o   (filt_charge_next),
    .transfer_o (transfer)
  );

  // The gate opens with the first gate event of the sample (including this timestep's): a forward
  // spike, or (surrogate gate) the forward potential reaching theta_gate_i.
  logic gate_next;
  assign gate_next = gate_q || (OutputLayer ? spike_q : gate_event_q);

  // ---------------------------------------------------------------------------------------------
  // Lane A: the forward potential (forward step, WTA) or the positive gradient neuron (gradient step)
  // ---------------------------------------------------------------------------------------------
  logic signed [WideBits-1:0] a_operand, a_addend, a_wide;
  logic signed [P-1:0]        a_sum, a_theta, a_next;
  logic signed [P:0]          a_diff;
  logic                       a_fire;

  always_comb begin
    a_operand = do_grad ? WideBits'(pos_q) : WideBits'(potential_q);
    if (do_fwd || do_grad) begin
      a_addend = WideBits'(transfer);
    end else if (do_inhibit) begin
      a_addend = -(WideBits'(inhibition_i));
    end else begin
      a_addend = '0;
    end
    a_wide = a_operand + a_addend;
  end

  ssnn_saturate #(
    .InBits  (WideBits),
    .OutBits (P)
  ) u_sat_a (
    .value_i (a_wide),
    .value_o (a_sum)
  );

  always_comb begin
    a_theta = do_grad ? theta_grad_i : theta_i;
    a_diff  = (P+1)'(a_sum) - (P+1)'(a_theta);
    // Fire: hidden forward neuron at threshold, open-gated gradient neuron at threshold, WTA winner.
    a_fire  = (do_fwd && !OutputLayer && !a_diff[P])
           || (do_grad && gate_next && !a_diff[P])
           || do_win;
    // Reset by subtraction; sum >= theta >= 1 keeps the difference within the register.
    a_next  = a_fire ? a_diff[P-1:0] : a_sum;
  end

  // Gate event of a hidden forward step: a spike or a potential at or above theta_gate_i.
  logic signed [P:0] gate_diff;
  logic              a_gate_event;
  always_comb begin
    gate_diff    = (P+1)'(a_next) - (P+1)'(theta_gate_i);
    a_gate_event = do_fwd && !OutputLayer && (a_fire || !gate_diff[P]);
  end

  // ---------------------------------------------------------------------------------------------
  // Lane B: the negative gradient neuron integrates the negated transfer
  // ---------------------------------------------------------------------------------------------
  logic signed [WideBits-1:0] b_wide;
  logic signed [P-1:0]        b_sum, b_next;
  logic signed [P:0]          b_diff;
  logic                       b_fire;

  assign b_wide = WideBits'(neg_q) - WideBits'(transfer);

  ssnn_saturate #(
    .InBits  (WideBits),
    .OutBits (P)
  ) u_sat_b (
    .value_i (b_wide),
    .value_o (b_sum)
  );

  always_comb begin
    b_diff = (P+1)'(b_sum) - (P+1)'(theta_grad_i);
    b_fire = do_grad && gate_next && !b_diff[P];
    b_next = b_fire ? b_diff[P-1:0] : b_sum;
  end

  // ---------------------------------------------------------------------------------------------
  // Output layer: WTA eligibility (potential at threshold, not fired in this timestep)
  // ---------------------------------------------------------------------------------------------
  if (OutputLayer) begin : gen_output
    logic signed [P:0] elig_diff;
    assign elig_diff      = (P+1)'(potential_q) - (P+1)'(theta_i);
    assign wta_eligible_o = !spike_q && !elig_diff[P];
    logic unused_hidden_inputs;
    assign unused_hidden_inputs = ^{grad_in_i, theta_gate_i, a_gate_event, gate_event_q};
  end else begin : gen_hidden
    assign wta_eligible_o = 1'b0;
    logic unused_output_inputs;
    assign unused_output_inputs = ^{label_i, wta_win_i, wta_inhibit_i, err_unit_i, inhibition_i, err_input};
  end

  // ---------------------------------------------------------------------------------------------
  // Next state
  // ---------------------------------------------------------------------------------------------
  always_comb begin
    charge_d      = charge_q;
    potential_d   = potential_q;
    grad_charge_d = grad_charge_q;
    pos_d         = pos_q;
    neg_d         = neg_q;
    gate_d        = gate_q;
    spike_d       = spike_q;
    gate_event_d  = gate_event_q;
    grad_pos_d    = grad_pos_q;
    grad_neg_d    = grad_neg_q;
    if (clear_i) begin
      charge_d      = '0;
      potential_d   = '0;
      grad_charge_d = '0;
      pos_d         = '0;
      neg_d         = '0;
      gate_d        = OutputLayer;
      spike_d       = 1'b0;
      gate_event_d  = 1'b0;
      grad_pos_d    = 1'b0;
      grad_neg_d    = 1'b0;
    end else if (do_fwd) begin
      charge_d    = filt_charge_next;
      potential_d  = a_next;
      spike_d      = a_fire;
      gate_event_d = a_gate_event;
    end else if (do_grad) begin
      grad_charge_d = filt_charge_next;
      pos_d         = a_next;
      neg_d         = b_next;
      gate_d        = gate_next;
      grad_pos_d    = a_fire;
      grad_neg_d    = b_fire;
    end else if (do_win || do_inhibit) begin
      potential_d = a_next;
      spike_d     = spike_q || do_win;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      charge_q      <= '0;
      potential_q   <= '0;
      grad_charge_q <= '0;
      pos_q         <= '0;
      neg_q         <= '0;
      gate_q        <= OutputLayer;
      spike_q       <= 1'b0;
      gate_event_q  <= 1'b0;
      grad_pos_q    <= 1'b0;
      grad_neg_q    <= 1'b0;
    end else begin
      charge_q      <= charge_d;
      potential_q   <= potential_d;
      grad_charge_q <= grad_charge_d;
      pos_q         <= pos_d;
      neg_q         <= neg_d;
      gate_q        <= gate_d;
      spike_q       <= spike_d;
      gate_event_q  <= gate_event_d;
      grad_pos_q    <= grad_pos_d;
      grad_neg_q    <= grad_neg_d;
    end
  end

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
