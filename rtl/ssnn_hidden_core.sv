// Hidden neuron core: the composite neurons of one hidden layer, Lanes of them per cycle over a
// state memory, the RTL of systemc/neuron_core for layers 1..L-1 (docs/rtl.md, "ssnn_hidden_core").
//
// State: every neuron's forward charge and potential, gradient charge, delta_p and delta_n
// potentials, gate, this step's gate event and dropout keep bit, Lanes neurons per memory word
// (neuron j in word j / Lanes, lane j % Lanes). Words alternate between two single-port ssnn_mem
// banks (even and odd groups), so the pass reads group g while it writes group g - 1 back.
// Commands (start_i while idle, op_i as systemc/chip_types.hpp's Op):
// - kSampleBegin: writes every word with a cleared state and this sample's dropout keep bits (an
//   LFSR seeded with stream_seed(key, kDropoutBase + Layer), Lanes draws per cycle): Groups cycles.
// - kForward / kBackward: a pass over the groups. Cycle g reads word g and the neurons' partial
//   sums from the tiles (column sums of the BelowTiles tiles below / row sums W^T(dp - dn) of the
//   AboveTiles tiles above, added per neuron: the adder tree); cycle g + 1 runs Lanes
//   ssnn_neuron_step lanes (forward step with the dropout gate, or gradient step), writes the word
//   back and marks the spikes in the AER sender, which offers them from the next cycle on (group
//   g's events from cycle g + 3 after the command: the SystemC core's ready cycle). The command
//   ends when the pass is through (Groups + 3 cycles) and every event has been handed over.
//   The tile sums are cleared (*_clear_o) in the cycle the last group is read.
// - any other op: one cycle.
// Thresholds, beta and the dropout probability are held by the controller during a command.
`include "ssnn_assert.svh"
`include "ssnn_registers.svh"

