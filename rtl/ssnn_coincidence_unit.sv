// Cross-point update unit: AND of row and column pulses, saturating up/down weight update (eq. 10).
//
// Holds one weight. Bit-exact with ssnn::coincidence_update (sw/include/ssnn/contract/synapse.hpp) on
// update_i: no change unless row_i and exactly one of col_pos_i / col_neg_i; otherwise the weight
// moves up by pulse_up_i + v or down by pulse_down_i + v, v = pulse_variation(noise_word_i,
// pulse_noise_i) = ((word >> 8) mod (2n + 1)) - n, and is clamped to [w_min_i, w_max_i].
// Device non-idealities are all inputs: finite states (bounds and a pulse of one level), up/down
// asymmetry (pulse_up_i != pulse_down_i), pulse-to-pulse noise (NoiseBits > 0, n < 2^NoiseBits).
// Pulse sizes above 2^WeightBits + 2^NoiseBits always reach a bound: the controller may clamp larger
// configured pulses to 2^(WeightBits+1) - 1 without changing any result.
// Timing: load_i or update_i lands at the clock edge; weight_o shows it the next cycle.
`include "ssnn_assert.svh"
`include "ssnn_registers.svh"

module ssnn_coincidence_unit #(
  parameter int WeightBits = ssnn_pkg::WeightBits,  // signed weight register, 2..24
  parameter int NoiseBits  = ssnn_pkg::NoiseBits    // pulse-noise amplitude width, 0 (no noise hardware)..WeightBits-1
) (
  input  logic                                 clk_i,
  input  logic                                 rst_ni,
  input  logic                                 load_i,         // write load_weight_i; wins over update_i
  input  logic signed [WeightBits-1:0]         load_weight_i,
  input  logic                                 update_i,       // end of the timestep: apply the pulses
  input  logic                                 row_i,          // pre-synaptic forward spike
  input  logic                                 col_pos_i,      // post-synaptic delta_p spike
  input  logic                                 col_neg_i,      // post-synaptic delta_n spike
  input  logic signed [WeightBits-1:0]         w_min_i,
  input  logic signed [WeightBits-1:0]         w_max_i,
  input  logic        [WeightBits:0]           pulse_up_i,     // LSBs per up pulse
  input  logic        [WeightBits:0]           pulse_down_i,   // LSBs per down pulse
  input  logic [(NoiseBits > 0 ? NoiseBits : 1)-1:0] pulse_noise_i,  // variation amplitude n
  input  logic [ssnn_pkg::NoiseWordBits-1:0]   noise_word_i,   // device_noise_word(key, t, row, col)
  output logic                                 up_o,           // an up pulse lands at this edge
  output logic                                 down_o,         // a down pulse lands at this edge
  output logic signed [WeightBits-1:0]         weight_o
);

  localparam int W = WeightBits;
  localparam int NoiseWidth = (NoiseBits > 0) ? NoiseBits : 1;
  localparam int VarBits = NoiseWidth + 2;  // signed variation in [-n, n]

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_RANGE(WeightBits, 2, 24)
    `SSNN_PARAM_RANGE(NoiseBits, 0, WeightBits - 1)
  end
`endif

  logic signed [W-1:0] weight_d, weight_q;

  // Coincidence: the AND gates of the cross-point; simultaneous up and down cancel.
  always_comb begin
    up_o   = update_i && !load_i && row_i && col_pos_i && !col_neg_i;
    down_o = update_i && !load_i && row_i && col_neg_i && !col_pos_i;
  end

  // Pulse-to-pulse variation v = ((word >> 8) mod (2n + 1)) - n.
  logic signed [VarBits-1:0] variation;

  if (NoiseBits > 0) begin : gen_noise
    ssnn_pulse_variation #(
      .NoiseBits(NoiseBits)
    ) u_variation (
      .word_i     (noise_word_i),
      .noise_i    (pulse_noise_i),
      .variation_o(variation)
    );
  end else begin : gen_no_noise
    assign variation = '0;
    logic unused_noise_inputs;
    assign unused_noise_inputs = ^{pulse_noise_i, noise_word_i};
  end

  // Signed step and the clamp to the device bounds.
  logic signed [W-1:0] updated;

  ssnn_pulse_step #(
    .WeightBits(W),
    .VarBits   (VarBits)
  ) u_step (
    .weight_i   (weight_q),
    .down_i     (!col_pos_i),
    .pulse_i    (col_pos_i ? pulse_up_i : pulse_down_i),
    .variation_i(variation),
    .w_min_i    (w_min_i),
    .w_max_i    (w_max_i),
    .weight_o   (updated)
  );

  always_comb begin
    weight_d = weight_q;
    if (load_i) begin
      weight_d = load_weight_i;
    end else if (up_o || down_o) begin
      weight_d = updated;
    end
  end

  `SSNN_FF(weight_q, weight_d, '0)

  assign weight_o = weight_q;

endmodule
