// One coincidence pulse applied to a weight: the arithmetic of ssnn::coincidence_update
// (sw/include/ssnn/contract/synapse.hpp) once the AND gate has fired.
//
// Combinational: w' = clamp(w + (pulse + v)) for an up pulse, clamp(w - (pulse + v)) for a down
// pulse, clamped to [w_min_i, w_max_i] with the upper bound tested first, as clamp_to (the function
// pulse_step of ssnn_pulse_fn.svh).
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

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_RANGE(WeightBits, 2, 24)
    `SSNN_PARAM_RANGE(VarBits, 2, WeightBits + 1)
  end
`endif

`include "ssnn_pulse_fn.svh"

  assign weight_o = pulse_step(weight_i, down_i, pulse_i, variation_i, w_min_i, w_max_i);

endmodule
