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
// Events whose (block, kind) has no output are counted in unrouted_o and discarded.
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
  localparam int BlockBits     = Blocks > 1 ? $clog2(Blocks) : 1
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
  // State and counters (AerRouterCounters); per-channel counters at [k*Width +: Width].
  output logic [InBits-1:0]                rr_pointer_o,
  output logic [NumInputs*OccBits-1:0]     fifo_count_o,
  output logic [NumInputs*OccBits-1:0]     fifo_high_water_o,
  output logic [CountBits-1:0]             cycles_o,
  output logic [NumInputs*CountBits-1:0]   events_in_o,
  output logic [NumInputs*CountBits-1:0]   grants_o,
  output logic [NumInputs*CountBits-1:0]   head_stall_cycles_o,
  output logic [NumInputs*CountBits-1:0]   input_stall_cycles_o,
  output logic [NumInputs*CountBits-1:0]   drops_o,
  output logic [NumOutputs*CountBits-1:0]  events_out_o,
  output logic [CountBits-1:0]             multicast_copies_o,
  output logic [CountBits-1:0]             unrouted_o,
  output logic [CountBits-1:0]             stall_cycles_o,
  output logic [CountBits-1:0]             bandwidth_stall_cycles_o,
  output logic [CountBits-1:0]             output_stall_cycles_o
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
  // Routing table (configuration: no reset, like the weight arrays).
  // ---------------------------------------------------------------------------------------------
  logic [Blocks*Kinds*NumOutputs-1:0] route_q;

  always_ff @(posedge clk_i) begin
    if (route_we_i && 32'(route_block_i) < 32'(Blocks) && route_kind_i != 2'd3) begin
      route_q[(32'(route_block_i) * Kinds + 32'(route_kind_i)) * NumOutputs +: NumOutputs] <= route_mask_i;
    end
  end

  // The route of a packet: its kind and block bits select the entry (the neuron bits do not).
  function automatic logic [NumOutputs-1:0] route_of(input logic [1:0] kind, input logic [7:0] block);
    route_of = '0;
    if (32'(block) < 32'(Blocks) && kind != 2'd3) begin
      route_of = route_q[(32'(block) * Kinds + 32'(kind)) * NumOutputs +: NumOutputs];
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
  // One edge: output handshakes, arbitration, pointer, input handshakes.
  // ---------------------------------------------------------------------------------------------
  logic [NumInputs-1:0]  pop;
  logic [NumOutputs-1:0] claimed;  // outputs taken or reserved at this edge
  logic [EventBits-1:0]  head;
  logic [NumOutputs-1:0] route;
  logic                  go, first_nonempty, bw_stall, out_stall, blocked_found, granted_found;
  logic [InBits-1:0]     first_blocked, last_granted;
  int unsigned           grants, idx;
  logic [CountBits-1:0]  new_copies, new_unrouted;
  logic [PtrBits-1:0]    tail, head_i;
  logic [OccBits-1:0]    count_i, count_new;
  logic [EventBits-1:0]  in_ev;
  logic                  push;

  always_comb begin
    // 1. Output handshakes.
    out_valid_d  = out_valid_q & ~out_ready_i;
    out_ev_d     = out_ev_q;
    for (int o = 0; o < NumOutputs; o++) begin
      events_out_inc[o*CountBits +: CountBits] = CountBits'(out_valid_q[o] && out_ready_i[o]);
    end

    // 2. Arbitration from the pointer over the heads as they were before the edge.
    pop            = '0;
    claimed        = '0;
    grants         = 0;
    first_nonempty = 1'b1;
    bw_stall       = 1'b0;
    out_stall      = 1'b0;
    blocked_found  = 1'b0;
    granted_found  = 1'b0;
    first_blocked  = '0;
    last_granted   = '0;
    new_copies     = '0;
    new_unrouted   = '0;
    head           = '0;
    route          = '0;
    go             = 1'b0;
    head_stall_inc = '0;
    grants_inc     = '0;
    for (int k = 0; k < NumInputs; k++) begin
      idx = 32'(rr_q) + 32'(k);
      if (idx >= 32'(NumInputs)) begin
        idx = idx - 32'(NumInputs);
      end
      if (count_q[idx*OccBits +: OccBits] != '0) begin
        head  = fifo_q[(idx * FifoDepth + 32'(head_q[idx*PtrBits +: PtrBits])) * EventBits +: EventBits];
        route = route_of(head[25:24], head[23:16]);
        go    = grants < 32'(EventsPerCycle);
        if (!go) begin
          bw_stall = 1'b1;
        end else if ((route & (out_valid_d | claimed)) != '0) begin
          go        = 1'b0;
          out_stall = 1'b1;
          // The highest-priority waiting input reserves its outputs: no starvation of multicast.
          if (first_nonempty) begin
            claimed = claimed | route;
          end
        end
        first_nonempty = 1'b0;
        if (!go) begin
          head_stall_inc[idx*CountBits +: CountBits] = CountBits'(1);
          if (!blocked_found) begin
            blocked_found = 1'b1;
            first_blocked = InBits'(idx);
          end
        end else begin
          out_valid_d = out_valid_d | route;
          claimed     = claimed | route;
          for (int o = 0; o < NumOutputs; o++) begin
            if (route[o]) begin
              out_ev_d[o*EventBits +: EventBits] = head;
            end
          end
          if (route == '0) begin
            new_unrouted = new_unrouted + CountBits'(1);
          end else begin
            new_copies = new_copies + CountBits'($countones(route)) - CountBits'(1);
          end
          pop[idx]                               = 1'b1;
          grants_inc[idx*CountBits +: CountBits] = CountBits'(1);
          grants        = grants + 1;
          granted_found = 1'b1;
          last_granted  = InBits'(idx);
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
        tail = PtrBits'((32'(head_i) + 32'(count_i)) % 32'(FifoDepth));
        fifo_d[(i * FifoDepth + 32'(tail)) * EventBits +: EventBits] = in_ev;
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

  // Counters (AerRouterCounters): the router's, each input's, each output's.
  ssnn_counters #(.Counters(6), .CountBits(CountBits)) u_counters (
    .clk_i,
    .rst_ni,
    .inc_i   ({CountBits'(1), new_copies, new_unrouted, stall_inc, bw_stall_inc, out_stall_inc}),
    .count_o ({cycles_o, multicast_copies_o, unrouted_o, stall_cycles_o, bandwidth_stall_cycles_o,
               output_stall_cycles_o})
  );
  ssnn_counters #(.Counters(5 * NumInputs), .CountBits(CountBits)) u_input_counters (
    .clk_i,
    .rst_ni,
    .inc_i   ({events_in_inc, grants_inc, head_stall_inc, in_stall_inc, drops_inc}),
    .count_o ({events_in_o, grants_o, head_stall_cycles_o, input_stall_cycles_o, drops_o})
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
