// Chip controller: the phase sequencer of a sample, the barrier between timesteps and the cycle
// counters; the RTL of systemc/chip_controller (docs/rtl.md, "ssnn_controller").
//
// Host side: start_i with the sample descriptor (learn_i, sample_phase_i, epoch_i, index_i) while
// idle; busy_o rises at the next edge and falls when the sample is done. Per sample:
//   setup      kSampleBegin to every block at once, until none is busy;
//   per step t encode (encoder kForward), forward of layers 1..L (core kForward), when learning
//              error (output core kError) and backward of layers L-1..1 (core kBackward), then
//              update (tiles kStepEnd) and one barrier cycle;
//   sample end kSampleEnd to the output core and the tiles, until neither is busy.
// A phase pulses the start lines of its blocks for one cycle (op_o holds the command); from the
// second cycle after the pulse it ends in the first cycle in which its blocks are idle and every
// event sent has been received (sum of tx_expected_i == sum of rx_count_i; the update and the
// event phases), and the next phase's pulse is registered at that edge.
// Every edge after the first one after reset is charged to the phase of its cycle (phase_o).
// The sample key is sample_key(seed, phase, epoch, index): three SplitMix64 rounds at the start edge.
`include "ssnn_assert.svh"
`include "ssnn_registers.svh"

