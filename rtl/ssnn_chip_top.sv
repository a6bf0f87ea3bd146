// Why one file (about 830 lines): the top is wiring, the host register bank, the cores' clock
// gates and the floorplan functions that the wiring indexes (tile spans, AER channel numbers, sum-bus
// slices); split, each half would need the other's constant functions, and the blocks already live
// in their own files.
// The whole chip: spike encoder, one neuron core per layer, the crossbar tiles of every weight layer,
// the AER router between them and the controller, with the host interface (docs/rtl.md,
// "ssnn_chip_top"). The RTL of systemc/ssnn_chip, wired from the same floorplan (ChipFloorplan):
//
// - Tiling: weight layer l (layer-l neurons x layer-(l+1) neurons) is cut into tiles of TileRows x
//   TileCols (0 or more than the layer: one tile spans it), numbered layer by layer, band row by band
//   row. Tiles of layer 0 only latch gradient events; the others keep W^T and gather W^T(dp - dn).
// - AER blocks: the encoder's channels (one per row band of layer 0) are router inputs 0..; then each
//   core's channels (one per row band of the layer above for forward events and per column band of
//   the layer below for gradient events, the larger count). Router output k is tile k; the top turns
//   the packet's global neuron index into the tile-local row or column.
// - Sum buses: a core reads every tile of a row band (below) or column band (above) side by side,
//   each partial sum sign-extended to SumBits.
//
// Host interface, used while busy_o is low: the pixel memory (pix_*), the label, the input-ramp table
// (ramp_*: input_ramp_q16 of every timestep), the routing table (route_*, written once after power-up,
// kept through reset), one weight per cycle (w_*), and the sample descriptor with start_i. The layer
// parameters and the sample's device options are inputs held by the host for the whole sample
// (an ASIC would keep them in a register file). Every input passes the host register bank (one
// cycle). Counters and the prediction are outputs.
`include "ssnn_assert.svh"
`include "ssnn_registers.svh"

