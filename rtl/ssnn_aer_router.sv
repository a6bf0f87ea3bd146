// AER router: per-input FIFOs, a multicast routing table on (source block, kind), round-robin
// arbitration with EventsPerCycle events per edge, valid/ready backpressure and counters.
//
// Cycle-exact with AerRouterCore::clock_edge (systemc/aer_router_core.cpp, docs/router.md), which
// is its reference model in lockstep. At every rising edge, from the values before the edge:
// 1. every output register with out_valid_o && out_ready_i is handed over and freed;
// 2. the FIFO heads are scanned from the round-robin pointer; a head leaves when fewer than
//    EventsPerCycle events have left at this edge and every output of its route is free and not
//    taken or reserved at this edge; it is then copied to all of them (atomic multicast). The
//    first waiting input blocked by an output reserves its outputs for this edge;
// 3. the pointer moves to the first input that waited, else past the last one served;
// 4. inputs with in_valid_i && in_ready_o write their FIFO; in_ready_o becomes "FIFO not full".
// Packets are the 26-bit AerEvent::pack() word: kind [25:24], block [23:16], neuron [15:0].
// The routing table is configuration: written through the route port, kept through reset.
// Events whose (block, kind) has no output are counted (unrouted, counters_o) and discarded.
//
// Structure (as PULP's rr_arb_tree or lowRISC's prim_arbiter): each input's head and route are
// read at fixed indices, the request vector ({route, head present} per input) is rotated once by
// the pointer, scanned in fixed order, and the grants and stalls are rotated back. No signal is
// selected by the rotating pointer inside the scan, and every write (FIFO slot, table entry) is a
// per-slot enable, so synthesis sees muxes of the pointer's and the head's width only.
`include "ssnn_assert.svh"
`include "ssnn_registers.svh"

