// AER source: the command interface and the sender of a block that emits address events (the
// neuron cores, the spike encoder), the RTL of systemc/aer_source (run() and send()).
//
// Commands: start_i while idle takes command op_i (take_o, apart from the next state: it must not
// depend on done_i, which depends on it); the block is busy from the next cycle until the cycle in
// which its datapath's end condition done_i is high and the sender has handed over every event
// (aer_source::send returns after the last acceptance; a command that sends nothing finds the
// sender empty). done_i is looked at only while busy; it is a function of running_o (running_o[op]:
// command op in progress), cycle_o (cycles since the command was taken: 0 in its first busy cycle,
// saturating) and the block's datapath.
// Events: the datapath marks the spikes it has produced in pending bitmaps (set_i, one bit per
// neuron and kind, several per cycle); each router channel c offers the lowest pending neuron of its
// band, one event at a time with a valid/ready handshake. kBackward and kError commands send
// gradient events (delta_p before delta_n of the same neuron, bands of GradBand neurons), the others
// forward events (bands of FwdBand neurons); the last command taken decides, held after it ends.
// - an offer is registered at an edge from the bitmaps as they were before it (a spike marked at
//   edge k is offered at edge k+1 at the earliest), and held until ready_i is high at an edge;
// - the edge that hands an event over registers the channel's next pending event, so a channel
//   sends one event per cycle while the router takes them;
// - tx_expected counts the deliveries the offered events will cause (the fan-out of the event's
//   routing-table entry, from fanout_i) at the edge of the offer, as aer_source does; the
//   controller compares it with the tiles' received events (the barrier).
// Events are AerEvent::pack() words: kind [25:24], block FirstBlock + c [23:16], neuron [15:0].
// Counters since reset (SourceCounters and tx_expected): {tx_expected, events, stall cycles, busy
// cycles} on counters_o, in this order.
`include "ssnn_assert.svh"
`include "ssnn_registers.svh"

module ssnn_aer_source #(
  parameter int Neurons    = 64,   // neurons of the block, 1..65536
  parameter int FwdBand    = 64,   // neurons per channel for forward events
  parameter int GradBand   = 64,   // neurons per channel for gradient events
  parameter int FirstBlock = 1,    // AER block of channel 0
  parameter int FanoutBits = 8,    // width of a routing-table entry's destination count
  parameter int CountBits  = 48,   // counter width
  parameter int CycleBits  = 32,   // command cycle counter
  localparam int FwdChannels  = (Neurons + FwdBand - 1) / FwdBand,
  localparam int GradChannels = (Neurons + GradBand - 1) / GradBand,
  localparam int Channels     = FwdChannels > GradChannels ? FwdChannels : GradChannels,
  localparam int EventBits    = 26,
  localparam int Counts       = 4     // counters_o: tx_expected, events, stall cycles, busy cycles
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
  // (neuron j at [k*Neurons + j], offered from the next edge on) and the routing table's destination
  // counts of (block FirstBlock + c, kind k) at [(k*Channels + c)*FanoutBits +: FanoutBits].
  input  logic [3*Neurons-1:0]             set_i,
  input  logic [3*Channels*FanoutBits-1:0] fanout_i,
  // Router input channels.
  output logic [Channels-1:0]              valid_o,
  output logic [Channels*EventBits-1:0]    event_o,
  input  logic [Channels-1:0]              ready_i,
  output logic [Counts*CountBits-1:0]      counters_o
);

  localparam int IdxBits = Neurons > 1 ? $clog2(Neurons) : 1;  // neuron index (16-bit field in the event)

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_RANGE(Neurons, 1, 65536)
    `SSNN_PARAM_MIN(FwdBand, 1)
    `SSNN_PARAM_MIN(GradBand, 1)
    assert (FirstBlock >= 0 && FirstBlock + Channels <= 256)
      else $fatal(1, "ssnn_aer_source: blocks %0d.. past the 8-bit block field", FirstBlock);
    assert (FanoutBits >= 1 && FanoutBits < CountBits && CountBits <= 64)
      else $fatal(1, "ssnn_aer_source: FanoutBits=%0d, CountBits=%0d out of range", FanoutBits, CountBits);
  end
