// Spike encoder: the input pixels' and the label's LFSR Bernoulli spike sources, the RTL of
// systemc/spike_encoder (docs/rtl.md, "ssnn_spike_encoder").
//
// State: per pixel its 8-bit value (written by the host while idle), its xorshift32 LFSR and its input
// dropout keep bit; the label LFSR. A pixel's three fields are one lane of a word of Lanes pixels
// (pixel j in group j / Lanes, lane j % Lanes), the groups that the lanes draw together. Group 0 is a
// register; groups 1.. are words of two single-port ssnn_mem banks (odd groups in bank 0, even groups
// in bank 1), so that the forward pass reads group g + 1 from one bank while it writes group g back
// (to the other bank or the register). The SystemC encoder draws group 0 at the command's edge and
// group g at edge g, which leaves no cycle to read group 0 from a memory: it is the register, and
// each memory group is read one cycle ahead, so the draws take the cycles of an all-flip-flop array.
// The memories have no reset: a valid bit per group (reset to 0) makes a group that was not written
// since reset read as the reset state (LFSR 1, kept), as the flip-flops it replaces.
// Commands (start_i while idle, op_i as systemc/chip_types.hpp's Op):
// - kSampleBegin: Lanes seed-hash units (stream_seed(key, pixel); the label's stream after the
//   last pixel) fill the LFSRs, SeedGroups = ceil((Inputs + 1) / Lanes) groups, through a
//   pipeline of SeedHashLatency cycles; the input dropout mask (an LFSR seeded with
//   stream_seed(key, kDropoutBase), Lanes draws per cycle) alongside, its keep bits carried in the
//   pipeline so that a group's LFSRs and keep bits are one write. SeedGroups + 4 cycles.
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
  localparam int GroupBits  = Groups > 1 ? $clog2(Groups) : 1,
  localparam int LaneBits   = ssnn_pkg::LfsrBits + 1 + 8,  // a pixel's LFSR, keep bit, value
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
  // State read-back while idle (checkers): group dbg_group_i on dbg_state_o from the next cycle on
  // (lane i at [i*LaneBits +: LaneBits], fields from bit 0: LFSR, keep bit, pixel); the label LFSR.
  input  logic                            dbg_req_i,
  input  logic [GroupBits-1:0]            dbg_group_i,
  output logic [Lanes*LaneBits-1:0]       dbg_state_o,
  output logic [ssnn_pkg::LfsrBits-1:0]   label_lfsr_o
);

  localparam int LB = ssnn_pkg::LfsrBits;
  localparam int W = LaneBits;
  localparam int CycBits = 32;
  localparam int MemGroups = Groups - 1;               // groups 1.. in the banks
  localparam int LastLanes = Inputs - (Groups - 1) * Lanes;  // pixels of the last group
  localparam int LabelGroup = Inputs / Lanes;          // the label's seed slot Inputs
  localparam int LabelLane = Inputs % Lanes;
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
      assert (!(dbg_req_i && (busy_o || start_i || pix_we_i)))
        else $error("ssnn_spike_encoder: state read-back while busy or with a pixel write");
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
  logic [Lanes-1:0]           keep_bits;
  logic [SeedHashLatency-1:0] pipe_valid_d, pipe_valid_q;
  logic [CycBits-1:0]         pipe_group_d [SeedHashLatency];
  logic [CycBits-1:0]         pipe_group_q [SeedHashLatency];
  logic [Lanes*LB-1:0]        pipe_seed_d [SeedHashLatency];
  logic [Lanes*LB-1:0]        pipe_seed_q [SeedHashLatency];
  logic [Lanes-1:0]           pipe_keep_d [SeedHashLatency];
  logic [Lanes-1:0]           pipe_keep_q [SeedHashLatency];

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

  // The keep bits of group c are drawn in cycle c with its seed hashes and travel with them, so
  // that the group's word is written once (a group past the last pixel's carries no keep bits).
  always_comb begin
    pipe_valid_d    = {pipe_valid_q[SeedHashLatency-2:0], hash_en};
    pipe_group_d[0] = cyc_q;
    pipe_seed_d[0]  = hash_seed;
    pipe_keep_d[0]  = keep_bits;
    for (int k = 1; k < SeedHashLatency; k++) begin
      pipe_group_d[k] = pipe_group_q[k-1];
      pipe_seed_d[k]  = pipe_seed_q[k-1];
      pipe_keep_d[k]  = pipe_keep_q[k-1];
    end
  end

  // Dropout mask: one stream, Lanes draws per cycle, pixel group c in cycle c.
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
  logic                 draw_en;
  logic [GroupBits-1:0] draw_group;

  always_comb begin
    draw_en    = take_fwd || (is_fwd && (cyc_q + CycBits'(1) < CycBits'(Groups)));
    draw_group = take_fwd ? '0 : GroupBits'(cyc_q + CycBits'(1));
  end

  // The word of the group being drawn (cur_word: the register or the bank read in the previous
  // cycle, with the reset state for a group not written since reset) and its write-back.
  logic [Lanes*W-1:0]  cur_word, draw_word;
  logic [Lanes-1:0]    lane_draw, lane_spike;
  logic [Inputs-1:0]   set_fwd;
  logic [LB-1:0]       label_lfsr_d, label_lfsr_q;
  logic [LB-1:0]       label_next;
  logic                label_spike;

  for (genvar i = 0; i < Lanes; i++) begin : gen_lane
    logic          in_range;
    logic [LB-1:0] cur, nxt;
    logic [7:0]    pixel;
    logic          keep;
    logic          spike;
    logic [ssnn_pkg::ProbBits+1:0] unused_prob;

    always_comb begin
      // Only the last group can be partial.
      in_range = draw_en && ((draw_group != GroupBits'(Groups - 1)) || (i < LastLanes));
      cur      = in_range ? cur_word[i*W +: LB] : '0;
      keep     = cur_word[i*W + LB];
      pixel    = in_range ? cur_word[i*W + LB + 1 +: 8] : '0;
      // A dark or dropped pixel's draw could never spike: its LFSR keeps its state.
      lane_draw[i] = in_range && (pixel != 8'd0) && keep;
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
    assign lane_spike[i] = lane_draw[i] && spike;
    // Write-back: the advanced LFSR of a drawing lane, the others' state as read (the pixel field
    // is masked off).
    assign draw_word[i*W +: W] = {cur_word[i*W + LB + 1 +: 8], keep,
                                  lane_draw[i] ? nxt : cur_word[i*W +: LB]};
  end

  // Pixel j's spike of this edge, for the AER sender.
  for (genvar j = 0; j < Inputs; j++) begin : gen_set
    assign set_fwd[j] = (draw_group == GroupBits'(j / Lanes)) && lane_spike[j % Lanes];
  end

  // The label source: one draw at a learning step's command edge (pixel 255: prob == label rate).
  ssnn_lfsr_step u_label_step (
    .state_i (label_lfsr_q),
    .next_o  (label_next)
  );
  assign label_spike = take_fwd && learn_i
                    && ({1'b0, label_next[LB-1 -: ssnn_pkg::ProbBits]} < label_q16_i);

  // ---------------------------------------------------------------------------------------------
  // The pixel state: group 0 in a register, groups 1.. in two banks; one write per cycle (host
  // pixel while idle, a seed group during kSampleBegin, a drawn group during kForward)
  // ---------------------------------------------------------------------------------------------
  logic                 wr_en;
  logic [GroupBits-1:0] wr_group;
  logic [Lanes*W-1:0]   wr_data, wr_mask;
  logic                 rd_en;
  logic [GroupBits-1:0] rd_group;
  logic [Groups-1:0]    valid_d, valid_q;   // group written since reset
  logic [Lanes*W-1:0]   g0_d, g0_q;
  logic [2*Lanes*W-1:0] bank_rdata;  // bank b at [b*Lanes*W +: Lanes*W] (a port into an unpacked
                                     // array would be lost by yosys 0.23's memory inference)
  logic [GroupBits-1:0] dbg_group_d, dbg_group_q;
  logic [GroupBits-1:0] pix_group;
  logic [Lanes*W-1:0]   state_mask, pix_word;
  logic                 seed_wr;

  // The LFSR and keep fields of every lane (a seed or draw write), the pixel field of lane l.
  for (genvar i = 0; i < Lanes; i++) begin : gen_masks
    assign state_mask[i*W +: W] = {8'h00, {(LB + 1){1'b1}}};
    assign pix_word[i*W +: W]   = {pix_data_i, {(LB + 1){1'b0}}};
  end

  assign pix_group = GroupBits'(32'(pix_addr_i) / Lanes);
  assign seed_wr   = pipe_valid_q[SeedHashLatency-1]
                  && (pipe_group_q[SeedHashLatency-1] < CycBits'(Groups));

  always_comb begin : p_write
    wr_en    = 1'b0;
    wr_group = '0;
    wr_data  = draw_word;
    wr_mask  = state_mask;
    if (pix_we_i) begin
      wr_en    = 1'b1;
      wr_group = pix_group;
      wr_data  = pix_word;
      wr_mask  = '0;
      for (int i = 0; i < Lanes; i++) begin
        if (32'(pix_addr_i) % Lanes == i) begin
          wr_mask[i*W + LB + 1 +: 8] = '1;
        end
      end
    end else if (seed_wr) begin
      wr_en    = 1'b1;
      wr_group = GroupBits'(pipe_group_q[SeedHashLatency-1]);
      for (int i = 0; i < Lanes; i++) begin
        wr_data[i*W +: W] = {8'h00, pipe_keep_q[SeedHashLatency-1][i],
                             pipe_seed_q[SeedHashLatency-1][i*LB +: LB]};
      end
    end else if (|lane_draw) begin
      // A group in which no lane draws keeps its word (and its valid bit).
      wr_en    = 1'b1;
      wr_group = draw_group;
    end
  end

  always_comb begin : p_state
    label_lfsr_d = (take_fwd && learn_i) ? label_next : label_lfsr_q;
    if (pipe_valid_q[SeedHashLatency-1]
        && pipe_group_q[SeedHashLatency-1] == CycBits'(LabelGroup)) begin
      label_lfsr_d = pipe_seed_q[SeedHashLatency-1][LabelLane*LB +: LB];
    end
    valid_d = valid_q;
    if (wr_en && !pix_we_i) begin
      valid_d[wr_group] = 1'b1;
    end
    g0_d = g0_q;
    if (wr_en && wr_group == '0) begin
      g0_d = (g0_q & ~wr_mask) | (wr_data & wr_mask);
    end
    // The forward pass reads the group after the one it draws; the host's read-back, any group.
    rd_en    = draw_en && (32'(draw_group) + 1 < Groups);
    rd_group = draw_group + GroupBits'(1);
    if (!busy_q && dbg_req_i) begin
      rd_en    = 1'b1;
      rd_group = dbg_group_i;
    end
    dbg_group_d = (!busy_q && dbg_req_i) ? dbg_group_i : dbg_group_q;
  end

  // Memory group m = g - 1 is word m >> 1 of bank m[0].
  for (genvar b = 0; b < 2; b++) begin : gen_bank
    if (MemGroups > b) begin : gen_mem
      localparam int Words = (MemGroups + 1 - b) / 2 > 2 ? (MemGroups + 1 - b) / 2 : 2;
      localparam int AddrBits = $clog2(Words);
      logic                 req, we;
      logic [GroupBits-1:0] wm, rm;
      logic [AddrBits-1:0]  addr;
      always_comb begin
        wm   = wr_group - GroupBits'(1);
        rm   = rd_group - GroupBits'(1);
        we   = wr_en && (wr_group != '0) && (wm[0] == 1'(b));
        req  = we || (rd_en && (rd_group != '0) && (rm[0] == 1'(b)));
        addr = we ? AddrBits'(wm >> 1) : AddrBits'(rm >> 1);
      end
      ssnn_mem #(
        .Words    (Words),
        .DataBits (Lanes * W)
      ) u_mem (
        .clk_i,
        .req_i   (req),
        .we_i    (we),
        .addr_i  (addr),
        .wdata_i (wr_data),
        .wmask_i (wr_mask),
        .rdata_o (bank_rdata[b*Lanes*W +: Lanes*W])
      );
`ifndef SYNTHESIS
      always @(posedge clk_i) begin : p_port_check
        assert (!(we && rd_en && (rd_group != '0) && (rm[0] == 1'(b))))
          else $error("ssnn_spike_encoder: read and write of bank %0d in one cycle", b);
      end
`endif
    end else begin : gen_no_mem
      assign bank_rdata[b*Lanes*W +: Lanes*W] = '0;
    end
  end
  if (MemGroups == 0) begin : gen_no_read
    logic unused_read;  // one group: the register alone
    assign unused_read = ^{rd_en, rd_group};
  end

  // A group's word as read: the register for group 0, else the bank's read data (the group read in
  // the previous cycle), the reset state for a group not written since reset.
  // (yosys 0.23 takes no `return` here: the result is assigned to the function name.)
  function automatic logic [Lanes*W-1:0] word_of(logic [GroupBits-1:0] g, logic [Lanes*W-1:0] g0,
                                                 logic [Lanes*W-1:0] bank0, logic [Lanes*W-1:0] bank1,
                                                 logic [Groups-1:0] valid);
    word_of = (g == '0) ? g0 : (g[0] ? bank0 : bank1);  // group g = memory group g - 1
    if (!valid[g]) begin
      for (int i = 0; i < Lanes; i++) begin
        word_of[i*W +: LB + 1] = {1'b1, LB'(1)};
      end
    end
  endfunction

  assign cur_word    = word_of(draw_group, g0_q, bank_rdata[0 +: Lanes*W], bank_rdata[Lanes*W +: Lanes*W], valid_q);
  assign dbg_state_o = word_of(dbg_group_q, g0_q, bank_rdata[0 +: Lanes*W], bank_rdata[Lanes*W +: Lanes*W],
                               valid_q);

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
  // Group 0's word: no reset, as the memory words (valid_q[0] stands for its reset state).
  always_ff @(posedge clk_i) begin
    g0_q <= g0_d;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      key_q         <= '0;
      pipe_valid_q  <= '0;
      for (int k = 0; k < SeedHashLatency; k++) begin
        pipe_group_q[k] <= '0;
        pipe_seed_q[k]  <= '0;
        pipe_keep_q[k]  <= '0;
      end
      valid_q       <= '0;
      dbg_group_q   <= '0;
      label_lfsr_q  <= LB'(1);
      label_valid_q <= 1'b0;
      label_class_q <= '0;
    end else begin
      key_q         <= key_d;
      pipe_valid_q  <= pipe_valid_d;
      for (int k = 0; k < SeedHashLatency; k++) begin
        pipe_group_q[k] <= pipe_group_d[k];
        pipe_seed_q[k]  <= pipe_seed_d[k];
        pipe_keep_q[k]  <= pipe_keep_d[k];
      end
      valid_q       <= valid_d;
      dbg_group_q   <= dbg_group_d;
      label_lfsr_q  <= label_lfsr_d;
      label_valid_q <= label_valid_d;
      label_class_q <= label_class_d;
    end
  end

  assign busy_o         = busy_q;
  assign label_valid_o  = label_valid_q;
  assign label_class_o  = label_class_q;
  assign label_lfsr_o   = label_lfsr_q;

endmodule
