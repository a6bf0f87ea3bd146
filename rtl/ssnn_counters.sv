// Event counters since reset, the registers behind every block's counter outputs (systemc
// SourceCounters, CoreCounters, EncoderCounters): counter k adds inc_i[k] at every edge and wraps
// at CountBits bits. Flat vectors, counter k at [k*CountBits +: CountBits], so a block connects its
// counter outputs as one concatenation, in the order of its increments.
`include "ssnn_assert.svh"
`include "ssnn_registers.svh"

module ssnn_counters #(
  parameter int Counters  = 1,   // >= 1
  parameter int CountBits = 48   // 1..64
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  input  logic [Counters*CountBits-1:0] inc_i,
  output logic [Counters*CountBits-1:0] count_o
);

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_MIN(Counters, 1)
    `SSNN_PARAM_RANGE(CountBits, 1, 64)
  end
`endif

  logic [Counters*CountBits-1:0] count_d, count_q;

  always_comb begin
    for (int k = 0; k < Counters; k++) begin
      count_d[k*CountBits +: CountBits] = count_q[k*CountBits +: CountBits] + inc_i[k*CountBits +: CountBits];
    end
  end

  `SSNN_FF(count_q, count_d, '0)

  assign count_o = count_q;

endmodule
