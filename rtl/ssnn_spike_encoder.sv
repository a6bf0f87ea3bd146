// Spike encoder: the input pixels' and the label's LFSR Bernoulli spike sources, the RTL of
// systemc/spike_encoder (docs/rtl.md, "ssnn_spike_encoder").
//
// State: the sample's pixels (written by the host while idle), one xorshift32 LFSR and one input
// dropout keep bit per pixel, the label LFSR. They are flip-flops: the SystemC encoder draws group g
// of Lanes pixels so that its spikes leave in cycle g + 1, which leaves no cycle for a memory read
// (an SRAM version would take two cycles more per step; docs/rtl.md).
// Commands (start_i while idle, op_i as systemc/chip_types.hpp's Op):
// - kSampleBegin: Lanes seed-hash units (stream_seed(key, pixel); the label's stream after the
//   last pixel) fill the LFSRs, SeedGroups = ceil((Inputs + 1) / Lanes) groups, through a
//   pipeline of SeedHashLatency cycles; the input dropout mask (an LFSR seeded with
//   stream_seed(key, kDropoutBase), Lanes draws per cycle) alongside. SeedGroups + 4 cycles.
// - kForward: the label draw (learning only) at the command's edge, on label_valid_o /
//   label_class_o from the next cycle; pixel group g drawn at edge g (Lanes lanes of ssnn_lfsr_step
//   and ssnn_pixel_draw; a dark or dropped pixel's LFSR does not advance), its spikes offered from
//   edge g + 1 by the AER sender. At least Groups = ceil(Inputs / Lanes) cycles, until every event
//   has been handed over.
// - any other op: one cycle.
// ramp_i (input_ramp_q16 of this step), label_q16_i and drop_q16_i are held by the controller.
`include "ssnn_assert.svh"

module ssnn_spike_encoder #(
  parameter int Inputs     = 64,  // pixels, 1..65535
  parameter int Lanes      = 4,   // pixels drawn and seeds hashed per cycle, 1..Inputs
  parameter int RowBand    = 64,  // pixels per channel (rows of a first-layer tile)
  parameter int FirstBlock = 0,   // AER block of channel 0
  parameter int FanoutBits = 8,
  parameter int CountBits  = 48,
  localparam int Groups     = (Inputs + Lanes - 1) / Lanes,
  localparam int SeedGroups = (Inputs + 1 + Lanes - 1) / Lanes,
  localparam int Channels   = (Inputs + RowBand - 1) / RowBand,
  localparam int PixBits    = Inputs > 1 ? $clog2(Inputs) : 1,
  localparam int EventBits  = 26
) (
  input  logic                            clk_i,
  input  logic                            rst_ni,
  // Command
  input  logic                            start_i,
  input  logic [2:0]                      op_i,
  input  logic                            learn_i,
  input  logic [63:0]                     sample_key_i,
  output logic                            busy_o,
  input  logic [ssnn_pkg::ProbBits:0]     ramp_i,        // this step's full-pixel probability, Q0.16
  input  logic [ssnn_pkg::ProbBits:0]     label_q16_i,   // label rate, Q0.16
  input  logic [ssnn_pkg::ProbBits:0]     drop_q16_i,    // input dropout probability, Q0.16
  // Host: pixel memory (one pixel per cycle while idle) and the sample's label.
  input  logic                            pix_we_i,
  input  logic [PixBits-1:0]              pix_addr_i,
  input  logic [7:0]                      pix_data_i,
  input  logic [7:0]                      label_i,
  // Target spike of this step, to the output core.
  output logic                            label_valid_o,
  output logic [7:0]                      label_class_o,
  // AER channels
  input  logic [Channels*FanoutBits-1:0]  fanout_i,
  output logic [Channels-1:0]             valid_o,
  output logic [Channels*EventBits-1:0]   event_o,
  input  logic [Channels-1:0]             ready_i,
  output logic [CountBits-1:0]            tx_expected_o,
  // Counters since reset (systemc EncoderCounters and SourceCounters)
  output logic [CountBits-1:0]            lfsr_draws_o,
  output logic [CountBits-1:0]            input_spikes_o,
  output logic [CountBits-1:0]            label_spikes_o,
  output logic [CountBits-1:0]            seed_loads_o,
  output logic [CountBits-1:0]            events_o,
  output logic [CountBits-1:0]            stall_cycles_o,
  output logic [CountBits-1:0]            busy_cycles_o,
  // State (checkers, waveforms): pixel dbg_addr_i's LFSR, the label LFSR, the keep mask.
  input  logic [PixBits-1:0]              dbg_addr_i,
  output logic [ssnn_pkg::LfsrBits-1:0]   dbg_lfsr_o,
  output logic [ssnn_pkg::LfsrBits-1:0]   label_lfsr_o,
  output logic [Inputs-1:0]               keep_o
);

  localparam int LB = ssnn_pkg::LfsrBits;
  localparam int CycBits = 32;
  localparam int SeedHashLatency = 4;  // ChipConfig::kSeedHashLatency
  localparam logic [2:0] OpSampleBegin = 3'd1;
  localparam logic [2:0] OpForward = 3'd2;

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_RANGE(Inputs, 1, 65535)
    `SSNN_PARAM_RANGE(Lanes, 1, Inputs)
    `SSNN_PARAM_MIN(RowBand, 1)
  end
  always @(posedge clk_i or negedge rst_ni) begin : p_input_check
    if (!rst_ni) begin
      // Nothing to check in reset.
    end else begin
      assert (!(pix_we_i && (busy_o || start_i)))
        else $error("ssnn_spike_encoder: pixel write while busy");
      if (start_i && !busy_o) begin
        assert (op_i == OpSampleBegin || op_i == OpForward)
          else $error("ssnn_spike_encoder: op %0d is not an encoder command", op_i);
      end
    end
  end
`endif

  // ---------------------------------------------------------------------------------------------
  // Command control (the handshake and the event sending: ssnn_aer_source, after the draws)
  // ---------------------------------------------------------------------------------------------
  logic               busy_q, take, take_begin, take_fwd, done, is_begin, is_fwd;
  logic [7:0]         running;
  logic [CycBits-1:0] cyc_q;

  assign take_begin = take && (op_i == OpSampleBegin);
  assign take_fwd   = take && (op_i == OpForward);
  assign is_begin   = running[OpSampleBegin];
  assign is_fwd     = running[OpForward];

  always_comb begin
    if (is_begin) begin
      done = cyc_q == CycBits'(SeedGroups + SeedHashLatency - 1);
    end else if (is_fwd) begin
      done = cyc_q + CycBits'(1) >= CycBits'(Groups);  // and the events sent (ssnn_aer_source)
    end else begin
      done = 1'b1;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Sample begin: seed hashing (Lanes units, SeedHashLatency deep) and the dropout mask
  // ---------------------------------------------------------------------------------------------
  logic [63:0]                key_d, key_q;
  logic                       hash_en;
  logic [Lanes*LB-1:0]        hash_seed;
  logic [SeedHashLatency-1:0] pipe_valid_d, pipe_valid_q;
  logic [CycBits-1:0]         pipe_group_d [SeedHashLatency];
  logic [CycBits-1:0]         pipe_group_q [SeedHashLatency];
  logic [Lanes*LB-1:0]        pipe_seed_d [SeedHashLatency];
  logic [Lanes*LB-1:0]        pipe_seed_q [SeedHashLatency];

  assign key_d   = take_begin ? sample_key_i : key_q;
  assign hash_en = is_begin && (cyc_q < CycBits'(SeedGroups));

  for (genvar i = 0; i < Lanes; i++) begin : gen_hash
    logic [63:0] slot, stream;
    // Seed slot s = cyc * Lanes + i: pixel s's stream, or the label's after the last pixel.
    assign slot   = 64'(cyc_q) * 64'(Lanes) + 64'(i);
    assign stream = (slot == 64'(Inputs)) ? ssnn_pkg::StreamLabel : slot;
    ssnn_stream_seed u_seed (
      .key_i    (key_q),
      .stream_i (stream),
      .seed_o   (hash_seed[i*LB +: LB])
    );
  end

  always_comb begin
    pipe_valid_d    = {pipe_valid_q[SeedHashLatency-2:0], hash_en};
    pipe_group_d[0] = cyc_q;
    pipe_seed_d[0]  = hash_seed;
    for (int k = 1; k < SeedHashLatency; k++) begin
      pipe_group_d[k] = pipe_group_q[k-1];
      pipe_seed_d[k]  = pipe_seed_q[k-1];
    end
  end

  // Dropout mask: one stream, Lanes draws per cycle, pixel group c in cycle c.
  logic [Lanes-1:0] keep_bits;

  ssnn_dropout_mask #(
    .Lanes  (Lanes),
    .Stream (ssnn_pkg::StreamDropoutBase)  // + layer 0
  ) u_dropout (
    .clk_i,
    .rst_ni,
    .load_i       (take_begin),
    .sample_key_i,
    .learn_i,
    .drop_q16_i,
    .advance_i    (is_begin && cyc_q < CycBits'(Groups)),
    .keep_o       (keep_bits)
  );

  // ---------------------------------------------------------------------------------------------
  // Forward: group g of pixels drawn at edge g (group 0 at the command's edge)
  // ---------------------------------------------------------------------------------------------
  logic               draw_en;
  logic [CycBits-1:0] draw_group;

  always_comb begin
    draw_en    = take_fwd || (is_fwd && (cyc_q + CycBits'(1) < CycBits'(Groups)));
    draw_group = take_fwd ? '0 : cyc_q + CycBits'(1);
  end

  logic [7:0]          pix_q [Inputs];
  // One packed vector (pixel j's LFSR at [j*LB +: LB]), so that one register assignment covers every
  // pixel's LFSR: the simulator does not support a loop of delayed assignments into an unpacked
  // array beyond its unroll limit (64), and yosys 0.23 does not parse a two-dimensional packed array.
  logic [Inputs*LB-1:0] lfsr_d, lfsr_q;
  logic [Inputs-1:0]   keep_d, keep_q;
  logic [Inputs-1:0]   set_fwd;
  logic [Lanes-1:0]    lane_draw, lane_spike;
  logic [Lanes*LB-1:0] lane_next;
  logic [LB-1:0]       label_lfsr_d, label_lfsr_q;
  logic [LB-1:0]       label_next;
  logic                label_spike;

  for (genvar i = 0; i < Lanes; i++) begin : gen_lane
    int            j;
    logic          in_range;
    logic [LB-1:0] cur, nxt;
    logic [7:0]    pixel;
    logic          spike;
    logic [ssnn_pkg::ProbBits+1:0] unused_prob;

    always_comb begin
      j        = 32'(draw_group) * Lanes + i;
      in_range = draw_en && (j < Inputs);
      cur      = in_range ? lfsr_q[j*LB +: LB] : '0;
      pixel    = in_range ? pix_q[j] : '0;
      // A dark or dropped pixel's draw could never spike: its LFSR is clock-gated.
      lane_draw[i] = in_range && (pixel != 8'd0) && keep_q[j];
    end
    ssnn_lfsr_step u_step (
      .state_i (cur),
      .next_o  (nxt)
    );
    ssnn_pixel_draw u_draw (
      .state_i (nxt),
      .pixel_i (pixel),
      .ramp_i,
      .prob_o  (unused_prob),
      .spike_o (spike)
    );
    assign lane_spike[i]          = lane_draw[i] && spike;
    assign lane_next[i*LB +: LB]  = nxt;
  end

  // The label source: one draw at a learning step's command edge (pixel 255: prob == label rate).
  ssnn_lfsr_step u_label_step (
    .state_i (label_lfsr_q),
    .next_o  (label_next)
  );
  assign label_spike = take_fwd && learn_i
                    && ({1'b0, label_next[LB-1 -: ssnn_pkg::ProbBits]} < label_q16_i);

  // The LFSR array: loaded from the seed pipeline, advanced by the lanes.
  always_comb begin : p_state
    int s;
    lfsr_d       = lfsr_q;
    label_lfsr_d = (take_fwd && learn_i) ? label_next : label_lfsr_q;
    keep_d       = keep_q;
    set_fwd      = '0;
    if (pipe_valid_q[SeedHashLatency-1]) begin
      for (int i = 0; i < Lanes; i++) begin
        s = 32'(pipe_group_q[SeedHashLatency-1]) * Lanes + i;
        if (s < Inputs) begin
          lfsr_d[s*LB +: LB] = pipe_seed_q[SeedHashLatency-1][i*LB +: LB];
        end else if (s == Inputs) begin
          label_lfsr_d = pipe_seed_q[SeedHashLatency-1][i*LB +: LB];
        end
      end
    end
    if (is_begin && cyc_q < CycBits'(Groups)) begin
      for (int i = 0; i < Lanes; i++) begin
        s = 32'(cyc_q) * Lanes + i;
        if (s < Inputs) begin
          keep_d[s] = keep_bits[i];
        end
      end
    end
    for (int i = 0; i < Lanes; i++) begin
      s = 32'(draw_group) * Lanes + i;
      if (lane_draw[i]) begin
        lfsr_d[s*LB +: LB] = lane_next[i*LB +: LB];
        set_fwd[s] = lane_spike[i];
      end
    end
  end

  // Label output of the step: cleared by a sample begin, drawn by a forward command.
  logic       label_valid_d, label_valid_q;
  logic [7:0] label_class_d, label_class_q;
  always_comb begin
    label_valid_d = label_valid_q;
    label_class_d = label_class_q;
    if (take_begin) begin
      label_valid_d = 1'b0;
    end else if (take_fwd) begin
      label_valid_d = label_spike;
      label_class_d = label_spike ? label_i : 8'd0;
    end
  end

  ssnn_aer_source #(
    .Neurons    (Inputs),
    .FwdBand    (RowBand),
    .GradBand   (RowBand),
    .FirstBlock (FirstBlock),
    .FanoutBits (FanoutBits),
    .CountBits  (CountBits),
    .CycleBits  (CycBits)
  ) u_source (
    .clk_i,
    .rst_ni,
    .start_i,
    .op_i,
    .done_i       (done),
    .take_o       (take),
    .busy_o       (busy_q),
    .running_o    (running),
    .cycle_o      (cyc_q),
    .set_i        ({{(2*Inputs){1'b0}}, set_fwd}),
    .fanout_i     ({{(2*Channels*FanoutBits){1'b0}}, fanout_i}),
    .valid_o,
    .event_o,
    .ready_i,
    .counters_o   ({tx_expected_o, events_o, stall_cycles_o, busy_cycles_o})
  );

  // ---------------------------------------------------------------------------------------------
  // Counters
  // ---------------------------------------------------------------------------------------------
  logic [CountBits-1:0] draws_inc, in_spk_inc;

  always_comb begin
    draws_inc  = CountBits'(take_fwd && learn_i);
    in_spk_inc = '0;
    for (int i = 0; i < Lanes; i++) begin
      draws_inc  = draws_inc + CountBits'(lane_draw[i]);
      in_spk_inc = in_spk_inc + CountBits'(lane_spike[i]);
    end
  end

  ssnn_counters #(
    .Counters  (4),
    .CountBits (CountBits)
  ) u_counters (
    .clk_i,
    .rst_ni,
    .inc_i   ({draws_inc, in_spk_inc, CountBits'(label_spike),
               take_begin ? CountBits'(Inputs) + CountBits'(1) : '0}),
    .count_o ({lfsr_draws_o, input_spikes_o, label_spikes_o, seed_loads_o})
  );

  // ---------------------------------------------------------------------------------------------
  // Registers
  // ---------------------------------------------------------------------------------------------
  // The pixel memory: host writes, no reset (reloaded for every sample).
  always_ff @(posedge clk_i) begin
    if (pix_we_i) begin
      pix_q[pix_addr_i] <= pix_data_i;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      key_q         <= '0;
      pipe_valid_q  <= '0;
      for (int k = 0; k < SeedHashLatency; k++) begin
        pipe_group_q[k] <= '0;
        pipe_seed_q[k]  <= '0;
      end
      lfsr_q        <= {Inputs{LB'(1)}};
      keep_q        <= '1;
      label_lfsr_q  <= LB'(1);
      label_valid_q <= 1'b0;
      label_class_q <= '0;
    end else begin
      key_q         <= key_d;
      pipe_valid_q  <= pipe_valid_d;
      for (int k = 0; k < SeedHashLatency; k++) begin
        pipe_group_q[k] <= pipe_group_d[k];
        pipe_seed_q[k]  <= pipe_seed_d[k];
      end
      lfsr_q        <= lfsr_d;
      keep_q        <= keep_d;
      label_lfsr_q  <= label_lfsr_d;
      label_valid_q <= label_valid_d;
      label_class_q <= label_class_d;
    end
  end

  assign busy_o         = busy_q;
  assign label_valid_o  = label_valid_q;
  assign label_class_o  = label_class_q;
  assign dbg_lfsr_o     = lfsr_q[32'(dbg_addr_i)*LB +: LB];
  assign label_lfsr_o   = label_lfsr_q;
  assign keep_o         = keep_q;

endmodule
