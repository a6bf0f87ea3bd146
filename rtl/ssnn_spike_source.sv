// LFSR Bernoulli spike source of the input and label encoders: one draw per step, p = pixel x ramp.
//
// Bit-exact with ssnn::bernoulli(lfsr, ssnn::pixel_prob_q16(pixel, ramp)) (encoder.hpp, lfsr.hpp):
// prob = ((pixel + pixel>>7) * ramp) >> 8, and a draw advances the LFSR and spikes when the new
// state's upper 16 bits are below prob. The ramp (input_ramp_q16, one value per step for the whole
// layer) comes from the controller. A label source is the same unit with pixel_i = 255, for which
// prob == ramp exactly, and ramp_i = the label rate.
// Timing: a draw on step_i lands at the clock edge; spike_o holds its result from the next cycle
// until the next draw or load. load_i (sample start) loads the stream seed and clears spike_o.
`include "ssnn_assert.svh"
`include "ssnn_registers.svh"

module ssnn_spike_source #(
  parameter int RampBits = ssnn_pkg::ProbBits + 1  // unsigned Q0.16 ramp, 17 bits hold 1.0
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  input  logic                          load_i,   // load seed_i, clear spike_o; wins over step_i
  input  logic [ssnn_pkg::LfsrBits-1:0] seed_i,
  input  logic                          step_i,   // one Bernoulli draw
  input  logic [7:0]                    pixel_i,  // pixel intensity, 255 = full
  input  logic [RampBits-1:0]           ramp_i,   // this step's probability of a full pixel, Q0.16
  output logic                          spike_o,  // result of the last draw
  output logic [RampBits:0]             prob_o,   // the draw's probability, Q0.16 (for checkers)
  output logic [ssnn_pkg::LfsrBits-1:0] state_o   // LFSR state (for checkers)
);

  localparam int ProbBits = ssnn_pkg::ProbBits;

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_RANGE(RampBits, ProbBits + 1, 24)
  end
`endif

  logic [ssnn_pkg::LfsrBits-1:0] lfsr_next;
  logic [RampBits:0]             prob;
  logic                          draw;
  logic                          spike_d, spike_q;

  ssnn_lfsr u_lfsr (
    .clk_i,
    .rst_ni,
    .load_i,
    .seed_i,
    .en_i    (step_i),
    .state_o,
    .next_o  (lfsr_next)
  );

  ssnn_pixel_draw #(
    .RampBits (RampBits)
  ) u_draw (
    .state_i (lfsr_next),
    .pixel_i,
    .ramp_i,
    .prob_o  (prob),
    .spike_o (draw)
  );

  always_comb begin
    spike_d = spike_q;
    if (load_i) begin
      spike_d = 1'b0;
    end else if (step_i) begin
      spike_d = draw;
    end
  end

  `SSNN_FF(spike_q, spike_d, '0)

  assign spike_o = spike_q;
  assign prob_o  = prob;

endmodule
