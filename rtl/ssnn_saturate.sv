// Signed saturation of a wide value to a narrower two's-complement register (clamp, never wrap).
//
// Combinational. Implements ssnn::saturate / saturate32 (sw/include/ssnn/contract/fixed_point.hpp):
// values above 2^(OutBits-1)-1 become that maximum, values below -2^(OutBits-1) that minimum.
`include "ssnn_assert.svh"

module ssnn_saturate #(
  parameter int InBits  = 25,  // width of the signed input
  parameter int OutBits = 24   // width of the signed result, at most InBits
) (
  input  logic signed [InBits-1:0]  value_i,
  output logic signed [OutBits-1:0] value_o
);

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_RANGE(OutBits, 2, InBits)
  end
`endif

  if (InBits == OutBits) begin : gen_pass
    assign value_o = value_i;
  end else begin : gen_clamp
    // In range when the bits above the result's sign bit all equal the input's sign.
    logic [InBits-OutBits:0] top_bits;
    logic                    in_range;
    always_comb begin
      top_bits = value_i[InBits-1:OutBits-1];
      in_range = (top_bits == '0) || (top_bits == '1);
      if (in_range) begin
        value_o = value_i[OutBits-1:0];
      end else if (value_i[InBits-1]) begin
        value_o = {1'b1, {(OutBits-1){1'b0}}};  // most negative
      end else begin
        value_o = {1'b0, {(OutBits-1){1'b1}}};  // most positive
      end
    end
  end

endmodule
