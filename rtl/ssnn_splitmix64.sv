// SplitMix64 finaliser, combinational: ssnn::splitmix64 (sw/include/ssnn/contract/seeding.hpp).
//
// Two 64x64-bit multiplies truncated to 64 bits; a caller that uses only the low bits of z_o lets
// synthesis drop the rest of the last stage.
module ssnn_splitmix64 (
  input  logic [63:0] x_i,
  output logic [63:0] z_o
);

  logic [63:0] z0, z1, z2;

  always_comb begin
    z0  = x_i + 64'h9E37_79B9_7F4A_7C15;
    z1  = (z0 ^ (z0 >> 30)) * 64'hBF58_476D_1CE4_E5B9;
    z2  = (z1 ^ (z1 >> 27)) * 64'h94D0_49BB_1331_11EB;
    z_o = z2 ^ (z2 >> 31);
  end

endmodule
