// One xorshift32 advance (shifts 13, 17, 5), combinational: Lfsr::next_state
// (sw/include/ssnn/contract/lfsr.hpp). ssnn_lfsr registers it; a chain of these draws several numbers of one
// stream in one cycle (the neuron cores' dropout masks).
module ssnn_lfsr_step (
  input  logic [ssnn_pkg::LfsrBits-1:0] state_i,
  output logic [ssnn_pkg::LfsrBits-1:0] next_o
);

  logic [ssnn_pkg::LfsrBits-1:0] xor13, xor17;

  always_comb begin
    xor13  = state_i ^ (state_i << 13);
    xor17  = xor13 ^ (xor13 >> 17);
    next_o = xor17 ^ (xor17 << 5);
  end

endmodule
