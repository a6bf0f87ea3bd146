// One weight array of a crossbar tile (docs/rtl.md, "ssnn_crossbar_tile"): Lines words of Length
// signed weights in an ssnn_mem (the row array holds W row by row; a Transposed tile's column array
// holds W column by column), shared by three users in priority order:
// - the update pass (update_i, a step end that learns): each line with line_up_i or line_down_i
//   set, lowest first, is read in one cycle and written back in the next, 2 cycles per line.
//   Cross-point (line l, lane k) takes the up pulse when line_up_i[l] and lane_up_i[k], then the
//   down pulse when line_down_i[l] and lane_down_i[k] (ssnn_crossbar_lane), with the pulse-to-pulse
//   variation of its global row and column (device_noise_word: splitmix64(step hash ^ {row, col}));
//   with rate_i (RateBits > 0, a rate pass at the sample's end; the line inputs are then the lines
//   that spiked) it takes ssnn::rate_update of its row's and column's spike counts (ssnn_rate_lane);
// - an event's read of one line (read_i);
// - the host's access to one weight (host_req_i).
// Read data is on rdata_o the cycle after the read. The latches and counts must hold still during a
// pass.
module ssnn_weight_array #(
  parameter int Lines       = 256,   // words, 2..4096
  parameter int Length      = 256,   // weights per word, 2..4096
  parameter int WeightBits  = ssnn_pkg::WeightBits,
  parameter int NoiseBits   = 0,     // pulse-noise amplitude width, 0 (no noise hardware)..WeightBits-1
  parameter bit ColumnWords = 1'b0,  // a word is a column of W (line = column, lane = row)
  parameter int LineOffset  = 0,     // global index of line 0
  parameter int LaneOffset  = 0,     // global index of lane 0
  parameter int RateBits    = 0,     // rate lanes: spike counts per sample (T < 2^RateBits); 0: none
  localparam int LineBits   = $clog2(Lines),
  localparam int LaneBits   = $clog2(Length),
  localparam int NoiseWidth = NoiseBits > 0 ? NoiseBits : 1,
  localparam int RateWidth  = RateBits > 0 ? RateBits : 1,
  localparam int RecipBits  = WeightBits + 3 * RateWidth + 3,  // ssnn_rate_lane's reciprocal
  localparam int Rows       = ColumnWords ? Length : Lines,    // of the tile slice this array holds
  localparam int Cols       = ColumnWords ? Lines : Length
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  // Update pass, and the device options of this sample (SynapseParams).
  input  logic                          update_i,
  input  logic [Lines-1:0]              line_up_i,
  input  logic [Lines-1:0]              line_down_i,
  input  logic [Length-1:0]             lane_up_i,
  input  logic [Length-1:0]             lane_down_i,
  input  logic [63:0]                   step_hash_i,    // splitmix64(device key + t), held during the pass
  input  logic signed [WeightBits-1:0]  w_min_i,
  input  logic signed [WeightBits-1:0]  w_max_i,
  input  logic        [WeightBits:0]    pulse_up_i,
  input  logic        [WeightBits:0]    pulse_down_i,
  input  logic        [NoiseWidth-1:0]  pulse_noise_i,
  // Rate pass (RateBits > 0): rate_i during the pass; floor(T / 2), the reciprocal of T, and the
  // sample's spike counts of every row (x) and column (dp, dn), RateBits each.
  input  logic                          rate_i,
  input  logic        [RateWidth-1:0]   rate_half_i,
  input  logic        [RecipBits-1:0]   rate_recip_i,
  input  logic [Rows*RateWidth-1:0]     x_count_i,
  input  logic [Cols*RateWidth-1:0]     pos_count_i,
  input  logic [Cols*RateWidth-1:0]     neg_count_i,
  output logic                          pass_write_o,   // a line is written back at this edge
  output logic                          pass_done_o,    // the pass is idle or writes its last line
  // Event read.
  input  logic                          read_i,
  input  logic [LineBits-1:0]           read_line_i,
  // Host access to one weight.
  input  logic                          host_req_i,
  input  logic                          host_we_i,
  input  logic [LineBits-1:0]           host_line_i,
  input  logic [LaneBits-1:0]           host_lane_i,
  input  logic signed [WeightBits-1:0]  host_wdata_i,
  output logic [Length*WeightBits-1:0]  rdata_o
);

  localparam int W = WeightBits;
  localparam int VarBits = NoiseWidth + 2;

