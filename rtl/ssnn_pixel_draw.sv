// A pixel's Bernoulli draw, combinational: bernoulli_from_state(new_state, pixel_prob_q16(pixel,
// ramp)) of sw/include/ssnn/contract/encoder.hpp and lfsr.hpp. The spike source (one LFSR) and the spike
// encoder's lanes share it.
//   prob  = ((pixel + pixel >> 7) * ramp) >> 8      (pixel 255 gives prob == ramp exactly)
//   spike = (new_state >> 16) < prob
module ssnn_pixel_draw #(
  parameter int RampBits = ssnn_pkg::ProbBits + 1  // unsigned Q0.16 ramp, 17 bits hold 1.0
) (
  input  logic [ssnn_pkg::LfsrBits-1:0] state_i,  // the LFSR state after this draw's advance
  input  logic [7:0]                    pixel_i,
  input  logic [RampBits-1:0]           ramp_i,
  output logic [RampBits:0]             prob_o,
  output logic                          spike_o
);

  localparam int ProbBits = ssnn_pkg::ProbBits;
  localparam int ProdBits = 9 + RampBits;  // (pixel + pixel>>7) <= 256 is 9 bits

  logic [8:0]          scale;
  logic [ProdBits-1:0] product;

  always_comb begin
    scale   = {1'b0, pixel_i} + {8'd0, pixel_i[7]};
    product = {{(ProdBits-9){1'b0}}, scale} * {9'd0, ramp_i};
    prob_o  = product[ProdBits-1:8];
    spike_o = {{(RampBits+1-ProbBits){1'b0}}, state_i[ssnn_pkg::LfsrBits-1 -: ProbBits]} < prob_o;
  end

  logic unused_low_bits;
  assign unused_low_bits = ^{state_i[ssnn_pkg::LfsrBits-ProbBits-1:0], product[7:0]};

endmodule
