// Memory wrapper: the one behavioural array of the RTL, where a memory compiler's macro goes.
//
// A single-port (1RW) synchronous SRAM of Words words of DataBits bits with a bit-write mask, the
// port list of a typical compiled macro: one access per cycle, selected by req_i. A read
// (req_i, !we_i) shows the word on rdata_o from the next cycle on, and rdata_o holds it until the
// next read (unselected cycles and writes do not change it: the blocks rely on that, as ODIN's
// and ReckOn's sweeps do). A write (req_i, we_i) stores the bits of wdata_i whose wmask_i bit is
// set. No reset: the array and the output register power up undefined, as a macro does.
// For synthesis the module is a black box (scripts/rtl_area.sh); the behavioural body simulates.
`include "ssnn_assert.svh"

module ssnn_mem #(
  parameter int Words    = 256,  // number of words, >= 2
  parameter int DataBits = 64    // bits per word, >= 1
) (
  input  logic                         clk_i,
  input  logic                         req_i,    // access this cycle
  input  logic                         we_i,     // 1: write, 0: read
  input  logic [$clog2(Words)-1:0]     addr_i,
  input  logic [DataBits-1:0]          wdata_i,
  input  logic [DataBits-1:0]          wmask_i,  // write enable per bit
  output logic [DataBits-1:0]          rdata_o
);

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_MIN(Words, 2)
    `SSNN_PARAM_MIN(DataBits, 1)
  end
  // An address past the last word is a caller bug (a macro's behaviour there is undefined).
  always @(posedge clk_i) begin : p_addr_check
    if (req_i) begin
      assert (32'(addr_i) < 32'(Words))
        else $error("ssnn_mem: address %0d past the last word %0d", addr_i, Words - 1);
    end
  end
`endif

  logic [DataBits-1:0] mem_q [Words];
  logic [DataBits-1:0] rdata_q;

  // The array itself: no reset, per-bit write enables (the macro's bit mask).
  always_ff @(posedge clk_i) begin
    if (req_i && we_i) begin
      mem_q[addr_i] <= (mem_q[addr_i] & ~wmask_i) | (wdata_i & wmask_i);
    end
  end

  always_ff @(posedge clk_i) begin
    if (req_i && !we_i) begin
      rdata_q <= mem_q[addr_i];
    end
  end

  assign rdata_o = rdata_q;

endmodule
