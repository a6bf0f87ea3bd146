// Crossbar tile: a Rows x Cols slice of one weight layer in SRAM, with the forward and transposed
// reads of the address events it receives and the AND-gate coincidence update at the end of a step.
//
// The digital counterpart of systemc/crossbar_tile (docs/rtl.md, "ssnn_crossbar_tile"):
// - Weights live in ssnn_mem arrays (the memory-compiler macro): W row-major (one word = one row of
//   Cols weights). With Transposed = 1 (tiles of weight layers >= 1, which gather W^T(dp - dn)) a
//   second array holds W column-major, so a gradient event reads its column in one access as a
//   forward event reads its row; the first weight layer's tiles only latch gradient events.
// - Events (one per cycle, valid/ready): a forward event x_r reads row r and adds it to the Cols
//   column accumulators; a gradient event dp_c / dn_c reads column c and adds / subtracts it to
//   the Rows row accumulators. Each sets its row / column latch. The sums are valid the cycle after
//   the array read (two edges after the event is taken) and are read and cleared by the core.
// - step_end_i with update_en_i: every cross-point whose row latch and column latch are set takes
//   one up pulse (dp) and then one down pulse (dn), each saturating with the device options
//   (bounds, asymmetric pulse sizes, pulse-to-pulse noise from device_noise_word): the arithmetic
//   of ssnn::coincidence_update applied as the golden model and the SystemC tile apply it. The
//   update is a read-modify-write of each latched row (all Cols lanes in parallel) in the row
//   array and, with Transposed, of each latched column in the column array, both at once: 2 cycles
//   per row / column, 2 * max(latched rows, latched columns) cycles. Then the latches clear.
// - Rate mode (RateBits > 0): the tile counts each row's and column's spikes of the sample
//   (cleared by sample_begin_i), and step_end_i with rate_update_i (the sample's end) runs the same
//   two passes over the rows and columns that spiked, with ssnn_rate_lane (ssnn::rate_update) in
//   place of the pulse lanes: 2 * max(rows, columns) cycles as above, none without a row and a
//   column that spiked.
// - sample_begin_i and a step_end_i without an update take 1 cycle.
`include "ssnn_assert.svh"
`include "ssnn_registers.svh"

