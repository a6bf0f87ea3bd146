// xorshift32 random source (shifts 13, 17, 5) with seed load and enable: the chip's LFSR.
//
// Bit-exact with ssnn::Lfsr (sw/include/ssnn/contract/lfsr.hpp): load(seed) maps a zero seed to
// ssnn_pkg::LfsrZeroSeed, next_state(s) = ((s ^ s<<13) ^ ...>>17) ^ ...<<5. One advance per enabled
// cycle; the new state is visible on state_o the cycle after en_i. next_o is next_state(state_o),
// i.e. the word that the next advance will produce (a Bernoulli draw compares it in the same cycle).
`include "ssnn_registers.svh"

module ssnn_lfsr #(
  // State after an asynchronous reset: the golden Lfsr's default state. Must be nonzero.
  parameter logic [ssnn_pkg::LfsrBits-1:0] ResetState = 32'h0000_0001
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  input  logic                          load_i,   // load seed_i (zero loads LfsrZeroSeed); wins over en_i
  input  logic [ssnn_pkg::LfsrBits-1:0] seed_i,
  input  logic                          en_i,     // advance one state
  output logic [ssnn_pkg::LfsrBits-1:0] state_o,
  output logic [ssnn_pkg::LfsrBits-1:0] next_o
);

  localparam int Bits = ssnn_pkg::LfsrBits;

`ifndef SYNTHESIS
  initial begin : p_param_check
    assert (ResetState != '0) else $fatal(1, "ssnn_lfsr: ResetState must be nonzero");
  end
`endif

  logic [Bits-1:0] state_d, state_q;
  logic [Bits-1:0] xor5;  // the next state

  ssnn_lfsr_step u_step (
    .state_i (state_q),
    .next_o  (xor5)
  );

  always_comb begin
    state_d = state_q;
    if (load_i) begin
      state_d = (seed_i == '0) ? ssnn_pkg::LfsrZeroSeed : seed_i;
    end else if (en_i) begin
      state_d = xor5;
    end
  end

  `SSNN_FF(state_q, state_d, ResetState)

  assign state_o = state_q;
  assign next_o  = xor5;

endmodule
