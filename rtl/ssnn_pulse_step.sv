// One coincidence pulse applied to a weight: the arithmetic of ssnn::coincidence_update
// (sw/include/ssnn/contract/synapse.hpp) once the AND gate has fired.
//
// Combinational: w' = clamp(w + (pulse + v)) for an up pulse, clamp(w - (pulse + v)) for a down
// pulse, clamped to [w_min_i, w_max_i] with the upper bound tested first, as clamp_to.
`include "ssnn_assert.svh"

module ssnn_pulse_step #(
  parameter int WeightBits = ssnn_pkg::WeightBits,  // signed weight register, 2..24
  parameter int VarBits    = 6    // signed variation width (NoiseBits + 2), 2..WeightBits+1
) (
  input  logic signed [WeightBits-1:0] weight_i,
  input  logic                         down_i,       // 0: up pulse, 1: down pulse
  input  logic        [WeightBits:0]   pulse_i,      // LSBs per pulse of this direction
  input  logic signed [VarBits-1:0]    variation_i,  // this pulse's size variation
  input  logic signed [WeightBits-1:0] w_min_i,
  input  logic signed [WeightBits-1:0] w_max_i,
  output logic signed [WeightBits-1:0] weight_o
);

  localparam int W = WeightBits;
  localparam int MagBits = W + 3;  // signed pulse size after variation
  localparam int SumBits = W + 4;  // weight plus signed step

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_RANGE(WeightBits, 2, 24)
    `SSNN_PARAM_RANGE(VarBits, 2, WeightBits + 1)
  end
`endif

  logic signed [MagBits-1:0] magnitude;
  logic signed [SumBits-1:0] moved;

  always_comb begin
    magnitude = MagBits'({1'b0, pulse_i}) + MagBits'(variation_i);
    moved     = down_i ? (SumBits'(weight_i) - SumBits'(magnitude))
                       : (SumBits'(weight_i) + SumBits'(magnitude));
    if (moved > SumBits'(w_max_i)) begin
      weight_o = w_max_i;
    end else if (moved < SumBits'(w_min_i)) begin
      weight_o = w_min_i;
    end else begin
      weight_o = moved[W-1:0];
    end
  end

endmodule