module ssnn_crossbar_tile #(
  parameter int Rows       = 256,  // rows (pre-synaptic neurons), 2..4096
  parameter int Cols       = 256,  // columns (post-synaptic neurons), 2..4096
  parameter int WeightBits = ssnn_pkg::WeightBits,  // signed weights, 2..24
  parameter int NoiseBits  = 0,    // pulse-noise amplitude width, 0 (no noise hardware)..WeightBits-1
  parameter bit Transposed = 1'b1, // keep W^T and gather the transposed sums
  parameter int RowOffset  = 0,    // global index of row 0 (device-noise words)
  parameter int ColOffset  = 0,    // global index of column 0
  parameter int CountBits  = 48,   // width of the event and pulse counters
  parameter int RateBits   = 0,    // rate-mode hardware: spike counts per sample (T < 2^RateBits); 0: none
  // Accumulator width: |sum| <= max(Rows, Cols) * 2^(WeightBits-1) fits exactly.
  localparam int AccBits   = WeightBits + $clog2(Rows > Cols ? Rows : Cols),
  localparam int RowBits   = $clog2(Rows),
  localparam int ColBits   = $clog2(Cols),
  localparam int IdxBits   = RowBits > ColBits ? RowBits : ColBits,
  localparam int NoiseWidth = NoiseBits > 0 ? NoiseBits : 1,
  localparam int RateWidth  = RateBits > 0 ? RateBits : 1,
  localparam int RecipBits  = WeightBits + 3 * RateWidth + 3  // ssnn_rate_lane's reciprocal
) (
  input  logic                           clk_i,
  input  logic                           rst_ni,
  // Commands (one-cycle pulses, at most one per cycle, only while busy_o is low).
  input  logic                           sample_begin_i,
  input  logic                           step_end_i,
  input  logic                           update_en_i,     // learning with stochastic updates
  input  logic                           rate_update_i,   // with step_end_i: the sample's rate update
  input  logic [31:0]                    step_i,          // timestep t (device-noise words)
  input  logic [63:0]                    device_key_i,    // sample_key ^ (kDeviceBase + layer)
  output logic                           busy_o,
  // The tile's registers can change at the next edge (a command, busy, an event, a host access,
  // sums to add or clear): the enable of its clock gate in the chip (ssnn_clock_gate).
  output logic                           clock_en_o,
  // Device options of this sample (held by the controller), as SynapseParams.
  input  logic signed [WeightBits-1:0]   w_min_i,
  input  logic signed [WeightBits-1:0]   w_max_i,
  input  logic        [WeightBits:0]     pulse_up_i,
  input  logic        [WeightBits:0]     pulse_down_i,
  input  logic        [NoiseWidth-1:0]   pulse_noise_i,
  // Rate mode: floor(T / 2) and ceil(2^(RecipBits - 1) / T) (ssnn_rate_lane), held by the host.
  input  logic        [RateWidth-1:0]    rate_half_i,
  input  logic        [RecipBits-1:0]    rate_recip_i,
  // Address events with tile-local indices: kind 0 = x (row), 1 = dp, 2 = dn (column).
  input  logic                           ev_valid_i,
  input  logic [1:0]                     ev_kind_i,
  input  logic [IdxBits-1:0]             ev_index_i,
  output logic                           ev_ready_o,
  // Partial sums, read and cleared by the neuron cores (clear wins over the stored value, an
  // access landing at the same edge is added to the cleared sum).
  output logic [Cols*AccBits-1:0]        fwd_sum_o,       // column c at [c*AccBits +: AccBits]
  input  logic                           fwd_clear_i,
  output logic [Rows*AccBits-1:0]        bwd_sum_o,       // row r at [r*AccBits +: AccBits]
  input  logic                           bwd_clear_i,
  // Host access to one weight while idle and no event is offered; read data the next cycle.
  input  logic                           host_req_i,
  input  logic                           host_we_i,
  input  logic [RowBits-1:0]             host_row_i,
  input  logic [ColBits-1:0]             host_col_i,
  input  logic signed [WeightBits-1:0]   host_wdata_i,
  output logic signed [WeightBits-1:0]   host_rdata_o,
  // Latches of the current step (waveforms, checkers).
  output logic [Rows-1:0]                row_latch_o,
  output logic [Cols-1:0]                col_pos_latch_o,
  output logic [Cols-1:0]                col_neg_latch_o,
  // Counters since reset.
  output logic [CountBits-1:0]           events_o,        // events taken (the drain check's rx_count)
  output logic [CountBits-1:0]           row_reads_o,     // forward reads
  output logic [CountBits-1:0]           col_reads_o,     // transposed reads (Transposed tiles)
  output logic [CountBits-1:0]           pulses_up_o,     // coincidences dp (saturated ones included)
  output logic [CountBits-1:0]           pulses_down_o,   // coincidences dn
  output logic [CountBits-1:0]           rate_updates_o   // cross-points of rate updates (row and column spiked)
);

  localparam int W = WeightBits;
  localparam logic [1:0] KindX = 2'd0;
  localparam logic [1:0] KindDp = 2'd1;

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_RANGE(Rows, 2, 4096)
    `SSNN_PARAM_RANGE(Cols, 2, 4096)
    `SSNN_PARAM_RANGE(WeightBits, 2, 24)
    `SSNN_PARAM_RANGE(NoiseBits, 0, WeightBits - 1)
    `SSNN_PARAM_RANGE(AccBits, 1, 32)  // the sums fit the cores' 32-bit words
    `SSNN_PARAM_MIN(RowOffset, 0)
    `SSNN_PARAM_MIN(ColOffset, 0)
    `SSNN_PARAM_RANGE(CountBits, 8, 64)
    `SSNN_PARAM_RANGE(RateBits, 0, 17)
  end
  // Input contract: commands and host accesses only while idle, one thing at a time, valid indices.
  always @(posedge clk_i or negedge rst_ni) begin : p_input_check
    if (!rst_ni) begin
      // Nothing to check in reset.
    end else begin
      assert (!(sample_begin_i && step_end_i)) else $error("ssnn_crossbar_tile: two commands in one cycle");
      assert (!((sample_begin_i || step_end_i) && busy_o)) else $error("ssnn_crossbar_tile: command while busy");
      assert (!(host_req_i && (busy_o || ev_valid_i))) else $error("ssnn_crossbar_tile: host access while busy or with an event");
      if (ev_valid_i && ev_ready_o) begin
        assert (ev_kind_i != 2'd3) else $error("ssnn_crossbar_tile: event kind 3");
        assert (ev_kind_i == KindX ? 32'(ev_index_i) < 32'(Rows) : 32'(ev_index_i) < 32'(Cols))
          else $error("ssnn_crossbar_tile: event index %0d outside the tile", ev_index_i);
      end
    end
  end
`endif

  // ---------------------------------------------------------------------------------------------
  // Control: idle, a one-cycle command, or the update passes.
  // ---------------------------------------------------------------------------------------------
  typedef enum logic [1:0] {TileIdle, TileOneCycle, TileUpdate} tile_state_e;

  tile_state_e tile_d, tile_q;
  logic        clear_latches_d, clear_latches_q;  // the one-cycle command is a step end

  logic [Rows-1:0] row_latch_d, row_latch_q;
  logic [Cols-1:0] pos_latch_d, pos_latch_q;
  logic [Cols-1:0] neg_latch_d, neg_latch_q;

  logic ev_take;
  logic take_x, take_grad, take_pos;
  logic update_now;  // step_end_i that starts the pulse passes
  logic rate_now;    // step_end_i that starts the rate passes
  logic start_passes;
  logic rate_pass_d, rate_pass_q;  // the passes under way apply rate updates
  logic rate_lines;                // the arrays' line inputs are the lines that spiked
  logic [Rows-1:0] row_spiked;     // rows / columns with spikes in this sample (rate mode)
  logic [Cols-1:0] pos_spiked, neg_spiked, col_spiked;
  logic row_pass_done, col_pass_done;
  logic passes_end;  // both passes finish at this edge

  always_comb begin
    ev_take   = ev_valid_i && ev_ready_o;
    take_x    = ev_take && ev_kind_i == KindX;
    take_grad = ev_take && ev_kind_i != KindX;
    take_pos  = ev_kind_i == KindDp;
    update_now = step_end_i && update_en_i && (|row_latch_q) && ((|pos_latch_q) || (|neg_latch_q));
    rate_now   = RateBits > 0 && step_end_i && rate_update_i && (|row_spiked) && (|col_spiked);
    start_passes = update_now || rate_now;
    rate_pass_d  = start_passes ? rate_now : rate_pass_q;
    rate_lines   = rate_now || rate_pass_q;
  end

  always_comb begin
    tile_d          = tile_q;
    clear_latches_d = clear_latches_q;
    passes_end      = 1'b0;
    case (tile_q)
      TileIdle: begin
        if (start_passes) begin
          tile_d = TileUpdate;
        end else if (sample_begin_i || step_end_i) begin
          tile_d          = TileOneCycle;
          clear_latches_d = step_end_i;
        end
      end
      TileOneCycle: tile_d = TileIdle;
      TileUpdate: begin
        if (row_pass_done && col_pass_done) begin
          tile_d     = TileIdle;
          passes_end = 1'b1;
        end
      end
      default: tile_d = TileIdle;
    endcase
  end

  assign busy_o     = tile_q != TileIdle;
  assign ev_ready_o = tile_q == TileIdle;

  // Latches: set by events, cleared when a step end completes.
  logic [RowBits-1:0] ev_row;
  logic [ColBits-1:0] ev_col;
  assign ev_row = ev_index_i[RowBits-1:0];
  assign ev_col = ev_index_i[ColBits-1:0];

  always_comb begin
    row_latch_d = row_latch_q;
    pos_latch_d = pos_latch_q;
    neg_latch_d = neg_latch_q;
    if (passes_end || (tile_q == TileOneCycle && clear_latches_q)) begin
      row_latch_d = '0;
      pos_latch_d = '0;
      neg_latch_d = '0;
    end
    if (take_x) begin
      row_latch_d[ev_row] = 1'b1;
    end
    if (take_grad && take_pos) begin
      pos_latch_d[ev_col] = 1'b1;
    end
    if (take_grad && !take_pos) begin
      neg_latch_d[ev_col] = 1'b1;
    end
  end

  assign row_latch_o     = row_latch_q;
  assign col_pos_latch_o = pos_latch_q;
  assign col_neg_latch_o = neg_latch_q;

  // ---------------------------------------------------------------------------------------------
  // Rate mode: the spikes of the sample per row and column (< T < 2^RateBits, so no overflow).
  // ---------------------------------------------------------------------------------------------
  logic [Rows*RateWidth-1:0] row_count;
  logic [Cols*RateWidth-1:0] pos_count, neg_count;
  if (RateBits > 0) begin : gen_rate_counts
    logic [Rows*RateWidth-1:0] row_count_d, row_count_q;
    logic [Cols*RateWidth-1:0] pos_count_d, pos_count_q, neg_count_d, neg_count_q;
    always_comb begin
      row_count_d = sample_begin_i ? '0 : row_count_q;
      pos_count_d = sample_begin_i ? '0 : pos_count_q;
      neg_count_d = sample_begin_i ? '0 : neg_count_q;
      if (take_x) begin
        row_count_d[ev_row*RateWidth +: RateWidth] = row_count_q[ev_row*RateWidth +: RateWidth] + 1'b1;
      end
      if (take_grad && take_pos) begin
        pos_count_d[ev_col*RateWidth +: RateWidth] = pos_count_q[ev_col*RateWidth +: RateWidth] + 1'b1;
      end
      if (take_grad && !take_pos) begin
        neg_count_d[ev_col*RateWidth +: RateWidth] = neg_count_q[ev_col*RateWidth +: RateWidth] + 1'b1;
      end
      for (int r = 0; r < Rows; r++) begin
        row_spiked[r] = row_count_q[r*RateWidth +: RateWidth] != '0;
      end
      for (int c = 0; c < Cols; c++) begin
        pos_spiked[c] = pos_count_q[c*RateWidth +: RateWidth] != '0;
        neg_spiked[c] = neg_count_q[c*RateWidth +: RateWidth] != '0;
      end
    end
    `SSNN_FF({row_count_q, pos_count_q, neg_count_q}, {row_count_d, pos_count_d, neg_count_d}, '0)
    assign row_count = row_count_q;
    assign pos_count = pos_count_q;
    assign neg_count = neg_count_q;
  end else begin : gen_no_rate_counts
    assign row_count  = '0;
    assign pos_count  = '0;
    assign neg_count  = '0;
    assign row_spiked = '0;
    assign pos_spiked = '0;
    assign neg_spiked = '0;
    logic unused_rate;
    assign unused_rate = ^{rate_update_i, rate_half_i, rate_recip_i};
  end
  assign col_spiked = pos_spiked | neg_spiked;

  // The arrays' update passes run over the latched lines with pulses, or over the lines that
  // spiked in the sample with the rate lanes.
  logic [Rows-1:0] row_lines;
  assign row_lines = rate_lines ? row_spiked : row_latch_q;

  // ---------------------------------------------------------------------------------------------
  // Device noise: splitmix64(device_key + t) once per update, then one word per lane.
  // ---------------------------------------------------------------------------------------------
  logic [63:0] step_hash_d, step_hash_q;
  if (NoiseBits > 0) begin : gen_step_hash
    logic [63:0] step_mix;
    ssnn_splitmix64 u_step_mix (
      .x_i(device_key_i + 64'(step_i)),
      .z_o(step_mix)
    );
    assign step_hash_d = update_now ? step_mix : step_hash_q;
  end else begin : gen_no_step_hash
    assign step_hash_d = '0;
    logic unused_noise_inputs;
    assign unused_noise_inputs = ^{device_key_i, step_i, pulse_noise_i, step_hash_q};
  end

  // ---------------------------------------------------------------------------------------------
  // Row array: forward reads, the row update pass (cross-point (r, c) with row r latched takes
  // column c's pulses), host access.
  // ---------------------------------------------------------------------------------------------
  logic [W*Cols-1:0] row_rdata;
  logic              row_write;

  ssnn_weight_array #(
    .Lines      (Rows),
    .Length     (Cols),
    .WeightBits (W),
    .NoiseBits  (NoiseBits),
    .ColumnWords(1'b0),
    .LineOffset (RowOffset),
    .LaneOffset (ColOffset),
    .RateBits   (RateBits)
  ) u_rows (
    .clk_i,
    .rst_ni,
    .update_i     (start_passes),
    .line_up_i    (row_lines),
    .line_down_i  (row_lines),
    .lane_up_i    (pos_latch_q),
    .lane_down_i  (neg_latch_q),
    .step_hash_i  (step_hash_q),
    .w_min_i,
    .w_max_i,
    .pulse_up_i,
    .pulse_down_i,
    .pulse_noise_i,
    .rate_i       (rate_pass_q),
    .rate_half_i,
    .rate_recip_i,
    .x_count_i    (row_count),
    .pos_count_i  (pos_count),
    .neg_count_i  (neg_count),
    .pass_write_o (row_write),
    .pass_done_o  (row_pass_done),
    .read_i       (take_x),
    .read_line_i  (ev_row),
    .host_req_i,
    .host_we_i,
    .host_line_i  (host_row_i),
    .host_lane_i  (host_col_i),
    .host_wdata_i,
    .rdata_o      (row_rdata)
  );

  // Host read-back: the weight of the column asked for, from the row word read.
  logic [ColBits-1:0] host_col_d, host_col_q;
  assign host_col_d   = (host_req_i && !host_we_i && tile_q == TileIdle && !ev_take) ? host_col_i : host_col_q;
  assign host_rdata_o = row_rdata[host_col_q*W +: W];

  // Forward accumulators: the row read at the previous edge lands now.
  logic                    fwd_pending_q;
  logic [Cols*AccBits-1:0] fwd_sum_d, fwd_sum_q;
  // The sums change only with a clear or a read landing: the adders sit in that branch (the same
  // values; a cycle-based simulator skips them in every other cycle).
  always_comb begin
    fwd_sum_d = fwd_sum_q;
    if (fwd_clear_i || fwd_pending_q) begin
      for (int c = 0; c < Cols; c++) begin
        fwd_sum_d[c*AccBits +: AccBits] =
            (fwd_clear_i ? AccBits'(0) : fwd_sum_q[c*AccBits +: AccBits]) +
            (fwd_pending_q ? AccBits'($signed(row_rdata[c*W +: W])) : AccBits'(0));
      end
    end
  end
  assign fwd_sum_o = fwd_sum_q;

  // ---------------------------------------------------------------------------------------------
  // Column array (Transposed): transposed reads and the column update pass (cross-point (r, c)
  // with column c's dp / dn latched takes the pulse when row r is latched); host writes.
  // ---------------------------------------------------------------------------------------------
  logic                    bwd_pending_q, bwd_neg_q;
  logic [Rows*AccBits-1:0] bwd_sum_d, bwd_sum_q;

  if (Transposed) begin : gen_transposed
    logic [Cols-1:0] col_up_lines, col_down_lines;
    assign col_up_lines   = rate_lines ? pos_spiked : pos_latch_q;
    assign col_down_lines = rate_lines ? neg_spiked : neg_latch_q;
    logic [W*Rows-1:0] col_rdata;
    logic              unused_col_write;

    ssnn_weight_array #(
      .Lines      (Cols),
      .Length     (Rows),
      .WeightBits (W),
      .NoiseBits  (NoiseBits),
      .ColumnWords(1'b1),
      .LineOffset (ColOffset),
      .LaneOffset (RowOffset),
      .RateBits   (RateBits)
    ) u_cols (
      .clk_i,
      .rst_ni,
      .update_i     (start_passes),
      .line_up_i    (col_up_lines),
      .line_down_i  (col_down_lines),
      .lane_up_i    (row_latch_q),
      .lane_down_i  (row_latch_q),
      .step_hash_i  (step_hash_q),
      .w_min_i,
      .w_max_i,
      .pulse_up_i,
      .pulse_down_i,
      .pulse_noise_i,
      .rate_i       (rate_pass_q),
      .rate_half_i,
      .rate_recip_i,
      .x_count_i    (row_count),
      .pos_count_i  (pos_count),
      .neg_count_i  (neg_count),
      .pass_write_o (unused_col_write),
      .pass_done_o  (col_pass_done),
      .read_i       (take_grad),
      .read_line_i  (ev_col),
      .host_req_i   (host_req_i && host_we_i),  // reads come from the row array
      .host_we_i,
      .host_line_i  (host_col_i),
      .host_lane_i  (host_row_i),
      .host_wdata_i,
      .rdata_o      (col_rdata)
    );

    // Row accumulators: the column read at the previous edge lands now, + for dp, - for dn.
    always_comb begin
      bwd_sum_d = bwd_sum_q;
      if (bwd_clear_i || bwd_pending_q) begin  // as the forward sums
        for (int r = 0; r < Rows; r++) begin
          bwd_sum_d[r*AccBits +: AccBits] =
              (bwd_clear_i ? AccBits'(0) : bwd_sum_q[r*AccBits +: AccBits]) +
              (!bwd_pending_q ? AccBits'(0) :
               bwd_neg_q ? AccBits'(0) - AccBits'($signed(col_rdata[r*W +: W]))
                         : AccBits'($signed(col_rdata[r*W +: W])));
        end
      end
    end
  end else begin : gen_latch_only
    assign col_pass_done = 1'b1;
    assign bwd_sum_d     = '0;
    logic unused_col_state;
    assign unused_col_state = ^{bwd_pending_q, bwd_neg_q, bwd_clear_i, bwd_sum_q};
  end
  assign bwd_sum_o = bwd_sum_q;

  assign clock_en_o = tile_q != TileIdle || sample_begin_i || step_end_i || ev_valid_i || host_req_i
                   || fwd_clear_i || bwd_clear_i || fwd_pending_q || bwd_pending_q;

  // ---------------------------------------------------------------------------------------------
  // Counters.
  // ---------------------------------------------------------------------------------------------
  logic [ColBits:0]     npos, nneg, nspiked;  // latched columns of each kind, columns that spiked
  logic [CountBits-1:0] up_inc, down_inc, rated_inc;

  always_comb begin
    npos    = '0;
    nneg    = '0;
    nspiked = '0;
    if (row_write) begin  // the counts are used only then (a simulator skips them otherwise)
      for (int c = 0; c < Cols; c++) begin
        npos    = npos + (ColBits + 1)'(pos_latch_q[c]);
        nneg    = nneg + (ColBits + 1)'(neg_latch_q[c]);
        nspiked = nspiked + (ColBits + 1)'(col_spiked[c]);
      end
    end
    up_inc    = '0;
    down_inc  = '0;
    rated_inc = '0;
    if (row_write && rate_pass_q) begin  // one row updated at every column that spiked
      rated_inc = CountBits'(nspiked);
    end else if (row_write) begin  // one latched row updated: a pulse per latched column
      up_inc   = CountBits'(npos);
      down_inc = CountBits'(nneg);
    end
  end

  ssnn_counters #(.Counters(6), .CountBits(CountBits)) u_counters (
    .clk_i,
    .rst_ni,
    .inc_i   ({CountBits'(ev_take), CountBits'(take_x), CountBits'(take_grad && Transposed),
               up_inc, down_inc, rated_inc}),
    .count_o ({events_o, row_reads_o, col_reads_o, pulses_up_o, pulses_down_o, rate_updates_o})
  );

  // ---------------------------------------------------------------------------------------------
  // Registers.
  // ---------------------------------------------------------------------------------------------
  // (TileIdle is 0.)
  `SSNN_FF({tile_q, clear_latches_q, step_hash_q, host_col_q, fwd_pending_q, bwd_pending_q, bwd_neg_q,
            rate_pass_q},
           {tile_d, clear_latches_d, step_hash_d, host_col_d, take_x, take_grad && Transposed, !take_pos,
            rate_pass_d}, '0)
  `SSNN_FF({row_latch_q, pos_latch_q, neg_latch_q}, {row_latch_d, pos_latch_d, neg_latch_d}, '0)
  `SSNN_FF(fwd_sum_q, fwd_sum_d, '0)
  `SSNN_FF(bwd_sum_q, bwd_sum_d, '0)

endmodule
