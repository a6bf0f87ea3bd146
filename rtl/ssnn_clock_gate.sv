// Integrated clock gate (ICG): clk_o = clk_i while the enable sampled in the clock's low phase is
// set, so a block whose clock is gated keeps every register (docs/rtl.md, "Clock gating").
//
// The behavioural model of the latch-based standard cell a synthesis flow maps it to (as lowRISC's
// prim_clock_gating): a latch, transparent while clk_i is low, holds en_i | test_en_i through the
// high phase, so a change of the enable after the rising edge cannot cut or add a clock pulse.
// For synthesis it is a black box, like ssnn_mem (scripts/rtl_synth.py): a library's ICG cell
// goes there, not a latch of generic gates.
module ssnn_clock_gate (
  input  logic clk_i,
  input  logic en_i,       // the block's registers take the next rising edge
  input  logic test_en_i,  // scan mode: the clock runs
  output logic clk_o
);

  logic en_latch;

  always_latch begin
    if (!clk_i) begin
      en_latch = en_i | test_en_i;
    end
  end

  assign clk_o = en_latch & clk_i;

endmodule
