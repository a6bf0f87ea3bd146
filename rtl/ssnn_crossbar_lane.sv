// One cross-point's update in a crossbar tile's update pass: the up pulse (row AND dp), then the
// down pulse (row AND dn), each saturating, both with the cross-point's one variation.
//
// Combinational (the function crossbar_lane of ssnn_pulse_fn.svh). Bit-exact with the golden
// model and systemc/crossbar_tile, which apply
// coincidence_update(w, row, 1, 0, word) for a latched dp column and then
// coincidence_update(w, row, 0, 1, word) for a latched dn column: a column with both spikes in one
// step gets both pulses in that order (they do not cancel as in a single cross-point's AND gates).
module ssnn_crossbar_lane #(
  parameter int WeightBits = ssnn_pkg::WeightBits,  // signed weight register, 2..24
  parameter int VarBits    = 3    // signed variation width (NoiseBits + 2)
) (
  input  logic signed [WeightBits-1:0] weight_i,
  input  logic                         up_i,          // row latch AND dp latch
  input  logic                         down_i,        // row latch AND dn latch
  input  logic signed [VarBits-1:0]    variation_i,
  input  logic signed [WeightBits-1:0] w_min_i,
  input  logic signed [WeightBits-1:0] w_max_i,
  input  logic        [WeightBits:0]   pulse_up_i,
  input  logic        [WeightBits:0]   pulse_down_i,
  output logic signed [WeightBits-1:0] weight_o
);

  localparam int W = WeightBits;

`include "ssnn_pulse_fn.svh"

  assign weight_o = crossbar_lane(weight_i, up_i, down_i, variation_i, w_min_i, w_max_i, pulse_up_i,
                                  pulse_down_i);

endmodule
