// Output layer: NumOutputs composite output neurons with their error neurons and the WTA resolver.
//
// Per timestep (each command one cycle, see ssnn_composite_neuron and ssnn_wta):
//   fwd_en_i     forward integration of every output (fwd_in_i: output k's input at
//                [k*InputBits +: InputBits]);
//   wta_start_i  from the next cycle on: WTA firing, k + 1 cycles for k output spikes, wta_done_o
//                high in the last one (inhibition_i = 0 is independent firing, WTA off);
//   grad_en_i    after wta_done_o (training only): error neurons with (label_i[k] - spike_o[k]) *
//                err_unit_i, gate open, threshold theta_err_i.
// clear_i starts a sample. The composite neurons hold every register; this module only wires them.
module ssnn_output_layer #(
  parameter int NumOutputs    = ssnn_pkg::NumOutputs,
  parameter int ChargeBits    = ssnn_pkg::ChargeBits,
  parameter int PotentialBits = ssnn_pkg::PotentialBits,
  parameter int InputBits     = ssnn_pkg::InputBits
) (
  input  logic                                  clk_i,
  input  logic                                  rst_ni,
  input  logic                                  clear_i,
  input  logic                                  fwd_en_i,
  input  logic [NumOutputs*InputBits-1:0]       fwd_in_i,
  input  logic                                  wta_start_i,
  input  logic                                  grad_en_i,
  input  logic [NumOutputs-1:0]                 label_i,        // target spikes of this timestep
  input  logic [ssnn_pkg::BetaBits:0]           beta_i,
  input  logic signed [PotentialBits-1:0]       theta_i,        // theta_out
  input  logic signed [PotentialBits-1:0]       theta_err_i,    // theta_N
  input  logic signed [ChargeBits-1:0]          err_unit_i,
  input  logic signed [PotentialBits-1:0]       inhibition_i,
  output logic [NumOutputs-1:0]                 spike_o,
  output logic [NumOutputs-1:0]                 grad_pos_o,
  output logic [NumOutputs-1:0]                 grad_neg_o,
  output logic                                  wta_busy_o,
  output logic                                  wta_done_o,
  output logic [NumOutputs*ChargeBits-1:0]      charge_o,
  output logic [NumOutputs*PotentialBits-1:0]   potential_o,
  output logic [NumOutputs*ChargeBits-1:0]      grad_charge_o,
  output logic [NumOutputs*PotentialBits-1:0]   pos_potential_o,
  output logic [NumOutputs*PotentialBits-1:0]   neg_potential_o,
  output logic [NumOutputs-1:0]                 gate_o
);

  localparam int N = NumOutputs;
  localparam int C = ChargeBits;
  localparam int P = PotentialBits;

  logic [N-1:0] eligible, win, inhibit;

  for (genvar k = 0; k < N; k++) begin : gen_neuron
    ssnn_composite_neuron #(
      .ChargeBits    (C),
      .PotentialBits (P),
      .InputBits     (InputBits),
      .OutputLayer   (1'b1)
    ) u_neuron (
      .clk_i,
      .rst_ni,
      .clear_i,
      .fwd_en_i,
      .fwd_in_i        (fwd_in_i[k*InputBits +: InputBits]),
      .grad_en_i,
      .grad_in_i       ({InputBits{1'b0}}),
      .label_i         (label_i[k]),
      .wta_win_i       (win[k]),
      .wta_inhibit_i   (inhibit[k]),
      .beta_i,
      .theta_i,
      .theta_grad_i    (theta_err_i),
      .theta_gate_i    (theta_i),      // unused: the output gate is open from clear_i
      .err_unit_i,
      .inhibition_i,
      .spike_o         (spike_o[k]),
      .grad_pos_o      (grad_pos_o[k]),
      .grad_neg_o      (grad_neg_o[k]),
      .wta_eligible_o  (eligible[k]),
      .charge_o        (charge_o[k*C +: C]),
      .potential_o     (potential_o[k*P +: P]),
      .grad_charge_o   (grad_charge_o[k*C +: C]),
      .pos_potential_o (pos_potential_o[k*P +: P]),
      .neg_potential_o (neg_potential_o[k*P +: P]),
      .gate_o          (gate_o[k])
    );
  end

  ssnn_wta #(
    .NumOutputs    (N),
    .PotentialBits (P)
  ) u_wta (
    .clk_i,
    .rst_ni,
    .start_i      (wta_start_i),
    .eligible_i   (eligible),
    .potentials_i (potential_o),
    .win_o        (win),
    .inhibit_o    (inhibit),
    .busy_o       (wta_busy_o),
    .done_o       (wta_done_o)
  );

endmodule