`endif

  // ---------------------------------------------------------------------------------------------
  // Commands
  // ---------------------------------------------------------------------------------------------
  localparam logic [2:0] OpError    = 3'd3;   // the commands that send gradient events
  localparam logic [2:0] OpBackward = 3'd4;

  logic                 busy_d, busy_q;
  logic [2:0]           op_d, op_q;
  logic [CycleBits-1:0] cyc_d, cyc_q;
  logic                 grad;    // offers use the gradient bands (held per command)
  logic                 empty;   // nothing pending and nothing offered after this edge

  assign take_o = start_i && !busy_q;
  assign grad   = op_q == OpBackward || op_q == OpError;

  always_comb begin
    busy_d = busy_q ? !(done_i && empty) : take_o;
    op_d   = take_o ? op_i : op_q;
    if (take_o) begin
      cyc_d = '0;
    end else if (busy_q && cyc_q != '1) begin
      cyc_d = cyc_q + CycleBits'(1);
    end else begin
      cyc_d = cyc_q;
    end
  end

  assign busy_o    = busy_q;
  assign running_o = busy_q ? 8'(1) << op_q : '0;
  assign cycle_o   = cyc_q;

  // ---------------------------------------------------------------------------------------------
  // Sender: per channel, the lowest pending neuron of its band, its kind and fan-out
  // ---------------------------------------------------------------------------------------------
  logic [Neurons-1:0]   pend_fwd_d, pend_fwd_q;
  logic [Neurons-1:0]   pend_pos_d, pend_pos_q;
  logic [Neurons-1:0]   pend_neg_d, pend_neg_q;
  logic [Channels-1:0]  valid_d, valid_q;
  logic [Channels*EventBits-1:0] event_d, event_q;
  logic [CountBits-1:0] tx_inc, events_inc, stall_inc;

  logic [Channels-1:0]            found;
  logic [Channels*IdxBits-1:0]    found_idx;
  logic [Channels*2-1:0]          found_kind;
  logic [Channels*FanoutBits-1:0] found_fanout;

  for (genvar c = 0; c < Channels; c++) begin : gen_channel
    localparam int FLo = c * FwdBand;
    localparam int FHi = (c + 1) * FwdBand < Neurons ? (c + 1) * FwdBand : Neurons;
    localparam int GLo = c * GradBand;
    localparam int GHi = (c + 1) * GradBand < Neurons ? (c + 1) * GradBand : Neurons;
    logic               f_found, g_found;
    logic [IdxBits-1:0] f_idx, g_idx;

    // Scans from the top of the band down, so the lowest pending neuron wins.
    always_comb begin
      f_found = 1'b0;
      f_idx   = '0;
      for (int j = FHi - 1; j >= FLo; j--) begin
        if (pend_fwd_q[j]) begin
          f_found = 1'b1;
          f_idx   = IdxBits'(j);
        end
      end
      g_found = 1'b0;
      g_idx   = '0;
      for (int j = GHi - 1; j >= GLo; j--) begin
        if (pend_pos_q[j] || pend_neg_q[j]) begin
          g_found = 1'b1;
          g_idx   = IdxBits'(j);
        end
      end
    end

    always_comb begin
      if (grad) begin
        found[c]                        = g_found;
        found_idx[c*IdxBits +: IdxBits] = g_idx;
        // delta_p of a neuron leaves before its delta_n.
        found_kind[c*2 +: 2]            = pend_pos_q[g_idx] ? 2'd1 : 2'd2;
      end else begin
        found[c]                        = f_found;
        found_idx[c*IdxBits +: IdxBits] = f_idx;
        found_kind[c*2 +: 2]            = 2'd0;
      end
      case (found_kind[c*2 +: 2])
        2'd1:    found_fanout[c*FanoutBits +: FanoutBits] = fanout_i[(Channels + c)*FanoutBits +: FanoutBits];
        2'd2:    found_fanout[c*FanoutBits +: FanoutBits] = fanout_i[(2*Channels + c)*FanoutBits +: FanoutBits];
        default: found_fanout[c*FanoutBits +: FanoutBits] = fanout_i[c*FanoutBits +: FanoutBits];
      endcase
    end
  end

  // Handshakes, offers and the pending bits they consume.
  logic [Channels-1:0] accept, take;
  logic [Neurons-1:0]  clr_fwd, clr_pos, clr_neg;

  always_comb begin
    accept     = valid_q & ready_i;
    take       = (~valid_q | accept) & found;
    clr_fwd    = '0;
    clr_pos    = '0;
    clr_neg    = '0;
    valid_d    = (valid_q & ~accept) | take;
    event_d    = event_q;
    tx_inc     = '0;
    events_inc = '0;
    stall_inc  = '0;
    for (int c = 0; c < Channels; c++) begin
      if (take[c]) begin
        event_d[c*EventBits +: EventBits] = {found_kind[c*2 +: 2], 8'(FirstBlock + c),
                                             16'(found_idx[c*IdxBits +: IdxBits])};
        tx_inc = tx_inc + CountBits'(found_fanout[c*FanoutBits +: FanoutBits]);
        case (found_kind[c*2 +: 2])
          2'd1:    clr_pos[found_idx[c*IdxBits +: IdxBits]] = 1'b1;
          2'd2:    clr_neg[found_idx[c*IdxBits +: IdxBits]] = 1'b1;
          default: clr_fwd[found_idx[c*IdxBits +: IdxBits]] = 1'b1;
        endcase
      end
      if (accept[c]) begin
        events_inc = events_inc + CountBits'(1);
      end
      if (valid_q[c] && !ready_i[c]) begin
        stall_inc = stall_inc + CountBits'(1);
      end
    end
    pend_fwd_d = (pend_fwd_q & ~clr_fwd) | set_i[0 +: Neurons];
    pend_pos_d = (pend_pos_q & ~clr_pos) | set_i[Neurons +: Neurons];
    pend_neg_d = (pend_neg_q & ~clr_neg) | set_i[2*Neurons +: Neurons];
  end

  assign empty   = !(|pend_fwd_d) && !(|pend_pos_d) && !(|pend_neg_d) && !(|valid_d);
  assign valid_o = valid_q;
  assign event_o = event_q;

  // ---------------------------------------------------------------------------------------------
  // Registers and counters
  // ---------------------------------------------------------------------------------------------
  `SSNN_FF({busy_q, op_q, cyc_q, pend_fwd_q, pend_pos_q, pend_neg_q, valid_q, event_q},
           {busy_d, op_d, cyc_d, pend_fwd_d, pend_pos_d, pend_neg_d, valid_d, event_d}, '0)

  ssnn_counters #(
    .Counters  (Counts),
    .CountBits (CountBits)
  ) u_counters (
    .clk_i,
    .rst_ni,
    .inc_i   ({tx_inc, events_inc, stall_inc, CountBits'(busy_q)}),
    .count_o (counters_o)
  );

endmodule
