// Pulse-to-pulse size variation of a cross-point: ssnn::pulse_variation (sw/include/ssnn/contract/synapse.hpp).
//
// Combinational: v = ((word >> 8) mod (2n + 1)) - n for the amplitude n = noise_i < 2^NoiseBits,
// a restoring remainder of NoiseBits + 1 bits over the 24 used word bits (no divider).
`include "ssnn_assert.svh"

module ssnn_pulse_variation #(
  parameter int NoiseBits = 4  // amplitude width, 1..23
) (
  input  logic [ssnn_pkg::NoiseWordBits-1:0] word_i,       // device_noise_word(key, t, row, col)
  input  logic [NoiseBits-1:0]               noise_i,      // amplitude n
  output logic signed [NoiseBits+1:0]        variation_o   // in [-n, n]
);

  localparam int ModBits = NoiseBits + 1;  // 2n + 1 <= 2^(NoiseBits+1) - 1
  localparam int XBits = ssnn_pkg::NoiseWordBits - ssnn_pkg::NoiseShift;

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_RANGE(NoiseBits, 1, 23)
  end
`endif

  logic [ModBits-1:0] modulus;
  logic [XBits-1:0]   x;
  logic [ModBits-1:0] rem;
  logic [ModBits:0]   partial;

  // Most significant bit first: rem < modulus after every stage.
  always_comb begin
    modulus = {noise_i, 1'b1};
    x       = word_i[ssnn_pkg::NoiseWordBits-1:ssnn_pkg::NoiseShift];
    rem     = '0;
    partial = '0;
    for (int i = XBits - 1; i >= 0; i--) begin
      partial = {rem, x[i]};
      if (partial >= {1'b0, modulus}) begin
        partial = partial - {1'b0, modulus};
      end
      rem = partial[ModBits-1:0];
    end
    variation_o = (NoiseBits + 2)'(rem) - (NoiseBits + 2)'(noise_i);
  end

  logic unused_word_low;
  assign unused_word_low = ^word_i[ssnn_pkg::NoiseShift-1:0];

endmodule
