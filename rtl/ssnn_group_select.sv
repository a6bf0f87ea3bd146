// Group select: the Lanes words of group g from a bus of Words words (word g*Lanes + i on lane i),
// zero on the lanes past the last word. The neuron cores read their neurons' tile sums with it.
//
// Combinational. Each lane is an AND-OR choice among only the words it can ever see (every Lanes-th
// word), so synthesis builds Words x Bits AND gates and an OR tree per lane, not the barrel shifter
// a variable part-select of the whole bus becomes (that one did not finish in yosys at 32 neurons).
`include "ssnn_assert.svh"

module ssnn_group_select #(
  parameter int Words = 64,  // words on the bus, >= 1
  parameter int Lanes = 8,   // words per group, >= 1
  parameter int Bits  = 24,  // bits per word, >= 1
  localparam int Groups    = (Words + Lanes - 1) / Lanes,
  localparam int GroupBits = Groups > 1 ? $clog2(Groups) : 1
) (
  input  logic [GroupBits-1:0]   group_i,
  input  logic [Words*Bits-1:0]  words_i,
  output logic [Lanes*Bits-1:0]  lanes_o
);

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_MIN(Words, 1)
    `SSNN_PARAM_MIN(Lanes, 1)
    `SSNN_PARAM_MIN(Bits, 1)
  end
`endif

  for (genvar i = 0; i < Lanes; i++) begin : gen_lane
    if (i >= Words) begin : gen_empty
      assign lanes_o[i*Bits +: Bits] = '0;
    end else begin : gen_choice
      localparam int LaneWords = (Words - i + Lanes - 1) / Lanes;  // groups holding a word for lane i
      always_comb begin
        lanes_o[i*Bits +: Bits] = '0;
        for (int g = 0; g < LaneWords; g++) begin
          lanes_o[i*Bits +: Bits] = lanes_o[i*Bits +: Bits]
              | (words_i[(g*Lanes + i)*Bits +: Bits] & {Bits{group_i == GroupBits'(g)}});
        end
      end
    end
  end

endmodule