module ssnn_hidden_core #(
  parameter int Neurons       = 64,   // neurons of the layer, 1..65536
  parameter int Lanes         = 8,    // neurons per cycle, 1..Neurons
  parameter int ChargeBits    = ssnn_pkg::ChargeBits,
  parameter int PotentialBits = ssnn_pkg::PotentialBits,
  parameter int InputBits     = ssnn_pkg::InputBits,   // step inputs (sums), >= ChargeBits
  parameter int SumBits       = 24,   // one tile partial sum on the sum buses, 2..32
  parameter int BelowTiles    = 1,    // tiles of the weight layer below (its row bands)
  parameter int AboveTiles    = 1,    // tiles of the weight layer above (its column bands)
  parameter int FwdBand       = 64,   // neurons per forward channel (rows of a tile above)
  parameter int GradBand      = 64,   // neurons per gradient channel (columns of a tile below)
  parameter int Layer         = 1,    // layer index (dropout stream), >= 1
  parameter int FirstBlock    = 1,    // AER block of channel 0
  parameter int FanoutBits    = 8,
  parameter int CountBits     = 48,
  localparam int Groups       = (Neurons + Lanes - 1) / Lanes,
  localparam int FwdChannels  = (Neurons + FwdBand - 1) / FwdBand,
  localparam int GradChannels = (Neurons + GradBand - 1) / GradBand,
  localparam int Channels     = FwdChannels > GradChannels ? FwdChannels : GradChannels,
  // Per neuron: charge, potential, gradient charge, delta_p, delta_n potentials, gate, gate event, keep.
  localparam int StateBits    = 2 * ChargeBits + 3 * PotentialBits + 3,
  localparam int GroupBits    = Groups > 1 ? $clog2(Groups) : 1,
  localparam int EventBits    = 26
) (
  input  logic                                      clk_i,
  input  logic                                      rst_ni,
  // Command
  input  logic                                      start_i,
  input  logic [2:0]                                op_i,
  input  logic                                      learn_i,
  input  logic [63:0]                               sample_key_i,
  output logic                                      busy_o,
  // Layer parameters
  input  logic [ssnn_pkg::BetaBits:0]               beta_i,
  input  logic signed [PotentialBits-1:0]           theta_i,
  input  logic signed [PotentialBits-1:0]           theta_gate_i,
  input  logic signed [PotentialBits-1:0]           theta_grad_i,
  input  logic [ssnn_pkg::ProbBits:0]               drop_q16_i,     // hidden dropout probability, Q0.16
  // Partial sums of the tiles: tile t's sum for neuron j at [(t*Neurons + j)*SumBits +: SumBits].
  input  logic [BelowTiles*Neurons*SumBits-1:0]     below_sum_i,
  output logic                                      below_clear_o,
  input  logic [AboveTiles*Neurons*SumBits-1:0]     above_sum_i,
  output logic                                      above_clear_o,
  // AER channels (ssnn_aer_source)
  input  logic [Channels*FanoutBits-1:0]            fwd_fanout_i,
  input  logic [Channels*FanoutBits-1:0]            pos_fanout_i,
  input  logic [Channels*FanoutBits-1:0]            neg_fanout_i,
  output logic [Channels-1:0]                       valid_o,
  output logic [Channels*EventBits-1:0]             event_o,
  input  logic [Channels-1:0]                       ready_i,
  output logic [CountBits-1:0]                      tx_expected_o,
  // Counters since reset (systemc CoreCounters and SourceCounters)
  output logic [CountBits-1:0]                      forward_updates_o,
  output logic [CountBits-1:0]                      gradient_updates_o,
  output logic [CountBits-1:0]                      forward_spikes_o,
  output logic [CountBits-1:0]                      pos_spikes_o,
  output logic [CountBits-1:0]                      neg_spikes_o,
  output logic [CountBits-1:0]                      column_sum_words_o,
  output logic [CountBits-1:0]                      events_o,
  output logic [CountBits-1:0]                      stall_cycles_o,
  output logic [CountBits-1:0]                      busy_cycles_o,
  // State read-back while idle: word dbg_group_i on dbg_state_o from the next cycle on
  // (lane i at [i*StateBits +: StateBits], fields from bit 0: charge, potential, gradient charge,
  // delta_p, delta_n, gate, gate event, keep).
  input  logic                                      dbg_req_i,
  input  logic [GroupBits-1:0]                      dbg_group_i,
  output logic [Lanes*StateBits-1:0]                dbg_state_o
);

  localparam int C = ChargeBits;
  localparam int P = PotentialBits;
  localparam int BankWords = Groups > 3 ? (Groups + 1) / 2 : 2;
  localparam int BankAddrBits = $clog2(BankWords);
  localparam int CycBits = 32;
  localparam logic [2:0] OpSampleBegin = 3'd1;
  localparam logic [2:0] OpForward = 3'd2;
  localparam logic [2:0] OpBackward = 3'd4;
  localparam int OffGradCharge = C + P;
  localparam int OffPos = 2 * C + P;
  localparam int OffNeg = 2 * C + 2 * P;
  localparam int OffGate = 2 * C + 3 * P;

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_RANGE(Neurons, 1, 65536)
    `SSNN_PARAM_RANGE(Lanes, 1, Neurons)
    `SSNN_PARAM_RANGE(SumBits, 2, 32)
    `SSNN_PARAM_RANGE(InputBits, ChargeBits, 32)
    `SSNN_PARAM_MIN(BelowTiles, 1)
    `SSNN_PARAM_MIN(AboveTiles, 1)
    `SSNN_PARAM_MIN(Layer, 1)
  end
  always @(posedge clk_i or negedge rst_ni) begin : p_input_check
    if (!rst_ni) begin
      // Nothing to check in reset.
    end else begin
      if (start_i && !busy_o) begin
        assert (op_i != 3'd3 && op_i != 3'd6)
          else $error("ssnn_hidden_core: op %0d is for the output core", op_i);
      end
      assert (!(dbg_req_i && (busy_o || start_i)))
        else $error("ssnn_hidden_core: state read-back while busy");
    end
  end