`ifndef SYNTHESIS
  initial begin : p_param_check
    assert (Lines >= 2 && Lines <= 4096 && Length >= 2 && Length <= 4096)
      else $fatal(1, "ssnn_weight_array: Lines=%0d and Length=%0d must be in 2..4096", Lines, Length);
    assert (RateBits >= 0 && RateBits <= 17)
      else $fatal(1, "ssnn_weight_array: RateBits=%0d must be in 0..17", RateBits);
  end
`endif

  // ---------------------------------------------------------------------------------------------
  // The pass: read line `next` (lowest still to update), write it back as line `cur` next cycle.
  // ---------------------------------------------------------------------------------------------
  typedef enum logic [1:0] {PassIdle, PassRead, PassWrite} pass_state_e;

  pass_state_e         pass_d, pass_q;
  logic [Lines-1:0]    work_d, work_q;   // latched lines still to update
  logic [LineBits-1:0] cur_d, cur_q;     // line being updated
  logic [LineBits-1:0] next;

  // Used only in PassRead: the search sits in that branch (a simulator skips it in other cycles).
  always_comb begin
    next = '0;
    if (pass_q == PassRead) begin
      for (int l = Lines - 1; l >= 0; l--) begin
        if (work_q[l]) begin
          next = LineBits'(l);
        end
      end
    end
  end

  always_comb begin
    pass_d = pass_q;
    work_d = work_q;
    cur_d  = cur_q;
    case (pass_q)
      PassIdle: begin
        if (update_i) begin
          work_d = line_up_i | line_down_i;
          pass_d = PassRead;
        end
      end
      PassRead: begin
        cur_d        = next;
        work_d[next] = 1'b0;
        pass_d       = PassWrite;
      end
      PassWrite: begin
        if (work_q == '0) begin
          pass_d = PassIdle;
        end else begin
          pass_d = PassRead;
        end
      end
      default: pass_d = PassIdle;
    endcase
  end

  assign pass_write_o = pass_q == PassWrite;
  assign pass_done_o  = pass_q == PassIdle || (pass_q == PassWrite && work_q == '0);

  // ---------------------------------------------------------------------------------------------
  // The memory port: the pass, else an event, else the host.
  // ---------------------------------------------------------------------------------------------
  logic                req, we;
  logic [LineBits-1:0] addr;
  logic [W*Length-1:0] wdata, wmask;

  always_comb begin
    req  = 1'b0;
    we   = 1'b0;
    addr = host_line_i;
    if (pass_q == PassRead) begin
      req  = 1'b1;
      addr = next;
    end else if (pass_q == PassWrite) begin
      req  = 1'b1;
      we   = 1'b1;
      addr = cur_q;
    end else if (read_i) begin
      req  = 1'b1;
      addr = read_line_i;
    end else if (host_req_i) begin
      req = 1'b1;
      we  = host_we_i;
    end
  end


  ssnn_mem #(
    .Words   (Lines),
    .DataBits(W * Length)
  ) u_mem (
    .clk_i  (clk_i),
    .req_i  (req),
    .we_i   (we),
    .addr_i (addr),
    .wdata_i(wdata),
    .wmask_i(wmask),
    .rdata_o(rdata_o)
  );

  // ---------------------------------------------------------------------------------------------
  // Update lanes: lane k is cross-point (cur, k), on the line read at the previous edge.
  // ---------------------------------------------------------------------------------------------
  logic [31:0] line_index;
  assign line_index = 32'(LineOffset) + 32'(cur_q);

  logic [Length*VarBits-1:0] lane_variation;  // lane k at [k*VarBits +: VarBits]
  logic [Length*W-1:0]       lane_rated;     // rate lanes (RateBits > 0)

  for (genvar k = 0; k < Length; k++) begin : gen_lane
    if (NoiseBits > 0) begin : gen_noise
      logic [63:0] mix;
      ssnn_splitmix64 u_mix (
        .x_i(step_hash_i ^ (ColumnWords ? {32'(LaneOffset + k), line_index} : {line_index, 32'(LaneOffset + k)})),
        .z_o(mix)
      );
      ssnn_pulse_variation #(.NoiseBits(NoiseBits)) u_variation (
        .word_i     (mix[31:0]),
        .noise_i    (pulse_noise_i),
        .variation_o(lane_variation[k*VarBits +: VarBits])
      );
      logic unused_mix_high;
      assign unused_mix_high = ^mix[63:32];
    end else begin : gen_no_noise
      assign lane_variation[k*VarBits +: VarBits] = '0;
    end
    if (RateBits > 0) begin : gen_rate
      // Cross-point (row, column) is (cur, k) in a row word, (k, cur) in a column word.
      logic [RateWidth-1:0] n_x, n_pos, n_neg;
      if (ColumnWords) begin : gen_column_word
        assign n_x   = x_count_i[k*RateWidth +: RateWidth];
        assign n_pos = pos_count_i[cur_q*RateWidth +: RateWidth];
        assign n_neg = neg_count_i[cur_q*RateWidth +: RateWidth];
      end else begin : gen_row_word
        assign n_x   = x_count_i[cur_q*RateWidth +: RateWidth];
        assign n_pos = pos_count_i[k*RateWidth +: RateWidth];
        assign n_neg = neg_count_i[k*RateWidth +: RateWidth];
      end
      ssnn_rate_lane #(
        .WeightBits(W),
        .RateBits  (RateBits)
      ) u_rate (
        .weight_i    (rdata_o[k*W +: W]),
        .n_x_i       (n_x),
        .n_pos_i     (n_pos),
        .n_neg_i     (n_neg),
        .half_i      (rate_half_i),
        .recip_i     (rate_recip_i),
        .w_min_i     (w_min_i),
        .w_max_i     (w_max_i),
        .pulse_up_i  (pulse_up_i),
        .pulse_down_i(pulse_down_i),
        .weight_o    (lane_rated[k*W +: W])
      );
    end else begin : gen_no_rate
      assign lane_rated[k*W +: W] = '0;
    end
  end

