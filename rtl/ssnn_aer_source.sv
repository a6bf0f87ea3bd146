// AER source: the command interface and the sending half of a block that emits address events (the
// neuron cores, the spike encoder), the RTL of systemc/aer_source (run() and send()).
//
// Commands: start_i while idle takes command op_i (take_o, apart from the next state: it must not
// depend on done_i, which depends on it); the block is busy from the next cycle until the cycle in
// which its datapath's end condition done_i is high and the sender has handed over every event
// (aer_source::send returns after the last acceptance; a command that sends nothing finds the
// sender empty). done_i is looked at only while busy; it is a function of running_o (running_o[op]:
// command op in progress), cycle_o (cycles since the command was taken: 0 in its first busy cycle,
// saturating) and the block's datapath.
// Events: the spikes the datapath marks on set_i leave through ssnn_aer_sender; kBackward and
// kError commands send gradient events (delta_p / delta_n), the others forward events (the last
// command taken decides, held after it ends).
// Counters since reset (SourceCounters and tx_expected): {tx_expected, events, stall cycles, busy
// cycles} on counters_o, in this order.
`include "ssnn_registers.svh"

module ssnn_aer_source #(
  parameter int Neurons    = 64,   // neurons of the block (ssnn_aer_sender)
  parameter int FwdBand    = 64,   // neurons per channel for forward events
  parameter int GradBand   = 64,   // neurons per channel for gradient events
  parameter int FirstBlock = 1,    // AER block of channel 0
  parameter int FanoutBits = 8,    // width of a routing-table entry's destination count
  parameter int CountBits  = 48,   // counter width
  parameter int CycleBits  = 32,   // command cycle counter
  localparam int FwdChannels  = (Neurons + FwdBand - 1) / FwdBand,
  localparam int GradChannels = (Neurons + GradBand - 1) / GradBand,
  localparam int Channels     = FwdChannels > GradChannels ? FwdChannels : GradChannels,
  localparam int EventBits    = 26
) (
  input  logic                             clk_i,
  input  logic                             rst_ni,
  // Command
  input  logic                             start_i,
  input  logic [2:0]                       op_i,            // systemc/chip_types.hpp's Op
  input  logic                             done_i,          // the datapath's end of the command in progress
  output logic                             take_o,          // op_i is taken at this edge
  output logic                             busy_o,
  output logic [7:0]                       running_o,
  output logic [CycleBits-1:0]             cycle_o,
  // Per event kind k (AER kind: 0 forward, 1 delta_p, 2 delta_n): the spikes produced at this edge
  // (neuron j at [k*Neurons + j]) and the routing table's destination counts of (block FirstBlock + c,
  // kind k) at [(k*Channels + c)*FanoutBits +: FanoutBits].
  input  logic [3*Neurons-1:0]             set_i,
  input  logic [3*Channels*FanoutBits-1:0] fanout_i,
  // Router input channels (ssnn_aer_sender).
  output logic [Channels-1:0]              valid_o,
  output logic [Channels*EventBits-1:0]    event_o,
  input  logic [Channels-1:0]              ready_i,
  output logic [4*CountBits-1:0]           counters_o
);

  localparam logic [2:0] OpError    = 3'd3;
  localparam logic [2:0] OpBackward = 3'd4;

  logic                 busy_d, busy_q;
  logic [2:0]           op_d, op_q;
  logic [CycleBits-1:0] cyc_d, cyc_q;
  logic                 sender_empty;

  assign take_o = start_i && !busy_q;

  always_comb begin
    busy_d = busy_q ? !(done_i && sender_empty) : take_o;
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
  assign running_o = busy_q ? 8'(1) << op_q : '0;
  assign cycle_o   = cyc_q;

  ssnn_aer_sender #(
    .Neurons    (Neurons),
    .FwdBand    (FwdBand),
    .GradBand   (GradBand),
    .FirstBlock (FirstBlock),
    .FanoutBits (FanoutBits),
    .CountBits  (CountBits)
  ) u_sender (
    .clk_i,
    .rst_ni,
    .grad_i         (op_q == OpBackward || op_q == OpError),
    .set_fwd_i      (set_i[0 +: Neurons]),
    .set_pos_i      (set_i[Neurons +: Neurons]),
    .set_neg_i      (set_i[2*Neurons +: Neurons]),
    .fwd_fanout_i   (fanout_i[0 +: Channels*FanoutBits]),
    .pos_fanout_i   (fanout_i[Channels*FanoutBits +: Channels*FanoutBits]),
    .neg_fanout_i   (fanout_i[2*Channels*FanoutBits +: Channels*FanoutBits]),
    .valid_o,
    .event_o,
    .ready_i,
    .empty_o        (sender_empty),
    .tx_expected_o  (counters_o[3*CountBits +: CountBits]),
    .events_o       (counters_o[2*CountBits +: CountBits]),
    .stall_cycles_o (counters_o[CountBits +: CountBits])
  );

  ssnn_counters #(
    .Counters  (1),
    .CountBits (CountBits)
  ) u_busy_cycles (
    .clk_i,
    .rst_ni,
    .inc_i   (CountBits'(busy_q)),
    .count_o (counters_o[0 +: CountBits])
  );

endmodule
