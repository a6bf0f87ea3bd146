// AER sender: the sending half of a block that emits address events (neuron cores, encoder), the
// RTL of systemc/aer_source's send().
//
// The block's datapath marks the spikes it has produced in pending bitmaps (set_*_i, one bit per
// neuron, several per cycle); each router channel c offers the lowest pending neuron of its band
// (forward events: neurons c*FwdBand .. c*FwdBand+FwdBand-1; gradient events: the GradBand band),
// delta_p before delta_n of the same neuron, one event at a time with a valid/ready handshake:
// - an offer is registered at an edge from the bitmaps as they were before it (a spike marked at
//   edge k is offered at edge k+1 at the earliest), and held until ready_i is high at an edge;
// - the edge that hands an event over registers the channel's next pending event, so a channel
//   sends one event per cycle while the router takes them;
// - tx_expected_o counts the deliveries the offered events will cause (the fan-out of the event's
//   routing-table entry, from *_fanout_i) at the edge of the offer, as aer_source does; the
//   controller compares it with the tiles' received events (the barrier).
// Events are AerEvent::pack() words: kind [25:24], block FirstBlock + c [23:16], neuron [15:0].
`include "ssnn_assert.svh"
`include "ssnn_registers.svh"

module ssnn_aer_sender #(
  parameter int Neurons    = 64,   // neurons of the block, 1..65536
  parameter int FwdBand    = 64,   // neurons per channel for forward events
  parameter int GradBand   = 64,   // neurons per channel for gradient events
  parameter int FirstBlock = 1,    // AER block of channel 0
  parameter int FanoutBits = 8,    // width of a routing-table entry's destination count
  parameter int CountBits  = 48,   // counter width
  localparam int FwdChannels  = (Neurons + FwdBand - 1) / FwdBand,
  localparam int GradChannels = (Neurons + GradBand - 1) / GradBand,
  localparam int Channels     = FwdChannels > GradChannels ? FwdChannels : GradChannels,
  localparam int EventBits    = 26
) (
  input  logic                            clk_i,
  input  logic                            rst_ni,
  input  logic                            grad_i,         // offers use the gradient bands (held per command)
  // Spikes produced at this edge (offered from the next edge on).
  input  logic [Neurons-1:0]              set_fwd_i,
  input  logic [Neurons-1:0]              set_pos_i,
  input  logic [Neurons-1:0]              set_neg_i,
  // Destinations of (block FirstBlock + c, kind) in the routing table, channel c at [c*FanoutBits +: FanoutBits].
  input  logic [Channels*FanoutBits-1:0]  fwd_fanout_i,
  input  logic [Channels*FanoutBits-1:0]  pos_fanout_i,
  input  logic [Channels*FanoutBits-1:0]  neg_fanout_i,
  // Router input channels.
  output logic [Channels-1:0]             valid_o,
  output logic [Channels*EventBits-1:0]   event_o,
  input  logic [Channels-1:0]             ready_i,
  // Nothing pending and nothing offered after this edge (combinational): the block may end its command.
  output logic                            empty_o,
  // Counters since reset (aer_source's tx_expected and SourceCounters).
  output logic [CountBits-1:0]            tx_expected_o,
  output logic [CountBits-1:0]            events_o,       // events handed over
  output logic [CountBits-1:0]            stall_cycles_o  // channel-cycles an offer waited for ready
);

  localparam int IdxBits = Neurons > 1 ? $clog2(Neurons) : 1;  // neuron index (16-bit field in the event)

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_RANGE(Neurons, 1, 65536)
    `SSNN_PARAM_MIN(FwdBand, 1)
    `SSNN_PARAM_MIN(GradBand, 1)
    assert (FirstBlock >= 0 && FirstBlock + Channels <= 256)
      else $fatal(1, "ssnn_aer_sender: blocks %0d.. past the 8-bit block field", FirstBlock);
    assert (FanoutBits >= 1 && FanoutBits < CountBits && CountBits <= 64)
      else $fatal(1, "ssnn_aer_sender: FanoutBits=%0d, CountBits=%0d out of range", FanoutBits, CountBits);
  end
`endif

  logic [Neurons-1:0] pend_fwd_d, pend_fwd_q;
  logic [Neurons-1:0] pend_pos_d, pend_pos_q;
  logic [Neurons-1:0] pend_neg_d, pend_neg_q;
  logic [Channels-1:0] valid_d, valid_q;
  logic [Channels*EventBits-1:0] event_d, event_q;
  logic [CountBits-1:0] tx_inc, events_inc, stall_inc;

  // Per channel: the lowest pending neuron of its band, its kind and fan-out.
  logic [Channels-1:0]          found;
  logic [Channels*IdxBits-1:0]  found_idx;
  logic [Channels*2-1:0]        found_kind;
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
      if (grad_i) begin
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
        2'd1:    found_fanout[c*FanoutBits +: FanoutBits] = pos_fanout_i[c*FanoutBits +: FanoutBits];
        2'd2:    found_fanout[c*FanoutBits +: FanoutBits] = neg_fanout_i[c*FanoutBits +: FanoutBits];
        default: found_fanout[c*FanoutBits +: FanoutBits] = fwd_fanout_i[c*FanoutBits +: FanoutBits];
      endcase
    end
  end

  // Handshakes, offers and the pending bits they consume.
  logic [Channels-1:0] accept, take;
  logic [Neurons-1:0]  clr_fwd, clr_pos, clr_neg;

  always_comb begin
    accept   = valid_q & ready_i;
    take     = (~valid_q | accept) & found;
    clr_fwd  = '0;
    clr_pos  = '0;
    clr_neg  = '0;
    valid_d  = (valid_q & ~accept) | take;
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
    pend_fwd_d = (pend_fwd_q & ~clr_fwd) | set_fwd_i;
    pend_pos_d = (pend_pos_q & ~clr_pos) | set_pos_i;
    pend_neg_d = (pend_neg_q & ~clr_neg) | set_neg_i;
  end

  assign empty_o = !(|pend_fwd_d) && !(|pend_pos_d) && !(|pend_neg_d) && !(|valid_d);

  `SSNN_FF({pend_fwd_q, pend_pos_q, pend_neg_q, valid_q, event_q},
           {pend_fwd_d, pend_pos_d, pend_neg_d, valid_d, event_d}, '0)

  assign valid_o = valid_q;
  assign event_o = event_q;

  ssnn_counters #(
    .Counters  (3),
    .CountBits (CountBits)
  ) u_counters (
    .clk_i,
    .rst_ni,
    .inc_i   ({tx_inc, events_inc, stall_inc}),
    .count_o ({tx_expected_o, events_o, stall_cycles_o})
  );

endmodule