module ssnn_aer_router #(
  parameter int NumInputs      = 4,   // input channels, 1..32
  parameter int NumOutputs     = 4,   // output channels, 1..64
  parameter int FifoDepth      = 16,  // entries per input FIFO, 1..64
  parameter int EventsPerCycle = 2,   // events leaving the FIFOs per edge, >= 1
  parameter int Blocks         = 16,  // source blocks with table entries (0..Blocks-1), 1..256
  parameter int CountBits      = 48,  // counter width, 8..64
  // The AER packet (AerEvent::kPacketBits and field positions, systemc/aer_event.hpp).
  localparam int EventBits     = 26,
  localparam int InBits        = NumInputs > 1 ? $clog2(NumInputs) : 1,
  localparam int OccBits       = $clog2(FifoDepth + 1),
  localparam int BlockBits     = Blocks > 1 ? $clog2(Blocks) : 1,
  localparam int Counts        = 6,   // counters_o
  localparam int InCounts      = 5    // in_counters_o, per input
) (
  input  logic                             clk_i,
  input  logic                             rst_ni,
  // Input channels (event k at [k*EventBits +: EventBits]).
  input  logic [NumInputs-1:0]             in_valid_i,
  input  logic [NumInputs*EventBits-1:0]   in_event_i,
  output logic [NumInputs-1:0]             in_ready_o,
  // Output channels.
  output logic [NumOutputs-1:0]            out_valid_o,
  output logic [NumOutputs*EventBits-1:0]  out_event_o,
  input  logic [NumOutputs-1:0]            out_ready_i,
  // Routing table: entry (block, kind) <- mask of outputs, written at the edge.
  input  logic                             route_we_i,
  input  logic [BlockBits-1:0]             route_block_i,
  input  logic [1:0]                       route_kind_i,
  input  logic [NumOutputs-1:0]            route_mask_i,
  // State and counters (AerRouterCounters). counters_o, counter k at [k*CountBits]: cycles,
  // multicast copies, unrouted, stall cycles, bandwidth stall cycles, output stall cycles.
  // in_counters_o, counter k of input i at [(k*NumInputs + i)*CountBits]: events in, grants,
  // head-of-line stall cycles, input stall cycles, drops. events_out_o: output k at [k*CountBits].
  output logic [InBits-1:0]                         rr_pointer_o,
  output logic [NumInputs*OccBits-1:0]              fifo_count_o,
  output logic [NumInputs*OccBits-1:0]              fifo_high_water_o,
  output logic [Counts*CountBits-1:0]               counters_o,
  output logic [InCounts*NumInputs*CountBits-1:0]   in_counters_o,
  output logic [NumOutputs*CountBits-1:0]           events_out_o
);

  localparam int Kinds = 3;
  localparam int PtrBits = FifoDepth > 1 ? $clog2(FifoDepth) : 1;

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_RANGE(NumInputs, 1, 32)
    `SSNN_PARAM_RANGE(NumOutputs, 1, 64)
    `SSNN_PARAM_RANGE(FifoDepth, 1, 64)
    `SSNN_PARAM_MIN(EventsPerCycle, 1)
    `SSNN_PARAM_RANGE(Blocks, 1, 256)
    `SSNN_PARAM_RANGE(CountBits, 8, 64)
  end
`endif

  // ---------------------------------------------------------------------------------------------
  // Routing table (configuration: no reset, like the weight arrays). Entry (block, kind) holds the
  // mask of outputs at [(block * Kinds + kind) * NumOutputs +: NumOutputs].
  // ---------------------------------------------------------------------------------------------
  localparam int Entries = Blocks * Kinds;
  localparam int BlockSlots = 1 << BlockBits;  // a block index selects among these (the rest read 0)
  logic [Entries*NumOutputs-1:0] route_d, route_q;

  always_comb begin
    route_d = route_q;
    for (int e = 0; e < Entries; e++) begin
      if (route_we_i && 32'(route_block_i) == e / Kinds && 32'(route_kind_i) == e % Kinds) begin
        route_d[e*NumOutputs +: NumOutputs] = route_mask_i;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    route_q <= route_d;
  end

  // The route of a packet: its kind and block bits select the entry (the neuron bits do not). Each
  // output bit is a BlockSlots-to-1 multiplexer on the block per kind, then one on the kind.
  function automatic logic [NumOutputs-1:0] route_of(input logic [1:0] kind, input logic [7:0] block);
    logic [BlockSlots-1:0] column;
    logic [Kinds-1:0]      by_kind;
    route_of = '0;
    for (int o = 0; o < NumOutputs; o++) begin
      for (int k = 0; k < Kinds; k++) begin
        column = '0;
        for (int b = 0; b < Blocks; b++) begin
          column[b] = route_q[(b * Kinds + k) * NumOutputs + o];
        end
        by_kind[k] = column[block[BlockBits-1:0]];
      end
      route_of[o] = kind == 2'd3 || 32'(block) >= 32'(Blocks) ? 1'b0 : by_kind[kind];
    end
  endfunction

  // ---------------------------------------------------------------------------------------------
  // State.
  // ---------------------------------------------------------------------------------------------
  logic [NumInputs*FifoDepth*EventBits-1:0] fifo_d;  // input i, slot s at (i*FifoDepth + s)
  logic [NumInputs*FifoDepth*EventBits-1:0] fifo_q;
  logic [NumInputs*PtrBits-1:0] head_d;
  logic [NumInputs*PtrBits-1:0] head_q;
  logic [NumInputs*OccBits-1:0] count_d;
  logic [NumInputs*OccBits-1:0] count_q;
  logic [NumInputs*OccBits-1:0] high_d;
  logic [NumInputs*OccBits-1:0] high_q;
  logic [NumInputs-1:0]  ready_d, ready_q;
  logic [NumInputs-1:0]  pending_d, pending_q;          // an offer seen and not accepted
  logic [NumInputs*EventBits-1:0] pending_ev_d;
  logic [NumInputs*EventBits-1:0] pending_ev_q;
  logic [NumOutputs-1:0] out_valid_d, out_valid_q;
  logic [NumOutputs*EventBits-1:0] out_ev_d;
  logic [NumOutputs*EventBits-1:0] out_ev_q;
  logic [InBits-1:0]     rr_d, rr_q;

  // Counter increments of this edge (ssnn_counters), per channel at [k*CountBits +: CountBits].
  logic [NumInputs*CountBits-1:0]  events_in_inc, grants_inc, head_stall_inc, in_stall_inc, drops_inc;
  logic [NumOutputs*CountBits-1:0] events_out_inc;
  logic [CountBits-1:0]            stall_inc, bw_stall_inc, out_stall_inc;

  // ---------------------------------------------------------------------------------------------
  // The FIFO heads and their routes, per input (fixed indices: no select by the pointer).
  // ---------------------------------------------------------------------------------------------
  localparam int ReqBits = NumOutputs + 1;  // a request: {route, head present}
  logic [NumInputs*EventBits-1:0] heads;
  logic [NumInputs*NumOutputs-1:0] routes;
  logic [NumInputs*ReqBits-1:0]   req;

  logic [FifoDepth*EventBits-1:0] fifo_of_input;

  always_comb begin
    fifo_of_input = '0;
    for (int i = 0; i < NumInputs; i++) begin
      fifo_of_input = fifo_q[i*FifoDepth*EventBits +: FifoDepth*EventBits];
      heads[i*EventBits +: EventBits] = fifo_of_input[head_q[i*PtrBits +: PtrBits] * EventBits +: EventBits];
      routes[i*NumOutputs +: NumOutputs] = route_of(heads[i*EventBits + 24 +: 2], heads[i*EventBits + 16 +: 8]);
      req[i*ReqBits +: ReqBits] = {routes[i*NumOutputs +: NumOutputs], count_q[i*OccBits +: OccBits] != '0};
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Round-robin arbitration: the requests are rotated once by the pointer (position k holds input
  // rr + k mod NumInputs), scanned in fixed order, and the grants and stalls rotated back.
  // ---------------------------------------------------------------------------------------------
  logic [2*NumInputs*ReqBits-1:0] req_twice;
  logic [NumInputs*ReqBits-1:0]   req_rot;
  logic [NumInputs-1:0]  pop_rot, stall_rot;       // by scan position
  logic [NumInputs-1:0]  pop, stall;               // by input
  logic [NumOutputs-1:0] claimed;  // outputs taken or reserved at this edge
  logic [NumOutputs-1:0] busy;     // outputs still holding an event after the handshakes
  logic [NumOutputs-1:0] route;
  logic [InBits:0]       grants;   // events granted so far at this edge (at most NumInputs)
  logic [InBits:0]       first_k, last_k;
  logic                  go, first_nonempty, bw_stall, out_stall, blocked_found, granted_found;
  logic [InBits-1:0]     first_blocked, last_granted;

  assign req_twice = {req, req};
  assign req_rot   = req_twice[rr_q * ReqBits +: NumInputs * ReqBits];

  always_comb begin
    busy           = out_valid_q & ~out_ready_i;
    pop_rot        = '0;
    stall_rot      = '0;
    claimed        = '0;
    grants         = '0;
    first_nonempty = 1'b1;
    bw_stall       = 1'b0;
    out_stall      = 1'b0;
    blocked_found  = 1'b0;
    granted_found  = 1'b0;
    first_k        = '0;
    last_k         = '0;
    route          = '0;
    go             = 1'b0;
    for (int k = 0; k < NumInputs; k++) begin
      if (req_rot[k*ReqBits]) begin
        route = req_rot[k*ReqBits + 1 +: NumOutputs];
        go    = 32'(grants) < 32'(EventsPerCycle);
        if (!go) begin
          bw_stall = 1'b1;
        end else if ((route & (busy | claimed)) != '0) begin
          go        = 1'b0;
          out_stall = 1'b1;
          // The highest-priority waiting input reserves its outputs: no starvation of multicast.
          if (first_nonempty) begin
            claimed = claimed | route;
          end
        end
        first_nonempty = 1'b0;
        if (!go) begin
          stall_rot[k] = 1'b1;
          if (!blocked_found) begin
            blocked_found = 1'b1;
            first_k       = (InBits + 1)'(k);
          end
        end else begin
          claimed       = claimed | route;
          pop_rot[k]    = 1'b1;
          grants        = grants + 1'b1;
          granted_found = 1'b1;
          last_k        = (InBits + 1)'(k);
        end
      end
    end
  end

  // Back from scan positions to inputs: input i is at position i - rr mod NumInputs.
  localparam int TwiceBits = $clog2(2 * NumInputs);
  logic [2*NumInputs-1:0] pop_twice, stall_twice;
  logic [TwiceBits-1:0]   unrotate;
  assign unrotate    = TwiceBits'(32'(NumInputs) - 32'(rr_q));
  assign pop_twice   = {pop_rot, pop_rot};
  assign stall_twice = {stall_rot, stall_rot};
  assign pop         = pop_twice[unrotate +: NumInputs];
  assign stall       = stall_twice[unrotate +: NumInputs];

  // The input at scan position k: rr + k, wrapped.
  function automatic logic [InBits-1:0] input_at(input logic [InBits:0] k);
    logic [InBits+1:0] sum;
    sum = (InBits + 2)'(rr_q) + (InBits + 2)'(k);
    input_at = InBits'(sum >= (InBits + 2)'(NumInputs) ? sum - (InBits + 2)'(NumInputs) : sum);
  endfunction
  assign first_blocked = input_at(first_k);
  assign last_granted  = input_at(last_k);

  // ---------------------------------------------------------------------------------------------
  // One edge: output handshakes and copies of the granted heads, pointer, input handshakes.
  // ---------------------------------------------------------------------------------------------
  logic [CountBits-1:0]  new_copies, new_unrouted;
  logic [PtrBits:0]      tail_sum;
  logic [PtrBits-1:0]    tail, head_i;
  logic [OccBits-1:0]    count_i, count_new;
  logic [EventBits-1:0]  in_ev;
  logic                  push;

  always_comb begin
    // 1. Output handshakes; 2. the granted heads copied to all outputs of their routes (a granted
    // route never overlaps another granted route or a busy output).
    out_valid_d  = busy;
    out_ev_d     = out_ev_q;
    for (int o = 0; o < NumOutputs; o++) begin
      events_out_inc[o*CountBits +: CountBits] = CountBits'(out_valid_q[o] && out_ready_i[o]);
    end
    new_copies     = '0;
    new_unrouted   = '0;
    head_stall_inc = '0;
    grants_inc     = '0;
    for (int i = 0; i < NumInputs; i++) begin
      head_stall_inc[i*CountBits +: CountBits] = CountBits'(stall[i]);
      grants_inc[i*CountBits +: CountBits]     = CountBits'(pop[i]);
      if (pop[i]) begin
        out_valid_d = out_valid_d | routes[i*NumOutputs +: NumOutputs];
        for (int o = 0; o < NumOutputs; o++) begin
          if (routes[i*NumOutputs + o]) begin
            out_ev_d[o*EventBits +: EventBits] = heads[i*EventBits +: EventBits];
          end
        end
        if (routes[i*NumOutputs +: NumOutputs] == '0) begin
          new_unrouted = new_unrouted + CountBits'(1);
        end else begin
          new_copies = new_copies + CountBits'($countones(routes[i*NumOutputs +: NumOutputs])) - CountBits'(1);
        end
      end
    end

    // 3. Pointer: the first input that waited, else past the last one served.
    rr_d = rr_q;
    if (blocked_found) begin
      rr_d = first_blocked;
    end else if (granted_found) begin
      rr_d = (32'(last_granted) + 1 == 32'(NumInputs)) ? '0 : last_granted + InBits'(1);
    end

    // 4. Input handshakes against the registered ready.
    fifo_d       = fifo_q;
    head_d       = head_q;
    pending_ev_d = pending_ev_q;
    events_in_inc = '0;
    in_stall_inc  = '0;
    drops_inc     = '0;
    pending_d    = '0;
    count_d      = count_q;
    high_d       = high_q;
    ready_d      = ready_q;
    tail_sum     = '0;
    tail         = '0;
    count_new    = '0;
    for (int i = 0; i < NumInputs; i++) begin
      in_ev   = in_event_i[i*EventBits +: EventBits];
      head_i  = head_q[i*PtrBits +: PtrBits];
      count_i = count_q[i*OccBits +: OccBits];
      push    = in_valid_i[i] && ready_q[i];
      if (pop[i]) begin
        head_d[i*PtrBits +: PtrBits] = (32'(head_i) + 1 == 32'(FifoDepth)) ? '0 : head_i + PtrBits'(1);
      end
      // An offer not accepted must stay until it is: withdrawn or changed, the event is lost.
      if (pending_q[i] && (!in_valid_i[i] || in_ev != pending_ev_q[i*EventBits +: EventBits])) begin
        drops_inc[i*CountBits +: CountBits] = CountBits'(1);
      end
      if (push) begin
        // The tail: head + count, wrapped (count < FifoDepth when the FIFO takes an event).
        tail_sum = (PtrBits + 1)'(head_i) + (PtrBits + 1)'(count_i);
        tail     = PtrBits'(32'(tail_sum) >= FifoDepth ? 32'(tail_sum) - FifoDepth : 32'(tail_sum));
        for (int s = 0; s < FifoDepth; s++) begin
          if (32'(tail) == s) begin
            fifo_d[(i * FifoDepth + s) * EventBits +: EventBits] = in_ev;
          end
        end
        events_in_inc[i*CountBits +: CountBits] = CountBits'(1);
      end else if (in_valid_i[i]) begin
        in_stall_inc[i*CountBits +: CountBits] = CountBits'(1);
        pending_d[i]                           = 1'b1;
        pending_ev_d[i*EventBits +: EventBits] = in_ev;
      end
      count_new = count_i - OccBits'(pop[i]) + OccBits'(push);
      count_d[i*OccBits +: OccBits] = count_new;
      high_d[i*OccBits +: OccBits]  = count_new > high_q[i*OccBits +: OccBits] ? count_new
                                                                               : high_q[i*OccBits +: OccBits];
      ready_d[i] = 32'(count_new) < 32'(FifoDepth);
    end

    stall_inc     = CountBits'(bw_stall || out_stall);
    bw_stall_inc  = CountBits'(bw_stall);
    out_stall_inc = CountBits'(out_stall);
  end

  `SSNN_FF(fifo_q, fifo_d, '0)  // the FIFO storage on its own: the widest register
  `SSNN_FF({head_q, count_q, high_q, pending_ev_q, out_ev_q, ready_q, pending_q, out_valid_q, rr_q},
           {head_d, count_d, high_d, pending_ev_d, out_ev_d, ready_d, pending_d, out_valid_d, rr_d}, '0)

  // Counters (AerRouterCounters): the router's, each input's, each output's (first in the lowest bits).
  ssnn_counters #(.Counters(Counts), .CountBits(CountBits)) u_counters (
    .clk_i,
    .rst_ni,
    .inc_i   ({out_stall_inc, bw_stall_inc, stall_inc, new_unrouted, new_copies, CountBits'(1)}),
    .count_o (counters_o)
  );
  ssnn_counters #(.Counters(InCounts * NumInputs), .CountBits(CountBits)) u_input_counters (
    .clk_i,
    .rst_ni,
    .inc_i   ({drops_inc, in_stall_inc, head_stall_inc, grants_inc, events_in_inc}),
    .count_o (in_counters_o)
  );
  ssnn_counters #(.Counters(NumOutputs), .CountBits(CountBits)) u_output_counters (
    .clk_i,
    .rst_ni,
    .inc_i   (events_out_inc),
    .count_o (events_out_o)
  );

  // ---------------------------------------------------------------------------------------------
  // Outputs.
  // ---------------------------------------------------------------------------------------------
  assign in_ready_o        = ready_q;
  assign out_valid_o       = out_valid_q;
  assign out_event_o       = out_ev_q;  // channel k at [k*EventBits +: EventBits]
  assign rr_pointer_o      = rr_q;
  assign fifo_count_o      = count_q;
  assign fifo_high_water_o = high_q;

endmodule