`endif

  // ---------------------------------------------------------------------------------------------
  // Command control (the handshake and the event sending: ssnn_aer_source, after the lanes)
  // ---------------------------------------------------------------------------------------------
  logic               busy_q, take, done;
  logic [7:0]         running;
  logic [CycBits-1:0] cyc_q;   // cycles since the command was taken
  logic               is_begin, is_fwd, is_bwd, is_pass;

  assign is_begin = running[OpSampleBegin];
  assign is_fwd   = running[OpForward];
  assign is_bwd   = running[OpBackward];
  assign is_pass  = is_fwd || is_bwd;

  // A pass ends once its last group is through the pipeline (and the source has sent its events).
  always_comb begin
    if (is_begin) begin
      done = cyc_q == CycBits'(Groups - 1);
    end else if (is_pass) begin
      done = cyc_q >= CycBits'(Groups + 2);
    end else begin
      done = 1'b1;
    end
  end

  // Sample begin: cleared words with the dropout keep bits, Lanes draws per cycle.
  logic [Lanes-1:0] keep_bits;

  ssnn_dropout_mask #(
    .Lanes  (Lanes),
    .Stream (ssnn_pkg::StreamDropoutBase + 64'(Layer))
  ) u_dropout (
    .clk_i,
    .rst_ni,
    .load_i       (take && op_i == OpSampleBegin),
    .sample_key_i,
    .learn_i,
    .drop_q16_i,
    .advance_i    (is_begin),
    .keep_o       (keep_bits)
  );

  // ---------------------------------------------------------------------------------------------
  // Pass, stage 1 (cycle g): read word g, gather the partial sums of group g
  // ---------------------------------------------------------------------------------------------
  logic                          rd_en;
  logic [GroupBits-1:0]          rd_group;
  logic [Lanes*InputBits-1:0]    in_d, in_q;
  logic                          s1_valid_d, s1_valid_q;
  logic [GroupBits-1:0]          s1_group_d, s1_group_q;

  always_comb begin
    rd_en    = is_pass && (cyc_q < CycBits'(Groups));
    rd_group = GroupBits'(cyc_q);
    if (!busy_q && dbg_req_i) begin
      rd_en    = 1'b1;
      rd_group = dbg_group_i;
    end
  end

  // The adder tree: per lane, the tiles' sums for its neuron (32-bit, as the golden accumulator),
  // each tile's lane words chosen by ssnn_group_select (tiles 0..BelowTiles-1 below, then above).
  localparam int SumTiles = BelowTiles + AboveTiles;
  logic [SumTiles*Neurons*SumBits-1:0] tile_sums;
  logic [SumTiles*Lanes*SumBits-1:0]   tile_lanes;

  assign tile_sums = {above_sum_i, below_sum_i};
  for (genvar t = 0; t < SumTiles; t++) begin : gen_select
    ssnn_group_select #(
      .Words (Neurons),
      .Lanes (Lanes),
      .Bits  (SumBits)
    ) u_select (
      .group_i (rd_group),
      .words_i (tile_sums[t*Neurons*SumBits +: Neurons*SumBits]),
      .lanes_o (tile_lanes[t*Lanes*SumBits +: Lanes*SumBits])
    );
  end

  always_comb begin : p_sums
    logic [31:0] acc;
    for (int i = 0; i < Lanes; i++) begin
      acc = '0;
      if (is_fwd) begin
        for (int t = 0; t < BelowTiles; t++) begin
          acc = acc + 32'($signed(tile_lanes[(t*Lanes + i)*SumBits +: SumBits]));
        end
      end else begin
        for (int t = 0; t < AboveTiles; t++) begin
          acc = acc + 32'($signed(tile_lanes[((BelowTiles + t)*Lanes + i)*SumBits +: SumBits]));
        end
      end
      in_d[i*InputBits +: InputBits] = acc[InputBits-1:0];
    end
    s1_valid_d = rd_en && is_pass;
    s1_group_d = rd_group;
  end

  assign below_clear_o = is_fwd && (cyc_q == CycBits'(Groups - 1));
  assign above_clear_o = is_bwd && (cyc_q == CycBits'(Groups - 1));

  // ---------------------------------------------------------------------------------------------
  // State memory: two single-port banks, even and odd words
  // ---------------------------------------------------------------------------------------------
  logic                        wr_en;
  logic [GroupBits-1:0]        wr_group;
  logic [Lanes*StateBits-1:0]  wr_data;
  logic [Lanes*StateBits-1:0]  begin_data, pass_data;
  // Bank b's read data at [b*Lanes*StateBits +: Lanes*StateBits]: packed, because yosys 0.23
  // connects a port into an unpacked array to a memory read instead (the macro's output was lost).
  logic [2*Lanes*StateBits-1:0] bank_rdata;
  logic [Lanes*StateBits-1:0]  rd_data;
  logic                        rd_bank_d, rd_bank_q;   // bank of the last read (its rdata holds)

  always_comb begin
    if (is_begin) begin
      wr_en    = cyc_q < CycBits'(Groups);
      wr_group = GroupBits'(cyc_q);
      wr_data  = begin_data;
    end else begin
      wr_en    = s1_valid_q;
      wr_group = s1_group_q;
      wr_data  = pass_data;
    end
    rd_bank_d = rd_en ? rd_group[0] : rd_bank_q;
  end

  for (genvar b = 0; b < 2; b++) begin : gen_bank
    logic                    req, we;
    logic [BankAddrBits-1:0] addr;
    always_comb begin
      we   = wr_en && (wr_group[0] == 1'(b));
      req  = we || (rd_en && (rd_group[0] == 1'(b)));
      addr = we ? BankAddrBits'(wr_group >> 1) : BankAddrBits'(rd_group >> 1);
    end
    ssnn_mem #(
      .Words    (BankWords),
      .DataBits (Lanes * StateBits)
    ) u_mem (
      .clk_i,
      .req_i   (req),
      .we_i    (we),
      .addr_i  (addr),
      .wdata_i (wr_data),
      .wmask_i ({(Lanes*StateBits){1'b1}}),
      .rdata_o (bank_rdata[b*Lanes*StateBits +: Lanes*StateBits])
    );
`ifndef SYNTHESIS
    always @(posedge clk_i) begin : p_port_check
      assert (!(we && rd_en && (rd_group[0] == 1'(b))))
        else $error("ssnn_hidden_core: read and write of bank %0d in one cycle", b);
    end
`endif
  end

  assign rd_data     = rd_bank_q ? bank_rdata[Lanes*StateBits +: Lanes*StateBits]
                                 : bank_rdata[0 +: Lanes*StateBits];
  assign dbg_state_o = rd_data;

  // ---------------------------------------------------------------------------------------------
  // Pass, stage 2 (cycle g + 1): Lanes neuron steps, write-back, spikes to the sender
  // ---------------------------------------------------------------------------------------------
  logic [Lanes-1:0] lane_valid, lane_spike, lane_pos, lane_neg;

  for (genvar i = 0; i < Lanes; i++) begin : gen_lane
    logic [StateBits-1:0]          cur, nxt;
    logic signed [InputBits-1:0]   in;
    logic signed [C-1:0]           charge_n, grad_charge_n;
    logic signed [P-1:0]           potential_n, pos_n, neg_n;
    logic                          gate_n, gate_event_n, spike_n, grad_pos_n, grad_neg_n;
    logic                          unused_eligible;

    assign cur = rd_data[i*StateBits +: StateBits];
    assign in  = in_q[i*InputBits +: InputBits];

    ssnn_neuron_step #(
      .ChargeBits    (C),
      .PotentialBits (P),
      .InputBits     (InputBits),
      .OutputLayer   (1'b0)
    ) u_step (
      .clear_i        (1'b0),
      .fwd_en_i       (s1_valid_q && is_fwd),
      // Dropout: a dropped neuron gets no input (dropout_gate).
      .fwd_in_i       (cur[OffGate + 2] ? in : '0),
      .grad_en_i      (s1_valid_q && is_bwd),
      .grad_in_i      (in),
      .label_i        (1'b0),
      .wta_win_i      (1'b0),
      .wta_inhibit_i  (1'b0),
      .beta_i,
      .theta_i,
      .theta_grad_i,
      .theta_gate_i,
      .err_unit_i     ({C{1'b0}}),
      .inhibition_i   ({P{1'b0}}),
      .charge_i       (cur[0 +: C]),
      .potential_i    (cur[C +: P]),
      .grad_charge_i  (cur[OffGradCharge +: C]),
      .pos_i          (cur[OffPos +: P]),
      .neg_i          (cur[OffNeg +: P]),
      .gate_i         (cur[OffGate]),
      .spike_i        (1'b0),
      .gate_event_i   (cur[OffGate + 1]),
      .grad_pos_i     (1'b0),
      .grad_neg_i     (1'b0),
      .charge_o       (charge_n),
      .potential_o    (potential_n),
      .grad_charge_o  (grad_charge_n),
      .pos_o          (pos_n),
      .neg_o          (neg_n),
      .gate_o         (gate_n),
      .spike_o        (spike_n),
      .gate_event_o   (gate_event_n),
      .grad_pos_o     (grad_pos_n),
      .grad_neg_o     (grad_neg_n),
      .wta_eligible_o (unused_eligible)
    );

    assign nxt = {cur[OffGate + 2], gate_event_n, gate_n, neg_n, pos_n, grad_charge_n, potential_n, charge_n};
    assign pass_data[i*StateBits +: StateBits]  = nxt;
    // A cleared word: every register zero, the gate closed, this sample's keep bit.
    assign begin_data[i*StateBits +: StateBits] = {keep_bits[i], {(StateBits-1){1'b0}}};
    assign lane_valid[i] = s1_valid_q && (32'(s1_group_q) * Lanes + i < Neurons);
    assign lane_spike[i] = lane_valid[i] && is_fwd && spike_n;
    assign lane_pos[i]   = lane_valid[i] && is_bwd && grad_pos_n;
    assign lane_neg[i]   = lane_valid[i] && is_bwd && grad_neg_n;
  end

  // The group's spikes at their neurons' positions.
  logic [Neurons-1:0] set_fwd, set_pos, set_neg;
  always_comb begin : p_spike_bits
    int j;
    set_fwd = '0;
    set_pos = '0;
    set_neg = '0;
    for (int i = 0; i < Lanes; i++) begin
      j = 32'(s1_group_q) * Lanes + i;
      if (j < Neurons) begin
        set_fwd[j] = lane_spike[i];
        set_pos[j] = lane_pos[i];
        set_neg[j] = lane_neg[i];
      end
    end
  end

  ssnn_aer_source #(
    .Neurons    (Neurons),
    .FwdBand    (FwdBand),
    .GradBand   (GradBand),
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
    .set_i        ({set_neg, set_pos, set_fwd}),
    .fanout_i     ({neg_fanout_i, pos_fanout_i, fwd_fanout_i}),
    .valid_o,
    .event_o,
    .ready_i,
    .counters_o   ({tx_expected_o, events_o, stall_cycles_o, busy_cycles_o})
  );

  // ---------------------------------------------------------------------------------------------
  // Counters
  // ---------------------------------------------------------------------------------------------
  logic [CountBits-1:0] fwd_upd_inc, grad_upd_inc, fwd_spk_inc, pos_spk_inc, neg_spk_inc, words_inc;

  always_comb begin
    fwd_upd_inc  = '0;
    grad_upd_inc = '0;
    words_inc    = '0;
    if (take && op_i == OpForward) begin
      fwd_upd_inc = CountBits'(Neurons);
      words_inc   = CountBits'(BelowTiles * Neurons);
    end else if (take && op_i == OpBackward) begin
      grad_upd_inc = CountBits'(Neurons);
      words_inc    = CountBits'(AboveTiles * Neurons);
    end
    fwd_spk_inc = '0;
    pos_spk_inc = '0;
    neg_spk_inc = '0;
    for (int i = 0; i < Lanes; i++) begin
      fwd_spk_inc = fwd_spk_inc + CountBits'(lane_spike[i]);
      pos_spk_inc = pos_spk_inc + CountBits'(lane_pos[i]);
      neg_spk_inc = neg_spk_inc + CountBits'(lane_neg[i]);
    end
  end

  ssnn_counters #(
    .Counters  (6),
    .CountBits (CountBits)
  ) u_counters (
    .clk_i,
    .rst_ni,
    .inc_i   ({fwd_upd_inc, grad_upd_inc, fwd_spk_inc, pos_spk_inc, neg_spk_inc, words_inc}),
    .count_o ({forward_updates_o, gradient_updates_o, forward_spikes_o, pos_spikes_o, neg_spikes_o,
               column_sum_words_o})
  );

  // ---------------------------------------------------------------------------------------------
  // Registers
  // ---------------------------------------------------------------------------------------------
  `SSNN_FF({in_q, s1_valid_q, s1_group_q, rd_bank_q}, {in_d, s1_valid_d, s1_group_d, rd_bank_d}, '0)

  assign busy_o = busy_q;

endmodule