module ssnn_chip_top #(
  parameter int Layers         = 2,                    // weight layers L = hidden layers + 1, 2..7
  // Layer sizes: layer l (0 = inputs, L = classes) at [l*16 +: 16].
  parameter logic [127:0] Sizes = {16'd0, 16'd0, 16'd0, 16'd0, 16'd0, 16'd10, 16'd32, 16'd64},
  parameter int TileRows       = 16,                   // 0: one tile spans the layer
  parameter int TileCols       = 16,
  parameter int Lanes          = 8,                    // neuron-core lanes
  parameter int EncoderLanes   = 16,
  parameter int FifoDepth      = 16,
  parameter int EventsPerCycle = 2,
  parameter int WeightBits     = ssnn_pkg::WeightBits,
  parameter int ChargeBits     = ssnn_pkg::ChargeBits,
  parameter int PotentialBits  = ssnn_pkg::PotentialBits,
  parameter int InputBits      = ssnn_pkg::InputBits,
  parameter int NoiseBits      = 0,                    // pulse-noise hardware of the tiles (0: none)
  parameter int RampWords      = 128,                  // input-ramp table: timesteps up to this
  parameter bit RateUpdate     = 1'b1,                 // rate-mode hardware of the tiles (ssnn_rate_lane)
  parameter int CountBits      = 48,
  localparam int Inputs        = {16'd0, Sizes[15:0]},
  localparam int Classes       = {16'd0, Sizes[Layers*16 +: 16]},
  localparam int Tiles         = tile_first(Layers),
  localparam int Blocks        = core_block(Layers) + bands_c(Layers - 1),
  localparam int SumBits       = WeightBits + $clog2(max_span()),
  localparam int PixBits       = $clog2(Inputs),
  localparam int ClassBits     = $clog2(Classes),
  localparam int RampBits      = $clog2(RampWords),
  localparam int TileBits      = Tiles > 1 ? $clog2(Tiles) : 1,
  localparam int BlockBits     = Blocks > 1 ? $clog2(Blocks) : 1,
  localparam int NoiseWidth    = NoiseBits > 0 ? NoiseBits : 1,
  localparam int RateBits      = RateUpdate ? $clog2(RampWords + 1) : 0,  // spike counts of a sample
  localparam int RateWidth     = RateBits > 0 ? RateBits : 1,
  localparam int RecipBits     = WeightBits + 3 * RateWidth + 3,
  localparam int Hidden        = Layers - 1,
  localparam int NumPhases     = 9,
  localparam int EncCounts     = 7,
  localparam int CoreCounts    = 10,
  localparam int TileCounts    = 6,
  localparam int RouterCounts  = 6,
  localparam int RouterInCounts = 5,
  localparam int SpikeCountBits = 17,
  localparam int OccBits       = $clog2(FifoDepth + 1)
) (
  input  logic                                   clk_i,
  input  logic                                   rst_ni,
  // Sample descriptor and start (ssnn_controller).
  input  logic                                   start_i,
  input  logic                                   learn_i,
  input  logic [15:0]                            sample_phase_i,
  input  logic [31:0]                            epoch_i,
  input  logic [63:0]                            index_i,
  input  logic [63:0]                            seed_i,
  input  logic [16:0]                            timesteps_i,
  output logic                                   busy_o,
  // Pixels (one per cycle) and the label of the next sample.
  input  logic                                   pix_we_i,
  input  logic [PixBits-1:0]                     pix_addr_i,
  input  logic [7:0]                             pix_data_i,
  input  logic [7:0]                             label_i,
  // Input-ramp table: word t = input_ramp_q16(rate, t, T, profile).
  input  logic                                   ramp_we_i,
  input  logic [RampBits-1:0]                    ramp_addr_i,
  input  logic [ssnn_pkg::ProbBits:0]            ramp_data_i,
  // Routing table entry (block, kind) <- mask of tiles.
  input  logic                                   route_we_i,
  input  logic [BlockBits-1:0]                   route_block_i,
  input  logic [1:0]                             route_kind_i,
  input  logic [Tiles-1:0]                       route_mask_i,
  // Weights: one access per cycle; read data on w_rdata_o two cycles after the request.
  input  logic                                   w_req_i,
  input  logic                                   w_we_i,
  input  logic [TileBits-1:0]                    w_tile_i,
  input  logic [15:0]                            w_row_i,     // tile-local
  input  logic [15:0]                            w_col_i,
  input  logic signed [WeightBits-1:0]           w_wdata_i,
  output logic signed [WeightBits-1:0]           w_rdata_o,
  // Layer parameters of the sample (hidden layer h = 1..L-1 at [(h-1)*Width +: Width]).
  input  logic [ssnn_pkg::BetaBits:0]            beta_i,
  input  logic [Hidden*PotentialBits-1:0]        theta_i,
  input  logic [Hidden*PotentialBits-1:0]        theta_gate_i,
  input  logic [Hidden*PotentialBits-1:0]        theta_grad_i,
  input  logic [ssnn_pkg::ProbBits:0]            drop_hidden_q16_i,
  input  logic signed [PotentialBits-1:0]        theta_out_i,
  input  logic signed [PotentialBits-1:0]        theta_err_i,
  input  logic signed [ChargeBits-1:0]           err_unit_i,
  input  logic signed [PotentialBits-1:0]        inhibition_i,
  input  logic [ssnn_pkg::ProbBits:0]            label_q16_i,
  input  logic [ssnn_pkg::ProbBits:0]            drop_input_q16_i,
  // Device options of the sample, per weight layer l at [l*Width +: Width] (SynapseParams).
  input  logic [Layers*WeightBits-1:0]           w_min_i,
  input  logic [Layers*WeightBits-1:0]           w_max_i,
  input  logic [Layers*(WeightBits+1)-1:0]       pulse_up_i,
  input  logic [Layers*(WeightBits+1)-1:0]       pulse_down_i,
  input  logic [Layers*NoiseWidth-1:0]           pulse_noise_i,
  // Rate mode (RateUpdate): weights change once, at the end of a training sample, by
  // ssnn::rate_update; rate_recip_i = ceil(2^(RecipBits-1) / T) with T = timesteps_i (ssnn_rate_lane).
  input  logic                                   rate_mode_i,
  input  logic [RecipBits-1:0]                   rate_recip_i,
  // Result of the last sample.
  output logic [ClassBits-1:0]                   prediction_o,
  output logic [Classes*SpikeCountBits-1:0]      out_counts_o,
  // Counters since reset. Controller: cycles per CtrlPhase, cycles, samples, steps.
  output logic [NumPhases*CountBits-1:0]         phase_cycles_o,
  output logic [CountBits-1:0]                   cycles_o,
  output logic [CountBits-1:0]                   samples_o,
  output logic [CountBits-1:0]                   steps_o,
  // Encoder: lfsr_draws, input_spikes, label_spikes, seed_loads, events, stall_cycles, busy_cycles.
  output logic [EncCounts*CountBits-1:0]         enc_counters_o,
  // Core of layer l (1..L) at [(l-1)*CoreCounts*CountBits]: forward_updates, gradient_updates,
  // forward_spikes, pos_spikes, neg_spikes, wta_iterations, column_sum_words, events,
  // stall_cycles, busy_cycles.
  output logic [Layers*CoreCounts*CountBits-1:0] core_counters_o,
  // Tile k at [k*TileCounts*CountBits]: events, row_reads, col_reads, pulses_up, pulses_down,
  // rate_updates.
  output logic [Tiles*TileCounts*CountBits-1:0]  tile_counters_o,
  // Router (AerRouterCounters, laid out as ssnn_aer_router's counters_o, in_counters_o and
  // events_out_o); router_counters_o's cycle count is the top's free-running one (below).
  output logic [BlockBits-1:0]                   rr_pointer_o,
  output logic [Blocks*OccBits-1:0]              fifo_high_water_o,
  output logic [RouterCounts*CountBits-1:0]      router_counters_o,
  output logic [RouterInCounts*Blocks*CountBits-1:0] router_in_counters_o,
  output logic [Tiles*CountBits-1:0]             events_out_o
);

  // ---------------------------------------------------------------------------------------------
  // Host register bank: every host input is sampled at a clock edge and used from the next cycle
  // on, so no path runs from a pin into the chip's logic (registered I/O). The host sees one cycle
  // more latency on every request (start, writes, the weight read), none inside a sample.
  // The requests are reset and sampled at every edge; the data registers need no reset and load
  // only with their request, each group behind its own clock gate: the sample descriptor, the
  // layer parameters and the device options while start_i is high (the host holds them from
  // before start_i until the sample ends), the weight port's address and data with w_req_i, a
  // pixel with pix_we_i, a ramp word with ramp_we_i, a route with route_we_i. Held registers do
  // not toggle (no power spent on them inside a sample), and a cycle-based simulator has nothing
  // to re-evaluate in the blocks that read them while they hold.
  // ---------------------------------------------------------------------------------------------
  logic                             start_q, learn_q, pix_we_q, ramp_we_q, route_we_q, w_req_q,
                                    w_we_q;
  logic [15:0]                      sample_phase_q, w_row_q, w_col_q;
  logic [31:0]                      epoch_q;
  logic [63:0]                      index_q, seed_q;
  logic [16:0]                      timesteps_q;
  logic [PixBits-1:0]               pix_addr_q;
  logic [7:0]                       pix_data_q, label_q;
  logic [RampBits-1:0]              ramp_addr_q;
  logic [ssnn_pkg::ProbBits:0]      ramp_data_q, drop_hidden_q16_q, label_q16_q, drop_input_q16_q;
  logic [BlockBits-1:0]             route_block_q;
  logic [1:0]                       route_kind_q;
  logic [Tiles-1:0]                 route_mask_q;
  logic [TileBits-1:0]              w_tile_q;
  logic signed [WeightBits-1:0]     w_wdata_q;
  logic [ssnn_pkg::BetaBits:0]      beta_q;
  logic [Hidden*PotentialBits-1:0]  theta_q, theta_gate_q, theta_grad_q;
  logic signed [PotentialBits-1:0]  theta_out_q, theta_err_q, inhibition_q;
  logic signed [ChargeBits-1:0]     err_unit_q;
  logic [Layers*WeightBits-1:0]     w_min_q, w_max_q;
  logic [Layers*(WeightBits+1)-1:0] pulse_up_q, pulse_down_q;
  logic [Layers*NoiseWidth-1:0]     pulse_noise_q;
  logic                             rate_mode_q;
  logic [RecipBits-1:0]             rate_recip_q;

  `SSNN_FF({start_q, pix_we_q, ramp_we_q, route_we_q, w_req_q, w_we_q},
           {start_i, pix_we_i, ramp_we_i, route_we_i, w_req_i, w_we_i}, '0)

  // The data groups' clocks: 0 sample, 1 weight port, 2 pixel, 3 ramp, 4 route.
  localparam int HostGroups = 5;
  logic [HostGroups-1:0] host_clk;
  logic [HostGroups-1:0] host_load;
  assign host_load = {route_we_i, ramp_we_i, pix_we_i, w_req_i, start_i};
  for (genvar g = 0; g < HostGroups; g++) begin : g_host_clock
    ssnn_clock_gate u_clock_gate (
      .clk_i,
      .en_i      (host_load[g]),
      .test_en_i (1'b0),
      .clk_o     (host_clk[g])
    );
  end

  always_ff @(posedge host_clk[0]) begin
    {learn_q, sample_phase_q, epoch_q, index_q, seed_q, timesteps_q, label_q, beta_q, theta_q,
     theta_gate_q, theta_grad_q, drop_hidden_q16_q, theta_out_q, theta_err_q, err_unit_q,
     inhibition_q, label_q16_q, drop_input_q16_q, w_min_q, w_max_q, pulse_up_q, pulse_down_q,
     pulse_noise_q, rate_mode_q, rate_recip_q} <=
        {learn_i, sample_phase_i, epoch_i, index_i, seed_i, timesteps_i, label_i, beta_i, theta_i,
         theta_gate_i, theta_grad_i, drop_hidden_q16_i, theta_out_i, theta_err_i, err_unit_i,
         inhibition_i, label_q16_i, drop_input_q16_i, w_min_i, w_max_i, pulse_up_i, pulse_down_i,
         pulse_noise_i, rate_mode_i, rate_recip_i};
  end
  always_ff @(posedge host_clk[1]) begin
    {w_tile_q, w_row_q, w_col_q, w_wdata_q} <= {w_tile_i, w_row_i, w_col_i, w_wdata_i};
  end
  always_ff @(posedge host_clk[2]) begin
    {pix_addr_q, pix_data_q} <= {pix_addr_i, pix_data_i};
  end
  always_ff @(posedge host_clk[3]) begin
    {ramp_addr_q, ramp_data_q} <= {ramp_addr_i, ramp_data_i};
  end
  always_ff @(posedge host_clk[4]) begin
    {route_block_q, route_kind_q, route_mask_q} <= {route_block_i, route_kind_i, route_mask_i};
  end

  // ---------------------------------------------------------------------------------------------
  // Floorplan (ChipFloorplan, systemc/chip_floorplan.cpp): constant functions of the parameters
  // ---------------------------------------------------------------------------------------------
  // Written as assignments to the function's name: yosys 0.23 parses no `return` in a function
  // that elaborates a parameter.
  function automatic int size_of(int l);
    size_of = 0;
    size_of[15:0] = Sizes[l*16 +: 16];
  endfunction
  function automatic int span_of(int n, int t);
    if (t <= 0 || t > n) span_of = n;
    else span_of = t;
  endfunction
  function automatic int span_r(int l);  // rows of a tile of weight layer l
    span_r = span_of(size_of(l), TileRows);
  endfunction
  function automatic int span_c(int l);  // columns
    span_c = span_of(size_of(l + 1), TileCols);
  endfunction
  function automatic int bands_r(int l);
    bands_r = (size_of(l) + span_r(l) - 1) / span_r(l);
  endfunction
  function automatic int bands_c(int l);
    bands_c = (size_of(l + 1) + span_c(l) - 1) / span_c(l);
  endfunction
  function automatic int tile_first(int l);  // index of weight layer l's first tile
    int s, m;
    s = 0;
    for (m = 0; m < l; m = m + 1) s = s + bands_r(m) * bands_c(m);
    tile_first = s;
  endfunction
  function automatic int channels(int l);    // AER channels of the core of layer l (1..L)
    int f;
    f = l < Layers ? bands_r(l) : 0;
    channels = f > bands_c(l - 1) ? f : bands_c(l - 1);
  endfunction
  function automatic int core_block(int l);  // first AER block of the core of layer l (1..L)
    int b, m;
    b = bands_r(0);
    for (m = 1; m < l; m = m + 1) b = b + channels(m);
    core_block = b;
  endfunction
  function automatic int max_span();
    int s, m;
    s = 2;
    for (m = 0; m < Layers; m = m + 1) begin
      if (span_r(m) > s) s = span_r(m);
      if (span_c(m) > s) s = span_c(m);
    end
    max_span = s;
  endfunction
  // The sum buses: core l's column sums from below (bands_r(l-1) tiles wide) and, for hidden cores,
  // its row sums from above (bands_c(l) tiles wide), all in one vector each.
  function automatic int below_off(int l);
    int s, m;
    s = 0;
    for (m = 1; m < l; m = m + 1) s = s + bands_r(m - 1) * size_of(m) * SumBits;
    below_off = s;
  endfunction
  function automatic int above_off(int l);
    int s, m;
    s = 0;
    for (m = 1; m < l; m = m + 1) s = s + bands_c(m) * size_of(m) * SumBits;
    above_off = s;
  endfunction

  localparam int BelowBusBits = below_off(Layers + 1);
  localparam int AboveBusBits = above_off(Layers) > 0 ? above_off(Layers) : 1;
  localparam int EventBits    = 26;
  localparam int FanoutBits   = 8;
  localparam logic [2:0] OpSampleBegin = 3'd1, OpStepEnd = 3'd5, OpSampleEnd = 3'd6;
  localparam logic [3:0] PhSetup = 4'd1, PhUpdate = 4'd6;

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_RANGE(Layers, 2, 7)
    `SSNN_PARAM_RANGE(Blocks, 1, 32)   // AER blocks: the router's inputs
    `SSNN_PARAM_RANGE(Tiles, 1, 64)    // the router's outputs
    `SSNN_PARAM_RANGE(SumBits, 2, 32)
    for (int l = 0; l < Layers; l++) begin
      assert (size_of(l) - (bands_r(l) - 1) * span_r(l) >= 2 && size_of(l + 1) - (bands_c(l) - 1) * span_c(l) >= 2)
        else $fatal(1, "ssnn_chip_top: weight layer %0d has a tile narrower than 2", l);
    end
  end
`endif

  // ---------------------------------------------------------------------------------------------
  // Command bus (controller)
  // ---------------------------------------------------------------------------------------------
  logic [2:0]           op;
  logic                 enc_start, tile_start, learn, enc_busy;
  logic [Layers-1:0]    core_start, core_busy;
  logic [Tiles-1:0]     tile_busy;
  logic [31:0]          step, epoch;
  logic [63:0]          sample_key;
  logic [3:0]           phase;
  logic [7:0]           layer;
  logic [(Layers+1)*CountBits-1:0] tx_expected;
  logic [Tiles*CountBits-1:0]      rx_count;

  ssnn_controller #(
    .Layers    (Layers),
    .Tiles     (Tiles),
    .CountBits (CountBits)
  ) u_controller (
    .clk_i,
    .rst_ni,
    .start_i         (start_q),
    .learn_i         (learn_q),
    .sample_phase_i  (sample_phase_q),
    .epoch_i         (epoch_q),
    .index_i         (index_q),
    .seed_i          (seed_q),
    .timesteps_i     (timesteps_q),
    .busy_o,
    .op_o           (op),
    .enc_start_o    (enc_start),
    .core_start_o   (core_start),
    .tile_start_o   (tile_start),
    .step_o         (step),
    .learn_o        (learn),
    .epoch_o        (epoch),
    .sample_key_o   (sample_key),
    .phase_o        (phase),
    .layer_o        (layer),
    .enc_busy_i     (enc_busy),
    .core_busy_i    (core_busy),
    .tile_busy_i    (tile_busy),
    .tx_expected_i  (tx_expected),
    .rx_count_i     (rx_count),
    .phase_cycles_o,
    .cycles_o,
    .samples_o,
    .steps_o
  );

  // The input-ramp table: step t's word is read during the update phase of step t - 1 (step 0's
  // during the setup) and held on the memory's output through the encode phase.
  logic                        ramp_req;
  logic [RampBits-1:0]         ramp_addr;
  logic [ssnn_pkg::ProbBits:0] ramp;
  logic [31:0]                 ramp_next;
  assign ramp_next = step + 32'd1;
  always_comb begin
    ramp_req  = ramp_we_q || phase == PhSetup || phase == PhUpdate;
    ramp_addr = '0;
    if (ramp_we_q) begin
      ramp_addr = ramp_addr_q;
    end else if (phase == PhUpdate && ramp_next < 32'(RampWords)) begin
      ramp_addr = ramp_next[RampBits-1:0];
    end
  end
  // The table's clock runs only in the cycles that access it.
  logic ramp_clk;
  ssnn_clock_gate u_ramp_clock_gate (
    .clk_i,
    .en_i      (ramp_req),
    .test_en_i (1'b0),
    .clk_o     (ramp_clk)
  );
  ssnn_mem #(
    .Words    (RampWords),
    .DataBits (ssnn_pkg::ProbBits + 1)
  ) u_ramp (
    .clk_i   (ramp_clk),
    .req_i   (ramp_req),
    .we_i    (ramp_we_q),
    .addr_i  (ramp_addr),
    .wdata_i (ramp_data_q),
    .wmask_i ({(ssnn_pkg::ProbBits + 1){1'b1}}),
    .rdata_o (ramp)
  );

  // ---------------------------------------------------------------------------------------------
  // AER fabric: router inputs (one per block), outputs (one per tile)
  // ---------------------------------------------------------------------------------------------
  logic [Blocks-1:0]            in_valid, in_ready;
  logic [Blocks*EventBits-1:0]  in_event;
  logic [Tiles-1:0]             out_valid, out_ready;
  logic [Tiles*EventBits-1:0]   out_event;
  logic [Blocks*OccBits-1:0]    fifo_count;

  // The router's clock runs while an event is offered, held in a FIFO or offered to a tile, an
  // offer was refused at the last edge (the router checks that it stays), a route is written, or
  // its inputs are not ready yet (the first edge after reset). In every other cycle its registers
  // and counters would keep their values, except its cycle counter (router_counters_o's first):
  // the top counts every edge since reset instead.
  logic router_clk, router_pending_d, router_pending_q;
  logic [CountBits-1:0] router_cycles_d, router_cycles_q;
  logic [RouterCounts*CountBits-1:0] router_counters;
  assign router_pending_d = |(in_valid & ~in_ready);
  assign router_cycles_d  = router_cycles_q + CountBits'(1);
  `SSNN_FF({router_pending_q, router_cycles_q}, {router_pending_d, router_cycles_d}, '0)
  assign router_counters_o = {router_counters[RouterCounts*CountBits-1:CountBits], router_cycles_q};

  ssnn_clock_gate u_router_clock_gate (
    .clk_i,
    .en_i      ((|in_valid) || (|out_valid) || (|fifo_count) || router_pending_q || route_we_q
                || !(&in_ready)),
    .test_en_i (1'b0),
    .clk_o     (router_clk)
  );

  ssnn_aer_router #(
    .NumInputs      (Blocks),
    .NumOutputs     (Tiles),
    .FifoDepth      (FifoDepth),
    .EventsPerCycle (EventsPerCycle),
    .Blocks         (Blocks),
    .CountBits      (CountBits)
  ) u_router (
    .clk_i          (router_clk),
    .rst_ni,
    .in_valid_i   (in_valid),
    .in_event_i   (in_event),
    .in_ready_o   (in_ready),
    .out_valid_o  (out_valid),
    .out_event_o  (out_event),
    .out_ready_i  (out_ready),
    .route_we_i      (route_we_q),
    .route_block_i   (route_block_q),
    .route_kind_i    (route_kind_q),
    .route_mask_i    (route_mask_q),
    .rr_pointer_o,
    .fifo_count_o (fifo_count),
    .fifo_high_water_o,
    .counters_o   (router_counters),
    .in_counters_o (router_in_counters_o),
    .events_out_o
  );

  // ---------------------------------------------------------------------------------------------
  // Spike encoder (router inputs 0 .. bands_r(0) - 1)
  // ---------------------------------------------------------------------------------------------
  localparam int EncChannels = bands_r(0);
  localparam int EncFanout   = bands_c(0);
  logic                          label_valid;
  logic [7:0]                    label_class;
  logic [EncChannels*FanoutBits-1:0] enc_fanout;
  for (genvar ch = 0; ch < EncChannels; ch++) begin : g_enc_fanout
    assign enc_fanout[ch*FanoutBits +: FanoutBits] = FanoutBits'(EncFanout);
  end
  // The encoder's state read-back is for block checkers; here it stays off. (Its group input is
  // sized here: yosys 0.23 reprocesses a module whose unsized constant meets a port of a
  // parameterized child, and then asserts on the chip top derived by hierarchy -chparam.)
  localparam int EncGroups    = (Inputs + EncoderLanes - 1) / EncoderLanes;
  localparam int EncGroupBits = EncGroups > 1 ? $clog2(EncGroups) : 1;
  logic [ssnn_pkg::LfsrBits-1:0] enc_label_lfsr;
  logic [EncoderLanes*(ssnn_pkg::LfsrBits+9)-1:0] enc_dbg_state;

  // The encoder's clock runs while it is busy, takes a command or the host writes a pixel.
  logic enc_clk;
  ssnn_clock_gate u_enc_clock_gate (
    .clk_i,
    .en_i      (enc_busy || enc_start || pix_we_q),
    .test_en_i (1'b0),
    .clk_o     (enc_clk)
  );

  ssnn_spike_encoder #(
    .Inputs     (Inputs),
    .Lanes      (EncoderLanes),
    .RowBand    (span_r(0)),
    .FirstBlock (0),
    .FanoutBits (FanoutBits),
    .CountBits  (CountBits)
  ) u_encoder (
    .clk_i           (enc_clk),
    .rst_ni,
    .start_i         (enc_start),
    .op_i            (op),
    .learn_i         (learn),
    .sample_key_i    (sample_key),
    .busy_o          (enc_busy),
    .ramp_i          (ramp),
    .label_q16_i     (label_q16_q),
    .drop_q16_i      (drop_input_q16_q),
    .pix_we_i        (pix_we_q),
    .pix_addr_i      (pix_addr_q),
    .pix_data_i      (pix_data_q),
    .label_i         (label_q),
    .label_valid_o   (label_valid),
    .label_class_o   (label_class),
    .fanout_i        (enc_fanout),
    .valid_o         (in_valid[EncChannels-1:0]),
    .event_o         (in_event[EncChannels*EventBits-1:0]),
    .ready_i         (in_ready[EncChannels-1:0]),
    .tx_expected_o   (tx_expected[0 +: CountBits]),
    .lfsr_draws_o    (enc_counters_o[0*CountBits +: CountBits]),
    .input_spikes_o  (enc_counters_o[1*CountBits +: CountBits]),
    .label_spikes_o  (enc_counters_o[2*CountBits +: CountBits]),
    .seed_loads_o    (enc_counters_o[3*CountBits +: CountBits]),
    .events_o        (enc_counters_o[4*CountBits +: CountBits]),
    .stall_cycles_o  (enc_counters_o[5*CountBits +: CountBits]),
    .busy_cycles_o   (enc_counters_o[6*CountBits +: CountBits]),
    .dbg_req_i       (1'b0),
    .dbg_group_i     ({EncGroupBits{1'b0}}),
    .dbg_state_o     (enc_dbg_state),
    .label_lfsr_o    (enc_label_lfsr)
  );

  // ---------------------------------------------------------------------------------------------
  // Crossbar tiles
  // ---------------------------------------------------------------------------------------------
  logic [BelowBusBits-1:0] below_bus;  // column sums, read by the cores of layers 1..L
  logic [AboveBusBits-1:0] above_bus;  // row sums W^T(dp - dn), read by the hidden cores
  logic [Layers:1]         below_clear;
  logic [Layers-1:0]       above_clear;  // per weight layer (layer 0's tiles do not gather)
  assign above_clear[0] = 1'b0;

  logic [Tiles-1:0] tile_sample_begin, tile_step_end;
  logic signed [WeightBits-1:0] w_rdata_all [Tiles];  // host read data of every tile
  logic             tile_update_en, tile_rate_update;
  logic [RateWidth-1:0] rate_half;
  assign tile_update_en   = learn && op == OpStepEnd && !(RateUpdate && rate_mode_q);
  assign tile_rate_update = RateUpdate && learn && rate_mode_q && op == OpSampleEnd;
  assign rate_half        = RateWidth'(timesteps_q >> 1);  // T < 2^RateBits

  for (genvar l = 0; l < Layers; l++) begin : g_layer
    localparam logic [63:0] DeviceStream = ssnn_pkg::StreamDeviceBase + 64'(l);
    logic [63:0] device_key;
    assign device_key = sample_key ^ DeviceStream;
    for (genvar r = 0; r < bands_r(l); r++) begin : g_row
      for (genvar c = 0; c < bands_c(l); c++) begin : g_col
        localparam int K       = tile_first(l) + r * bands_c(l) + c;
        localparam int Row0    = r * span_r(l);
        localparam int Col0    = c * span_c(l);
        localparam int Rows    = (size_of(l) - Row0) < span_r(l) ? size_of(l) - Row0 : span_r(l);
        localparam int Cols    = (size_of(l + 1) - Col0) < span_c(l) ? size_of(l + 1) - Col0 : span_c(l);
        localparam int AccBits = WeightBits + $clog2(Rows > Cols ? Rows : Cols);
        localparam int RowBits = $clog2(Rows);
        localparam int ColBits = $clog2(Cols);
        localparam int IdxBits = RowBits > ColBits ? RowBits : ColBits;
        // Where this tile's sums sit on the sum buses. The offsets are localparams, not function
        // calls in the assignments below: Verilator 5.006 does not fold a constant function in a
        // generated assignment's index and would inline its body into each of them (most of the
        // verilated chip's code, evaluated at run time).
        localparam int FwdBase = below_off(l + 1) + (r * size_of(l + 1) + Col0) * SumBits;
        localparam int BwdBase = above_off(l) + (c * size_of(l) + Row0) * SumBits;

        logic [Cols*AccBits-1:0] fwd_sum;
        logic [Rows*AccBits-1:0] bwd_sum;
        logic [EventBits-1:0]    ev;
        logic [15:0]             ev_neuron, ev_local;
        logic signed [WeightBits-1:0] rdata;
        logic [Rows-1:0]         row_latch;
        logic [Cols-1:0]         col_pos_latch, col_neg_latch;

        assign ev        = out_event[K*EventBits +: EventBits];
        assign ev_neuron = ev[15:0];
        assign ev_local  = ev_neuron - 16'(ev[25:24] == 2'd0 ? Row0 : Col0);
        assign tile_sample_begin[K] = tile_start && op == OpSampleBegin;
        assign tile_step_end[K]     = tile_start && (op == OpStepEnd || op == OpSampleEnd);

        logic tile_clk, tile_clock_en;
        ssnn_clock_gate u_clock_gate (
          .clk_i,
          .en_i      (tile_clock_en),
          .test_en_i (1'b0),
          .clk_o     (tile_clk)
        );

        ssnn_crossbar_tile #(
          .Rows       (Rows),
          .Cols       (Cols),
          .WeightBits (WeightBits),
          .NoiseBits  (NoiseBits),
          .Transposed (l > 0),
          .RowOffset  (Row0),
          .ColOffset  (Col0),
          .CountBits  (CountBits),
          .RateBits   (RateBits)
        ) u_tile (
          .clk_i           (tile_clk),
          .rst_ni,
          .sample_begin_i  (tile_sample_begin[K]),
          .step_end_i      (tile_step_end[K]),
          .update_en_i     (tile_update_en),
          .rate_update_i   (tile_rate_update),
          .step_i          (step),
          .device_key_i    (device_key),
          .busy_o          (tile_busy[K]),
          .clock_en_o      (tile_clock_en),
          .w_min_i         (w_min_q[l*WeightBits +: WeightBits]),
          .w_max_i         (w_max_q[l*WeightBits +: WeightBits]),
          .pulse_up_i      (pulse_up_q[l*(WeightBits+1) +: WeightBits + 1]),
          .pulse_down_i    (pulse_down_q[l*(WeightBits+1) +: WeightBits + 1]),
          .pulse_noise_i   (pulse_noise_q[l*NoiseWidth +: NoiseWidth]),
          .rate_half_i     (rate_half),
          .rate_recip_i    (rate_recip_q),
          .ev_valid_i      (out_valid[K]),
          .ev_kind_i       (ev[25:24]),
          .ev_index_i      (ev_local[IdxBits-1:0]),
          .ev_ready_o      (out_ready[K]),
          .fwd_sum_o       (fwd_sum),
          .fwd_clear_i     (below_clear[l + 1]),
          .bwd_sum_o       (bwd_sum),
          .bwd_clear_i     (above_clear[l]),
          .host_req_i      (w_req_q && 32'(w_tile_q) == K),
          .host_we_i       (w_we_q),
          .host_row_i      (w_row_q[RowBits-1:0]),
          .host_col_i      (w_col_q[ColBits-1:0]),
          .host_wdata_i    (w_wdata_q),
          .host_rdata_o    (rdata),
          .row_latch_o     (row_latch),
          .col_pos_latch_o (col_pos_latch),
          .col_neg_latch_o (col_neg_latch),
          .events_o        (rx_count[K*CountBits +: CountBits]),
          .row_reads_o     (tile_counters_o[(K*TileCounts+1)*CountBits +: CountBits]),
          .col_reads_o     (tile_counters_o[(K*TileCounts+2)*CountBits +: CountBits]),
          .pulses_up_o     (tile_counters_o[(K*TileCounts+3)*CountBits +: CountBits]),
          .pulses_down_o   (tile_counters_o[(K*TileCounts+4)*CountBits +: CountBits]),
          .rate_updates_o  (tile_counters_o[(K*TileCounts+5)*CountBits +: CountBits])
        );
        assign tile_counters_o[(K*TileCounts)*CountBits +: CountBits] = rx_count[K*CountBits +: CountBits];
        assign w_rdata_all[K] = rdata;

        // Column sums to the core above: neuron Col0 + i of row band r.
        for (genvar i = 0; i < Cols; i++) begin : g_fwd
          assign below_bus[FwdBase + i * SumBits +: SumBits] =
              SumBits'($signed(fwd_sum[i*AccBits +: AccBits]));
        end
        // Row sums to the core of layer l (a hidden core): neuron Row0 + i of column band c.
        if (l > 0) begin : g_bwd
          for (genvar i = 0; i < Rows; i++) begin : g_row_sum
            assign above_bus[BwdBase + i * SumBits +: SumBits] =
                SumBits'($signed(bwd_sum[i*AccBits +: AccBits]));
          end
        end else begin : g_no_bwd
          logic unused_bwd;
          assign unused_bwd = ^bwd_sum;
        end
        logic unused_tile;
        assign unused_tile = ^{row_latch, col_pos_latch, col_neg_latch, ev[23:16], ev_local};
      end
    end
  end
  if (above_off(Layers) == 0) begin : g_no_above
    assign above_bus = '0;
  end

  // Weight read-back: the tile read last drives w_rdata_o (its memory holds the word).
  logic [TileBits-1:0]          w_sel_d, w_sel_q;
  assign w_sel_d   = (w_req_q && !w_we_q) ? w_tile_q : w_sel_q;
  assign w_rdata_o = w_rdata_all[w_sel_q];
  `SSNN_FF(w_sel_q, w_sel_d, '0)

  // ---------------------------------------------------------------------------------------------
  // Neuron cores: hidden layers 1..L-1, then the output layer
  // ---------------------------------------------------------------------------------------------
  // A core's clock runs while it is busy or takes a command (core of layer l on core_clk[l-1]).
  logic [Layers-1:0] core_clk;
  for (genvar k = 0; k < Layers; k++) begin : g_core_clock
    ssnn_clock_gate u_clock_gate (
      .clk_i,
      .en_i      (core_busy[k] || core_start[k]),
      .test_en_i (1'b0),
      .clk_o     (core_clk[k])
    );
  end

  for (genvar l = 1; l < Layers; l++) begin : g_hidden
    localparam int N         = size_of(l);
    localparam int Chan      = channels(l);
    localparam int CoreLanes = Lanes < N ? Lanes : N;
    localparam int Groups    = (N + CoreLanes - 1) / CoreLanes;
    localparam int GroupBits = Groups > 1 ? $clog2(Groups) : 1;
    // Floorplan values as localparams (constants for every tool; see FwdBase above).
    localparam int FwdBands  = bands_r(l);
    localparam int FwdFanout = bands_c(l);
    localparam int GradBands = bands_c(l - 1);
    localparam int GradFanout = bands_r(l - 1);
    localparam int Block     = core_block(l);
    localparam int BelowBase = below_off(l);
    localparam int AboveBase = above_off(l);
    logic [Chan*FanoutBits-1:0] fwd_fanout, pos_fanout, neg_fanout;
    for (genvar ch = 0; ch < Chan; ch++) begin : g_fanout
      assign fwd_fanout[ch*FanoutBits +: FanoutBits] = FanoutBits'(ch < FwdBands ? FwdFanout : 0);
      assign pos_fanout[ch*FanoutBits +: FanoutBits] = FanoutBits'(ch < GradBands ? GradFanout : 0);
      assign neg_fanout[ch*FanoutBits +: FanoutBits] = FanoutBits'(ch < GradBands ? GradFanout : 0);
    end
    logic [CoreLanes*(2*ChargeBits+3*PotentialBits+3)-1:0] dbg_state;
    logic unused_dbg;
    assign unused_dbg = ^dbg_state;

    ssnn_hidden_core #(
      .Neurons       (N),
      .Lanes         (CoreLanes),
      .ChargeBits    (ChargeBits),
      .PotentialBits (PotentialBits),
      .InputBits     (InputBits),
      .SumBits       (SumBits),
      .BelowTiles    (bands_r(l - 1)),
      .AboveTiles    (bands_c(l)),
      .FwdBand       (span_r(l)),
      .GradBand      (span_c(l - 1)),
      .Layer         (l),
      .FirstBlock    (core_block(l)),
      .FanoutBits    (FanoutBits),
      .CountBits     (CountBits)
    ) u_core (
      .clk_i              (core_clk[l-1]),
      .rst_ni,
      .start_i            (core_start[l-1]),
      .op_i               (op),
      .learn_i            (learn),
      .sample_key_i       (sample_key),
      .busy_o             (core_busy[l-1]),
      .beta_i          (beta_q),
      .theta_i            (theta_q[(l-1)*PotentialBits +: PotentialBits]),
      .theta_gate_i       (theta_gate_q[(l-1)*PotentialBits +: PotentialBits]),
      .theta_grad_i       (theta_grad_q[(l-1)*PotentialBits +: PotentialBits]),
      .drop_q16_i         (drop_hidden_q16_q),
      .below_sum_i        (below_bus[BelowBase +: GradFanout * N * SumBits]),
      .below_clear_o      (below_clear[l]),
      .above_sum_i        (above_bus[AboveBase +: FwdFanout * N * SumBits]),
      .above_clear_o      (above_clear[l]),
      .fwd_fanout_i       (fwd_fanout),
      .pos_fanout_i       (pos_fanout),
      .neg_fanout_i       (neg_fanout),
      .valid_o            (in_valid[Block +: Chan]),
      .event_o            (in_event[Block*EventBits +: Chan*EventBits]),
      .ready_i            (in_ready[Block +: Chan]),
      .tx_expected_o      (tx_expected[l*CountBits +: CountBits]),
      .forward_updates_o  (core_counters_o[((l-1)*CoreCounts+0)*CountBits +: CountBits]),
      .gradient_updates_o (core_counters_o[((l-1)*CoreCounts+1)*CountBits +: CountBits]),
      .forward_spikes_o   (core_counters_o[((l-1)*CoreCounts+2)*CountBits +: CountBits]),
      .pos_spikes_o       (core_counters_o[((l-1)*CoreCounts+3)*CountBits +: CountBits]),
      .neg_spikes_o       (core_counters_o[((l-1)*CoreCounts+4)*CountBits +: CountBits]),
      .column_sum_words_o (core_counters_o[((l-1)*CoreCounts+6)*CountBits +: CountBits]),
      .events_o           (core_counters_o[((l-1)*CoreCounts+7)*CountBits +: CountBits]),
      .stall_cycles_o     (core_counters_o[((l-1)*CoreCounts+8)*CountBits +: CountBits]),
      .busy_cycles_o      (core_counters_o[((l-1)*CoreCounts+9)*CountBits +: CountBits]),
      .dbg_req_i          (1'b0),
      .dbg_group_i        ({GroupBits{1'b0}}),
      .dbg_state_o        (dbg_state)
    );
    assign core_counters_o[((l-1)*CoreCounts+5)*CountBits +: CountBits] = '0;  // no WTA
  end

  localparam int OutChan      = channels(Layers);
  localparam int OutFanout    = bands_r(Layers - 1);
  localparam int OutBlock     = core_block(Layers);
  localparam int OutBelowBase = below_off(Layers);
  logic [OutChan*FanoutBits-1:0] out_fanout;
  for (genvar ch = 0; ch < OutChan; ch++) begin : g_out_fanout
    assign out_fanout[ch*FanoutBits +: FanoutBits] = FanoutBits'(OutFanout);
  end
  logic [Classes-1:0]                                 out_spike;
  logic [Classes*(2*ChargeBits+3*PotentialBits+1)-1:0] out_state;

  ssnn_output_core #(
    .Neurons       (Classes),
    .Lanes         (Lanes),
    .ChargeBits    (ChargeBits),
    .PotentialBits (PotentialBits),
    .InputBits     (InputBits),
    .SumBits       (SumBits),
    .BelowTiles    (bands_r(Layers - 1)),
    .GradBand      (span_c(Layers - 1)),
    .FirstBlock    (core_block(Layers)),
    .FanoutBits    (FanoutBits),
    .CountBits     (CountBits)
  ) u_output_core (
    .clk_i              (core_clk[Layers-1]),
    .rst_ni,
    .start_i            (core_start[Layers-1]),
    .op_i               (op),
    .busy_o             (core_busy[Layers-1]),
    .label_valid_i      (label_valid),
    .label_class_i      (label_class),
    .prediction_o,
    .beta_i          (beta_q),
    .theta_i            (theta_out_q),
    .theta_err_i     (theta_err_q),
    .err_unit_i      (err_unit_q),
    .inhibition_i    (inhibition_q),
    .below_sum_i        (below_bus[OutBelowBase +: OutFanout * Classes * SumBits]),
    .below_clear_o      (below_clear[Layers]),
    .pos_fanout_i       (out_fanout),
    .neg_fanout_i       (out_fanout),
    .valid_o            (in_valid[OutBlock +: OutChan]),
    .event_o            (in_event[OutBlock*EventBits +: OutChan*EventBits]),
    .ready_i            (in_ready[OutBlock +: OutChan]),
    .tx_expected_o      (tx_expected[Layers*CountBits +: CountBits]),
    .forward_updates_o  (core_counters_o[((Layers-1)*CoreCounts+0)*CountBits +: CountBits]),
    .gradient_updates_o (core_counters_o[((Layers-1)*CoreCounts+1)*CountBits +: CountBits]),
    .forward_spikes_o   (core_counters_o[((Layers-1)*CoreCounts+2)*CountBits +: CountBits]),
    .pos_spikes_o       (core_counters_o[((Layers-1)*CoreCounts+3)*CountBits +: CountBits]),
    .neg_spikes_o       (core_counters_o[((Layers-1)*CoreCounts+4)*CountBits +: CountBits]),
    .wta_iterations_o   (core_counters_o[((Layers-1)*CoreCounts+5)*CountBits +: CountBits]),
    .column_sum_words_o (core_counters_o[((Layers-1)*CoreCounts+6)*CountBits +: CountBits]),
    .events_o           (core_counters_o[((Layers-1)*CoreCounts+7)*CountBits +: CountBits]),
    .stall_cycles_o     (core_counters_o[((Layers-1)*CoreCounts+8)*CountBits +: CountBits]),
    .busy_cycles_o      (core_counters_o[((Layers-1)*CoreCounts+9)*CountBits +: CountBits]),
    .spike_o            (out_spike),
    .counts_o           (out_counts_o),
    .state_o            (out_state)
  );

  logic unused_top;
  assign unused_top = ^{w_row_q, w_col_q, layer, epoch, router_counters[CountBits-1:0], enc_dbg_state, enc_label_lfsr, out_spike,
                        out_state};

endmodule
