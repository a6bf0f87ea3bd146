// One step of the composite neuron, combinational: the next register values from the current ones
// and this cycle's command. ssnn_composite_neuron holds the registers in flip-flops; the neuron
// cores (ssnn_hidden_core) hold them in memories and run Lanes of these steps per cycle.
//
// Bit-exact with the golden step functions (sw/include/ssnn/contract/neuron.hpp), see ssnn_composite_neuron
// for the commands and their priority (clear, forward, gradient, WTA win, WTA inhibit). With no
// command the outputs equal the inputs.
module ssnn_neuron_step #(
  parameter int ChargeBits    = ssnn_pkg::ChargeBits,    // signed synaptic charge registers, 2..30
  parameter int PotentialBits = ssnn_pkg::PotentialBits,    // signed membrane potential registers, 2..30
  parameter int InputBits     = ssnn_pkg::InputBits,    // signed step inputs, >= ChargeBits
  parameter bit OutputLayer   = 1'b0   // 1: output neuron (WTA firing, error neurons, gate open)
) (
  // Commands
  input  logic                            clear_i,
  input  logic                            fwd_en_i,
  input  logic signed [InputBits-1:0]     fwd_in_i,
  input  logic                            grad_en_i,
  input  logic signed [InputBits-1:0]     grad_in_i,
  input  logic                            label_i,
  input  logic                            wta_win_i,
  input  logic                            wta_inhibit_i,
  // Layer parameters
  input  logic [ssnn_pkg::BetaBits:0]     beta_i,
  input  logic signed [PotentialBits-1:0] theta_i,
  input  logic signed [PotentialBits-1:0] theta_grad_i,
  input  logic signed [PotentialBits-1:0] theta_gate_i,
  input  logic signed [ChargeBits-1:0]    err_unit_i,
  input  logic signed [PotentialBits-1:0] inhibition_i,
  // Current state
  input  logic signed [ChargeBits-1:0]    charge_i,
  input  logic signed [PotentialBits-1:0] potential_i,
  input  logic signed [ChargeBits-1:0]    grad_charge_i,
  input  logic signed [PotentialBits-1:0] pos_i,
  input  logic signed [PotentialBits-1:0] neg_i,
  input  logic                            gate_i,
  input  logic                            spike_i,        // forward spike of the current timestep
  input  logic                            gate_event_i,   // hidden: this timestep's gate event
  input  logic                            grad_pos_i,
  input  logic                            grad_neg_i,
  // Next state
  output logic signed [ChargeBits-1:0]    charge_o,
  output logic signed [PotentialBits-1:0] potential_o,
  output logic signed [ChargeBits-1:0]    grad_charge_o,
  output logic signed [PotentialBits-1:0] pos_o,
  output logic signed [PotentialBits-1:0] neg_o,
  output logic                            gate_o,
  output logic                            spike_o,
  output logic                            gate_event_o,
  output logic                            grad_pos_o,
  output logic                            grad_neg_o,
  // Output layer: at threshold and not fired in this timestep (from the current state)
  output logic                            wta_eligible_o
);

  localparam int C = ChargeBits;
  localparam int P = PotentialBits;
  // Lane arithmetic: a potential plus a transfer or minus an inhibition, before saturation.
  localparam int WideBits = ((C > P) ? C : P) + 2;

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
    if (label_i && !spike_i) begin
      err_input = InputBits'(err_unit_i);
    end else if (!label_i && spike_i) begin
      err_input = -(InputBits'(err_unit_i));
    end else begin
      err_input = '0;
    end
    grad_input  = OutputLayer ? err_input : grad_in_i;
    filt_charge = do_grad ? grad_charge_i : charge_i;
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
  assign gate_next = gate_i || (OutputLayer ? spike_i : gate_event_i);

  // ---------------------------------------------------------------------------------------------
  // Lane A: the forward potential (forward step, WTA) or the positive gradient neuron (gradient step)
  // ---------------------------------------------------------------------------------------------
  logic signed [WideBits-1:0] a_operand, a_addend, a_wide;
  logic signed [P-1:0]        a_sum, a_theta, a_next;
  logic signed [P:0]          a_diff;
  logic                       a_fire;

  always_comb begin
    a_operand = do_grad ? WideBits'(pos_i) : WideBits'(potential_i);
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

  assign b_wide = WideBits'(neg_i) - WideBits'(transfer);

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
    assign elig_diff      = (P+1)'(potential_i) - (P+1)'(theta_i);
    assign wta_eligible_o = !spike_i && !elig_diff[P];
    logic unused_hidden_inputs;
    assign unused_hidden_inputs = ^{grad_in_i, theta_gate_i, a_gate_event, gate_event_i};
  end else begin : gen_hidden
    assign wta_eligible_o = 1'b0;
    logic unused_output_inputs;
    assign unused_output_inputs = ^{label_i, wta_win_i, wta_inhibit_i, err_unit_i, inhibition_i, err_input};
  end

  // ---------------------------------------------------------------------------------------------
  // Next state
  // ---------------------------------------------------------------------------------------------
  always_comb begin
    charge_o      = charge_i;
    potential_o   = potential_i;
    grad_charge_o = grad_charge_i;
    pos_o         = pos_i;
    neg_o         = neg_i;
    gate_o        = gate_i;
    spike_o       = spike_i;
    gate_event_o  = gate_event_i;
    grad_pos_o    = grad_pos_i;
    grad_neg_o    = grad_neg_i;
    if (clear_i) begin
      charge_o      = '0;
      potential_o   = '0;
      grad_charge_o = '0;
      pos_o         = '0;
      neg_o         = '0;
      gate_o        = OutputLayer;
      spike_o       = 1'b0;
      gate_event_o  = 1'b0;
      grad_pos_o    = 1'b0;
      grad_neg_o    = 1'b0;
    end else if (do_fwd) begin
      charge_o    = filt_charge_next;
      potential_o  = a_next;
      spike_o      = a_fire;
      gate_event_o = a_gate_event;
    end else if (do_grad) begin
      grad_charge_o = filt_charge_next;
      pos_o         = a_next;
      neg_o         = b_next;
      gate_o        = gate_next;
      grad_pos_o    = a_fire;
      grad_neg_o    = b_fire;
    end else if (do_win || do_inhibit) begin
      potential_o = a_next;
      spike_o     = spike_i || do_win;
    end
  end

endmodule
