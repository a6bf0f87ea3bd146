// Command control of a block on the controller's command bus (the neuron cores, the spike
// encoder): start_i while idle takes command op_i (take_o); the block is busy from the next cycle
// until the cycle its done_i is high, and cycle_o counts the cycles since the command was taken
// (0 in its first busy cycle, saturating). done_i is the block's own end condition, a function of
// running_o / cycle_o and its datapath; it is looked at only while busy. busy_cycles_o counts the
// busy cycles since reset (SourceCounters::busy_cycles).
`include "ssnn_registers.svh"

module ssnn_command_ctrl #(
  parameter int CycleBits = 32,  // command cycle counter
  parameter int CountBits = 48   // busy-cycle counter
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 start_i,
  input  logic [2:0]           op_i,           // systemc/chip_types.hpp's Op
  input  logic                 done_i,         // the command in progress ends with this cycle
  output logic                 take_o,         // op_i is taken at this edge
  output logic                 busy_o,
  output logic [2:0]           op_o,           // the last command taken (held after it ends)
  output logic [7:0]           running_o,      // running_o[op]: command op is in progress
  output logic [CycleBits-1:0] cycle_o,
  output logic [CountBits-1:0] busy_cycles_o
);

  logic                 busy_d, busy_q;
  logic [2:0]           op_d, op_q;
  logic [CycleBits-1:0] cyc_d, cyc_q;

  // take_o apart from the next state: it must not depend on done_i, which depends on it.
  assign take_o = start_i && !busy_q;

  always_comb begin
    busy_d = busy_q ? !done_i : take_o;
    op_d   = take_o ? op_i : op_q;
    if (take_o) begin
      cyc_d = '0;
    end else if (busy_q && cyc_q != '1) begin
      cyc_d = cyc_q + CycleBits'(1);
    end else begin
      cyc_d = cyc_q;
    end
  end

  `SSNN_FF({busy_q, op_q, cyc_q}, {busy_d, op_d, cyc_d}, '0)

  assign busy_o    = busy_q;
  assign op_o      = op_q;
  assign running_o = busy_q ? 8'(1) << op_q : '0;
  assign cycle_o   = cyc_q;

  ssnn_counters #(
    .Counters  (1),
    .CountBits (CountBits)
  ) u_busy_cycles (
    .clk_i,
    .rst_ni,
    .inc_i   (CountBits'(busy_q)),
    .count_o (busy_cycles_o)
  );

endmodule
