// Flip-flops with the chip's asynchronous active-low reset, written once: `SSNN_FF(q, d, reset) is
// the always_ff that holds q at reset while rst_ni is low and loads d at every rising edge of clk_i
// (as the FF macro of PULP common_cells' registers.svh). q and d may be concatenations of several
// registers; the unit's clock and reset ports are clk_i and rst_ni.
`ifndef SSNN_REGISTERS_SVH
`define SSNN_REGISTERS_SVH

`define SSNN_FF(Q, D, RESET) \
  always_ff @(posedge clk_i or negedge rst_ni) begin \
    if (!rst_ni) Q <= (RESET); \
    else         Q <= (D); \
  end

`endif  // SSNN_REGISTERS_SVH