module ssnn_controller #(
  parameter int Layers    = 2,    // weight layers L (cores of layers 1..L), 1..15
  parameter int Tiles     = 2,    // crossbar tiles, >= 1
  parameter int CountBits = 48,
  localparam int Sources  = Layers + 1,
  localparam int NumPhases = 9   // CtrlPhase: idle, setup, encode, forward, error, backward, update, barrier, sample_end
) (
  input  logic                             clk_i,
  input  logic                             rst_ni,
  // Host interface and configuration
  input  logic                             start_i,
  input  logic                             learn_i,
  input  logic [15:0]                      sample_phase_i,  // ssnn::Phase code
  input  logic [31:0]                      epoch_i,
  input  logic [63:0]                      index_i,
  input  logic [63:0]                      seed_i,          // master seed
  input  logic [16:0]                      timesteps_i,     // T, >= 1
  output logic                             busy_o,
  // Command bus
  output logic [2:0]                       op_o,
  output logic                             enc_start_o,
  output logic [Layers-1:0]                core_start_o,    // cores of layers 1..L
  output logic                             tile_start_o,
  output logic [31:0]                      step_o,
  output logic                             learn_o,
  output logic [31:0]                      epoch_o,
  output logic [63:0]                      sample_key_o,
  output logic [3:0]                       phase_o,
  output logic [7:0]                       layer_o,
  // Status
  input  logic                             enc_busy_i,
  input  logic [Layers-1:0]                core_busy_i,
  input  logic [Tiles-1:0]                 tile_busy_i,
  input  logic [Sources*CountBits-1:0]     tx_expected_i,   // per source
  input  logic [Tiles*CountBits-1:0]       rx_count_i,      // per tile
  // Counters since reset (ControllerCounters)
  output logic [NumPhases*CountBits-1:0]   phase_cycles_o,  // phase p at [p*CountBits +: CountBits]
  output logic [CountBits-1:0]             cycles_o,
  output logic [CountBits-1:0]             samples_o,
  output logic [CountBits-1:0]             steps_o
);

  localparam logic [3:0] PhIdle = 4'd0, PhSetup = 4'd1, PhEncode = 4'd2, PhForward = 4'd3, PhError = 4'd4;
  localparam logic [3:0] PhBackward = 4'd5, PhUpdate = 4'd6, PhBarrier = 4'd7, PhSampleEnd = 4'd8;
  localparam logic [2:0] OpNone = 3'd0, OpSampleBegin = 3'd1, OpForward = 3'd2, OpError = 3'd3;
  localparam logic [2:0] OpBackward = 3'd4, OpStepEnd = 3'd5, OpSampleEnd = 3'd6;

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_RANGE(Layers, 1, 15)
    `SSNN_PARAM_MIN(Tiles, 1)
  end
`endif

  // Where the sequencer waits (the SystemC thread's wait points).
  typedef enum logic [3:0] {
    PtReset,    // after reset: the first edge is not charged
    PtIdle,     // waiting for start_i
    PtSetup1,   // setup pulse taken
    PtSetup2,   // waiting for every block to finish the setup
    PtIssue,    // a phase's pulse taken
    PtWait,     // waiting for the phase's blocks and the fabric
    PtBarrier,  // the barrier cycle
    PtEnd1,     // sample-end pulse taken
    PtEnd2      // waiting for the output core and the tiles
  } point_e;

  point_e             point_d, point_q;
  logic [3:0]         phase_d, phase_q;
  logic [7:0]         layer_d, layer_q;
  logic [2:0]         op_d, op_q;
  logic               enc_start_d, enc_start_q, tile_start_d, tile_start_q;
  logic [Layers-1:0]  core_start_d, core_start_q;
  logic [31:0]        step_d, step_q;
  logic               learn_d, learn_q;
  logic [31:0]        epoch_d, epoch_q;
  logic [63:0]        key_d, key_q;
  logic               busy_d, busy_q;
  // The blocks the current phase started (what its end waits for).
  logic               run_enc_d, run_enc_q, run_tiles_d, run_tiles_q;
  logic [Layers-1:0]  run_core_d, run_core_q;

  // ---------------------------------------------------------------------------------------------
  // Sample key and the drain check
  // ---------------------------------------------------------------------------------------------
  logic [63:0] key_round1, key_round2, sample_key;
  ssnn_splitmix64 u_key1 (.x_i (seed_i ^ 64'(sample_phase_i)), .z_o (key_round1));
  ssnn_splitmix64 u_key2 (.x_i (key_round1 + 64'(epoch_i)),    .z_o (key_round2));
  ssnn_splitmix64 u_key3 (.x_i (key_round2 + index_i),         .z_o (sample_key));

  logic drained;
  always_comb begin : p_drained
    logic [CountBits-1:0] tx, rx;
    tx = '0;
    rx = '0;
    for (int s = 0; s < Sources; s++) begin
      tx = tx + tx_expected_i[s*CountBits +: CountBits];
    end
    for (int k = 0; k < Tiles; k++) begin
      rx = rx + rx_count_i[k*CountBits +: CountBits];
    end
    drained = tx == rx;
  end

  logic phase_done;
  assign phase_done = !(run_enc_q && enc_busy_i) && !(|(run_core_q & core_busy_i))
                   && !(run_tiles_q && (|tile_busy_i)) && drained;

  // ---------------------------------------------------------------------------------------------
  // Sequencer
  // ---------------------------------------------------------------------------------------------
  logic               count_en;
  logic               sample_done, step_done;
  logic               step_begin;  // the next step's encode phase is issued at this edge

  always_comb begin
    // Registers hold their values unless a transition below writes them.
    point_d      = point_q;
    phase_d      = phase_q;
    layer_d      = layer_q;
    op_d         = op_q;
    enc_start_d  = 1'b0;
    core_start_d = '0;
    tile_start_d = 1'b0;
    step_d       = step_q;
    learn_d      = learn_q;
    epoch_d      = epoch_q;
    key_d        = key_q;
    busy_d       = busy_q;
    run_enc_d    = run_enc_q;
    run_core_d   = run_core_q;
    run_tiles_d  = run_tiles_q;
    count_en     = point_q != PtReset;
    sample_done  = 1'b0;
    step_done    = 1'b0;
    step_begin   = 1'b0;

    case (point_q)
      PtReset, PtIdle: begin
        if (start_i) begin
          busy_d       = 1'b1;
          key_d        = sample_key;
          learn_d      = learn_i;
          epoch_d      = epoch_i;
          step_d       = '0;
          phase_d      = PhSetup;
          op_d         = OpSampleBegin;
          enc_start_d  = 1'b1;
          core_start_d = '1;
          tile_start_d = 1'b1;
          point_d      = PtSetup1;
        end else begin
          point_d = PtIdle;
        end
      end
      PtSetup1: point_d = PtSetup2;
      PtSetup2: begin
        step_begin = !enc_busy_i && !(|core_busy_i) && !(|tile_busy_i);  // step 0 (step_q is 0)
      end
      PtIssue: point_d = PtWait;
      PtWait: begin
        if (phase_done) begin
          point_d     = PtIssue;
          run_enc_d   = 1'b0;
          run_core_d  = '0;
          run_tiles_d = 1'b0;
          // The next phase of the step.
          if (phase_q == PhEncode || (phase_q == PhForward && 32'(layer_q) < 32'(Layers))) begin
            phase_d = PhForward;
            layer_d = (phase_q == PhEncode) ? 8'd1 : layer_q + 8'd1;
            op_d    = OpForward;
          end else if (phase_q == PhForward && learn_q) begin
            phase_d = PhError;
            layer_d = 8'(Layers);
            op_d    = OpError;
          end else if ((phase_q == PhError && Layers > 1) || (phase_q == PhBackward && layer_q > 8'd1)) begin
            phase_d = PhBackward;
            layer_d = layer_q - 8'd1;
            op_d    = OpBackward;
          end else if (phase_q != PhUpdate) begin
            phase_d = PhUpdate;
            layer_d = '0;
            op_d    = OpStepEnd;
          end else begin
            phase_d   = PhBarrier;
            step_done = 1'b1;
            point_d   = PtBarrier;
          end
          if (point_d == PtIssue) begin
            if (op_d == OpStepEnd) begin
              tile_start_d = 1'b1;
              run_tiles_d  = 1'b1;
            end else begin
              core_start_d = Layers'(1) << (layer_d - 8'd1);
              run_core_d   = Layers'(1) << (layer_d - 8'd1);
            end
          end
        end
      end
      PtBarrier: begin
        if (step_q + 32'd1 < 32'(timesteps_i)) begin
          step_begin = 1'b1;
          step_d     = step_q + 32'd1;
        end else begin
          phase_d                   = PhSampleEnd;
          op_d                      = OpSampleEnd;
          core_start_d[Layers-1]    = 1'b1;
          tile_start_d              = 1'b1;
          point_d                   = PtEnd1;
        end
      end
      PtEnd1: point_d = PtEnd2;
      PtEnd2: begin
        if (!core_busy_i[Layers-1] && !(|tile_busy_i)) begin
          sample_done = 1'b1;
          op_d        = OpNone;
          phase_d     = PhIdle;
          busy_d      = 1'b0;
          point_d     = PtIdle;
        end
      end
      default: point_d = PtIdle;
    endcase
    // A step begins with the encoder's forward command (no block of the previous phase runs).
    if (step_begin) begin
      phase_d     = PhEncode;
      layer_d     = '0;
      op_d        = OpForward;
      enc_start_d = 1'b1;
      run_enc_d   = 1'b1;
      run_core_d  = '0;
      run_tiles_d = 1'b0;
      point_d     = PtIssue;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Clock gating: the sequencer's registers change only at the edges where it moves to another
  // point (in every other cycle it waits and each register keeps its value), so they run on a
  // gated clock enabled by that move. Idle or waiting on a phase, the controller toggles only its
  // free-running cycle counter, and the command bus holds still for the blocks that read it.
  // ---------------------------------------------------------------------------------------------
  logic seq_en, seq_clk;
  assign seq_en = point_d != point_q;

  ssnn_clock_gate u_seq_clock_gate (
    .clk_i,
    .en_i      (seq_en),
    .test_en_i (1'b0),
    .clk_o     (seq_clk)
  );

`ifndef SYNTHESIS
  // Where the sequencer stays at its point, no register of it may change (or the gate drops it).
  always @(posedge clk_i or negedge rst_ni) begin : p_gate_check
    if (!rst_ni) begin
      // Nothing to check in reset.
    end else if (!seq_en) begin
      assert ({phase_d, layer_d, op_d, enc_start_d, core_start_d, tile_start_d, step_d, learn_d, epoch_d,
               key_d, busy_d, run_enc_d, run_core_d, run_tiles_d, sample_done, step_done}
              == {phase_q, layer_q, op_q, enc_start_q, core_start_q, tile_start_q, step_q, learn_q, epoch_q,
                  key_q, busy_q, run_enc_q, run_core_q, run_tiles_q, 2'b00})
        else $error("ssnn_controller: a register changes while the sequencer's clock is gated");
    end
  end
`endif

  // ---------------------------------------------------------------------------------------------
  // Counters: every edge is charged to the phase of the cycle it ends
  // ---------------------------------------------------------------------------------------------
  // One free-running counter of the charged edges (cycles_o) on the ungated clock. Phase p's count
  // is what it had when the sequencer last left phase p, plus, while phase p runs, the edges since
  // the sequencer's last edge (mark_q): at each sequencer edge the phase it leaves takes those
  // edges (this one included) and the mark moves on. So every phase count equals, at every cycle,
  // a counter that adds one per edge of its phase.
  logic [CountBits-1:0]           cycles_d, cycles_q, mark_q, elapsed;
  logic [NumPhases*CountBits-1:0] phase_acc_d, phase_acc_q;

  assign cycles_d = cycles_q + CountBits'(count_en);
  assign elapsed  = cycles_d - mark_q;

  always_comb begin
    for (int p = 0; p < NumPhases; p++) begin
      phase_acc_d[p*CountBits +: CountBits] = phase_acc_q[p*CountBits +: CountBits]
                                            + (32'(phase_q) == p ? elapsed : '0);
      phase_cycles_o[p*CountBits +: CountBits] = phase_acc_q[p*CountBits +: CountBits]
                                               + (32'(phase_q) == p ? cycles_q - mark_q : '0);
    end
  end

  `SSNN_FF(cycles_q, cycles_d, '0)
  assign cycles_o = cycles_q;

  // Samples and steps end only at sequencer edges.
  ssnn_counters #(.Counters(2), .CountBits(CountBits)) u_counters (
    .clk_i   (seq_clk),
    .rst_ni,
    .inc_i   ({CountBits'(sample_done), CountBits'(step_done)}),
    .count_o ({samples_o, steps_o})
  );

  // (PtReset, PhIdle and OpNone are 0.) The sequencer's registers on the gated clock.
  always_ff @(posedge seq_clk or negedge rst_ni) begin
    if (!rst_ni) begin
      {point_q, phase_q, layer_q, op_q, enc_start_q, core_start_q, tile_start_q, step_q, learn_q,
       epoch_q, key_q, busy_q, run_enc_q, run_core_q, run_tiles_q, mark_q, phase_acc_q} <= '0;
    end else begin
      {point_q, phase_q, layer_q, op_q, enc_start_q, core_start_q, tile_start_q, step_q, learn_q,
       epoch_q, key_q, busy_q, run_enc_q, run_core_q, run_tiles_q, mark_q, phase_acc_q} <=
          {point_d, phase_d, layer_d, op_d, enc_start_d, core_start_d, tile_start_d, step_d, learn_d,
           epoch_d, key_d, busy_d, run_enc_d, run_core_d, run_tiles_d, cycles_d, phase_acc_d};
    end
  end

  assign busy_o         = busy_q;
  assign op_o           = op_q;
  assign enc_start_o    = enc_start_q;
  assign core_start_o   = core_start_q;
  assign tile_start_o   = tile_start_q;
  assign step_o         = step_q;
  assign learn_o        = learn_q;
  assign epoch_o        = epoch_q;
  assign sample_key_o   = key_q;
  assign phase_o        = phase_q;
  assign layer_o        = layer_q;

endmodule
