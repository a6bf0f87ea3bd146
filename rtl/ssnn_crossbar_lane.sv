// One cross-point's update in a crossbar tile's update pass: the up pulse (row AND dp), then the
// down pulse (row AND dn), each saturating, both with the cross-point's one variation.
//
// Combinational. Bit-exact with the golden model and systemc/crossbar_tile, which apply
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

  logic signed [WeightBits-1:0] after_up, moved_up, moved_down;

  ssnn_pulse_step #(
    .WeightBits(WeightBits),
    .VarBits   (VarBits)
  ) u_up (
    .weight_i   (weight_i),
    .down_i     (1'b0),
    .pulse_i    (pulse_up_i),
    .variation_i(variation_i),
    .w_min_i    (w_min_i),
    .w_max_i    (w_max_i),
    .weight_o   (moved_up)
  );

  assign after_up = up_i ? moved_up : weight_i;

  ssnn_pulse_step #(
    .WeightBits(WeightBits),
    .VarBits   (VarBits)
  ) u_down (
    .weight_i   (after_up),
    .down_i     (1'b1),
    .pulse_i    (pulse_down_i),
    .variation_i(variation_i),
    .w_min_i    (w_min_i),
    .w_max_i    (w_max_i),
    .weight_o   (moved_down)
  );

  assign weight_o = down_i ? moved_down : after_up;

endmodule
