// One step of the synaptic current filter (the eps kernel): charge += input, beta of it flows out.
//
// Combinational. Bit-exact with ssnn::filter_step (sw/include/ssnn/contract/neuron.hpp):
//   filled   = saturate(charge + input, ChargeBits)
//   transfer = mul_q16(filled, beta) = floor((filled * beta + 2^15) / 2^16)
//   charge'  = filled - transfer
// mul_q16's split-halves formulation equals this full product for beta <= 2^16, which is the
// contract (the port holds up to 2^17 - 1; larger values are flagged by an assertion).
`include "ssnn_assert.svh"

module ssnn_filter_step #(
  parameter int ChargeBits = ssnn_pkg::ChargeBits,  // signed charge register
  parameter int InputBits  = ssnn_pkg::InputBits   // signed step input (sum of weights)
) (
  input  logic signed [ChargeBits-1:0]         charge_i,
  input  logic signed [InputBits-1:0]          input_i,
  input  logic        [ssnn_pkg::BetaBits:0]   beta_i,      // unsigned Q0.16, at most 2^16
  output logic signed [ChargeBits-1:0]         charge_o,    // reservoir after the step
  output logic signed [ChargeBits-1:0]         transfer_o   // delivered to the membrane this step
);

  localparam int BetaBits = ssnn_pkg::BetaBits;
  localparam int SumBits  = ((ChargeBits > InputBits) ? ChargeBits : InputBits) + 1;
  localparam int ProdBits = ChargeBits + BetaBits + 2;  // signed charge x unsigned 17-bit beta

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_RANGE(ChargeBits, 2, 30)
    `SSNN_PARAM_RANGE(InputBits, 2, 32)
  end
`endif

  logic signed [SumBits-1:0]    sum;
  logic signed [ChargeBits-1:0] filled;
  logic signed [BetaBits+1:0]   beta_s;
  logic signed [ProdBits-1:0]   product;
  logic signed [ProdBits-1:0]   rounded;

  always_comb begin
    sum = {{(SumBits-ChargeBits){charge_i[ChargeBits-1]}}, charge_i}
        + {{(SumBits-InputBits){input_i[InputBits-1]}}, input_i};
  end

  ssnn_saturate #(
    .InBits  (SumBits),
    .OutBits (ChargeBits)
  ) u_sat_fill (
    .value_i (sum),
    .value_o (filled)
  );

  always_comb begin
    beta_s  = {1'b0, beta_i};
    product = ProdBits'(filled) * ProdBits'(beta_s);
    rounded = product + ProdBits'(1 << (BetaBits - 1));
    // |transfer| <= |filled| for beta <= 2^16, so the shifted product fits ChargeBits.
    transfer_o = rounded[BetaBits +: ChargeBits];
    charge_o   = filled - transfer_o;
  end

  logic unused_rounded;
  assign unused_rounded = ^{rounded[ProdBits-1:BetaBits+ChargeBits], rounded[BetaBits-1:0]};

endmodule