`include "ssnn_pulse_fn.svh"

  // Write data and bit mask (used only with we): in the cycle that writes a line back, every lane's
  // update of the line (ssnn_crossbar_lane's arithmetic, or the rate lane's); else the host's one
  // weight. The lanes sit inside that branch, so a cycle-based simulator evaluates them only when a
  // line is written back (in hardware the same multiplexer as before: the lanes and the host data
  // into the write port), and these line-wide vectors depend on the pass and the host's held data,
  // not on the events and requests of every cycle.
  always_comb begin : p_write_data
    wdata = {Length{host_wdata_i}};
    wmask = '0;
    wmask[host_lane_i*W +: W] = {W{1'b1}};
    if (pass_q == PassWrite) begin
      wmask = '1;
      for (int k = 0; k < Length; k++) begin
        if (RateBits > 0 && rate_i) begin
          wdata[k*W +: W] = lane_rated[k*W +: W];
        end else begin
          wdata[k*W +: W] = crossbar_lane(rdata_o[k*W +: W], line_up_i[cur_q] && lane_up_i[k],
                                          line_down_i[cur_q] && lane_down_i[k],
                                          lane_variation[k*VarBits +: VarBits], w_min_i, w_max_i,
                                          pulse_up_i, pulse_down_i);
        end
      end
    end
  end

  if (RateBits == 0) begin : gen_no_rate_inputs
    logic unused_rate_inputs;
    assign unused_rate_inputs = ^{rate_i, rate_half_i, rate_recip_i, x_count_i, pos_count_i, neg_count_i};
  end

  if (NoiseBits == 0) begin : gen_no_noise_inputs
    logic unused_noise_inputs;
    assign unused_noise_inputs = ^{step_hash_i, pulse_noise_i, line_index};
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pass_q <= PassIdle;
      work_q <= '0;
      cur_q  <= '0;
    end else begin
      pass_q <= pass_d;
      work_q <= work_d;
      cur_q  <= cur_d;
    end
  end

endmodule
