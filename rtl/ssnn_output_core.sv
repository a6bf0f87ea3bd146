// Output neuron core: the output layer's neurons, WTA and error neurons with the column-sum
// gathering, the gradient-event sender, the spike counts and the prediction; the RTL of
// systemc/neuron_core for layer L (docs/rtl.md, "ssnn_output_core").
//
// The output layer is small (classes <= 64) and its WTA compares every potential at once, so its
// state stays in the flip-flops of ssnn_output_layer. Commands (start_i while idle, op_i as
// systemc/chip_types.hpp's Op), with the cycles the SystemC core charges (Groups = ceil(N / Lanes)):
// - kSampleBegin: clears the neurons and the spike counts; Groups cycles.
// - kForward: gathers the column sums of the BelowTiles tiles below, Lanes neurons per cycle
//   (cycles 0 .. Groups-1), integrates every output (cycle Groups+2, after the adder and filter
//   stages of the hidden cores' pipeline) and resolves the WTA from cycle Groups+3: k + 1 cycles
//   for k output spikes, then adds the spikes to the counts. Groups + 3 + k + 1 cycles.
// - kError: the error neurons on (label - output) * err_unit (label from the encoder, sampled when
//   the command is taken) in cycle 0; group g's delta_p / delta_n events are released to the
//   sender in cycle g + 1 (offered from cycle g + 3); ends after Groups + 3 cycles and the last
//   hand-over.
// - kSampleEnd: the prediction, a sequential arg-max over the spike counts (ties: the higher
//   residual potential, then the lower index), one class per cycle: N cycles. prediction_o holds
//   the result from the end of the command (the SystemC core shows it from the first cycle).
// - any other op: one cycle.
// Thresholds, beta, err_unit and the inhibition are held by the controller during a command.
`include "ssnn_assert.svh"
`include "ssnn_registers.svh"

module ssnn_output_core #(
  parameter int Neurons        = 10,  // classes, 2..64
  parameter int Lanes          = 8,   // sums gathered per cycle, >= 1
  parameter int ChargeBits     = ssnn_pkg::ChargeBits,
  parameter int PotentialBits  = ssnn_pkg::PotentialBits,
  parameter int InputBits      = ssnn_pkg::InputBits,
  parameter int SumBits        = 24,  // one tile partial sum on the sum bus, 2..32
  parameter int BelowTiles     = 1,   // tiles of the last weight layer (its row bands)
  parameter int GradBand       = 64,  // neurons per gradient channel (columns of a tile below)
  parameter int FirstBlock     = 2,   // AER block of channel 0
  parameter int FanoutBits     = 8,
  parameter int CountBits      = 48,
  parameter int SpikeCountBits = 17,  // per-class spike counts: up to 100,000 timesteps
  localparam int Groups        = (Neurons + Lanes - 1) / Lanes,
  localparam int Channels      = (Neurons + GradBand - 1) / GradBand,
  localparam int ClassBits     = $clog2(Neurons),
  localparam int EventBits     = 26,
  // Per neuron: charge, potential, gradient charge, delta_p, delta_n potentials, gate.
  localparam int StateBits     = 2 * ChargeBits + 3 * PotentialBits + 1
) (
  input  logic                                  clk_i,
  input  logic                                  rst_ni,
  // Command
  input  logic                                  start_i,
  input  logic [2:0]                            op_i,
  output logic                                  busy_o,
  input  logic                                  label_valid_i,  // this step's target spike (encoder)
  input  logic [7:0]                            label_class_i,
  output logic [ClassBits-1:0]                  prediction_o,
  // Layer parameters
  input  logic [ssnn_pkg::BetaBits:0]           beta_i,
  input  logic signed [PotentialBits-1:0]       theta_i,        // theta_out of this sample
  input  logic signed [PotentialBits-1:0]       theta_err_i,
  input  logic signed [ChargeBits-1:0]          err_unit_i,
  input  logic signed [PotentialBits-1:0]       inhibition_i,   // 0: WTA off
  // Column sums of the tiles below: tile t's sum for output k at [(t*Neurons + k)*SumBits +: SumBits].
  input  logic [BelowTiles*Neurons*SumBits-1:0] below_sum_i,
  output logic                                  below_clear_o,
  // AER channels (gradient events only)
  input  logic [Channels*FanoutBits-1:0]        pos_fanout_i,
  input  logic [Channels*FanoutBits-1:0]        neg_fanout_i,
  output logic [Channels-1:0]                   valid_o,
  output logic [Channels*EventBits-1:0]         event_o,
  input  logic [Channels-1:0]                   ready_i,
  output logic [CountBits-1:0]                  tx_expected_o,
  // Counters since reset (systemc CoreCounters and SourceCounters)
  output logic [CountBits-1:0]                  forward_updates_o,
  output logic [CountBits-1:0]                  gradient_updates_o,
  output logic [CountBits-1:0]                  forward_spikes_o,
  output logic [CountBits-1:0]                  pos_spikes_o,
  output logic [CountBits-1:0]                  neg_spikes_o,
  output logic [CountBits-1:0]                  wta_iterations_o,
  output logic [CountBits-1:0]                  column_sum_words_o,
  output logic [CountBits-1:0]                  events_o,
  output logic [CountBits-1:0]                  stall_cycles_o,
  output logic [CountBits-1:0]                  busy_cycles_o,
  // State (checkers, waveforms): neuron k's registers at [k*StateBits +: StateBits], fields from
  // bit 0 as in the hidden core's state words: charge, potential, gradient charge, delta_p, delta_n,
  // gate.
  output logic [Neurons-1:0]                    spike_o,
  output logic [Neurons*SpikeCountBits-1:0]     counts_o,
  output logic [Neurons*StateBits-1:0]          state_o
);

  localparam int N = Neurons;
  localparam int C = ChargeBits;
  localparam int P = PotentialBits;
  localparam int CycBits = 32;
  localparam logic [2:0] OpSampleBegin = 3'd1;
  localparam logic [2:0] OpForward = 3'd2;
  localparam logic [2:0] OpError = 3'd3;
  localparam logic [2:0] OpSampleEnd = 3'd6;

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_RANGE(Neurons, 2, 64)
    `SSNN_PARAM_MIN(Lanes, 1)
    `SSNN_PARAM_RANGE(SumBits, 2, 32)
    `SSNN_PARAM_MIN(BelowTiles, 1)
    `SSNN_PARAM_RANGE(SpikeCountBits, 2, 32)
  end
  always @(posedge clk_i or negedge rst_ni) begin : p_input_check
    if (!rst_ni) begin
      // Nothing to check in reset.
    end else if (start_i && !busy_o) begin
      assert (op_i != 3'd4) else $error("ssnn_output_core: kBackward is for the hidden cores");
    end
  end
`endif

  // ---------------------------------------------------------------------------------------------
  // Command control (the handshake and the event sending: ssnn_aer_source, with the error events)
  // ---------------------------------------------------------------------------------------------
  logic               busy_q, take, done;
  logic [7:0]         running;
  logic [CycBits-1:0] cyc_q;
  logic               is_begin, is_fwd, is_err, is_end;
  logic               wta_busy, wta_done, wta_start, fwd_en, grad_en, clear;

  assign is_begin = running[OpSampleBegin];
  assign is_fwd   = running[OpForward];
  assign is_err   = running[OpError];
  assign is_end   = running[OpSampleEnd];

  assign clear     = is_begin && (cyc_q == '0);
  assign fwd_en    = is_fwd && (cyc_q == CycBits'(Groups + 2));
  assign wta_start = is_fwd && (cyc_q == CycBits'(Groups + 3));
  assign grad_en   = is_err && (cyc_q == '0);

  always_comb begin
    if (is_begin) begin
      done = cyc_q == CycBits'(Groups - 1);
    end else if (is_fwd) begin
      done = (cyc_q >= CycBits'(Groups + 3)) && wta_done;
    end else if (is_err) begin
      done = cyc_q >= CycBits'(Groups + 2);  // and the error events sent (ssnn_aer_source)
    end else if (is_end) begin
      done = cyc_q == CycBits'(N - 1);
    end else begin
      done = 1'b1;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Column-sum gathering: Lanes outputs per cycle through the adder over the tiles
  // ---------------------------------------------------------------------------------------------
  logic [N*InputBits-1:0] in_d, in_q;

  always_comb begin : p_gather
    logic [31:0] acc;
    acc  = '0;
    in_d = in_q;
    if (is_fwd && cyc_q < CycBits'(Groups)) begin
      for (int k = 0; k < N; k++) begin
        if (CycBits'(k / Lanes) == cyc_q) begin
          acc = '0;
          for (int t = 0; t < BelowTiles; t++) begin
            acc = acc + 32'($signed(below_sum_i[(t*N + k)*SumBits +: SumBits]));
          end
          in_d[k*InputBits +: InputBits] = acc[InputBits-1:0];
        end
      end
    end
  end

  assign below_clear_o = is_fwd && (cyc_q == CycBits'(Groups - 1));

  // ---------------------------------------------------------------------------------------------
  // Output neurons, WTA and error neurons
  // ---------------------------------------------------------------------------------------------
  logic [N-1:0] label_d, label_q;
  logic [N-1:0] grad_pos, grad_neg;

  always_comb begin
    label_d = label_q;
    if (take && op_i == OpError) begin
      for (int k = 0; k < N; k++) begin
        label_d[k] = label_valid_i && (label_class_i == 8'(k));
      end
    end
  end

  logic [N-1:0]   gate;
  logic [N*C-1:0] charge, grad_charge;
  logic [N*P-1:0] potential, pos_potential, neg_potential;

  ssnn_output_layer #(
    .NumOutputs    (N),
    .ChargeBits    (ChargeBits),
    .PotentialBits (P),
    .InputBits     (InputBits)
  ) u_layer (
    .clk_i,
    .rst_ni,
    .clear_i         (clear),
    .fwd_en_i        (fwd_en),
    .fwd_in_i        (in_q),
    .wta_start_i     (wta_start),
    .grad_en_i       (grad_en),
    .label_i         (label_q),
    .beta_i,
    .theta_i,
    .theta_err_i,
    .err_unit_i,
    .inhibition_i,
    .spike_o,
    .grad_pos_o      (grad_pos),
    .grad_neg_o      (grad_neg),
    .wta_busy_o      (wta_busy),
    .wta_done_o      (wta_done),
    .charge_o        (charge),
    .potential_o     (potential),
    .grad_charge_o   (grad_charge),
    .pos_potential_o (pos_potential),
    .neg_potential_o (neg_potential),
    .gate_o          (gate)
  );

  for (genvar k = 0; k < N; k++) begin : gen_state
    assign state_o[k*StateBits +: StateBits] = {gate[k], neg_potential[k*P +: P], pos_potential[k*P +: P],
                                                grad_charge[k*C +: C], potential[k*P +: P], charge[k*C +: C]};
  end

  // Error events: group g released in cycle g + 1.
  logic [N-1:0] set_pos, set_neg;
  always_comb begin
    set_pos = '0;
    set_neg = '0;
    if (is_err && cyc_q >= CycBits'(1) && cyc_q <= CycBits'(Groups)) begin
      for (int k = 0; k < N; k++) begin
        if (CycBits'(k / Lanes) == cyc_q - CycBits'(1)) begin
          set_pos[k] = grad_pos[k];
          set_neg[k] = grad_neg[k];
        end
      end
    end
  end

  ssnn_aer_source #(
    .Neurons    (N),
    .FwdBand    (GradBand),
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
    .set_i        ({set_neg, set_pos, {N{1'b0}}}),
    .fanout_i     ({neg_fanout_i, pos_fanout_i, {(Channels*FanoutBits){1'b0}}}),
    .valid_o,
    .event_o,
    .ready_i,
    .counters_o   ({tx_expected_o, events_o, stall_cycles_o, busy_cycles_o})
  );

  // ---------------------------------------------------------------------------------------------
  // Spike counts and the prediction
  // ---------------------------------------------------------------------------------------------
  localparam int SC = SpikeCountBits;
  logic [N*SC-1:0]      counts_d, counts_q;
  logic [ClassBits-1:0] best_d, best_q;
  logic                 wta_end;

  assign wta_end = is_fwd && done;

  always_comb begin : p_counts
    logic [ClassBits-1:0] k;
    counts_d = counts_q;
    if (clear) begin
      counts_d = '0;
    end else if (wta_end) begin
      for (int c = 0; c < N; c++) begin
        counts_d[c*SC +: SC] = counts_q[c*SC +: SC] + SC'(spike_o[c]);
      end
    end
    best_d = best_q;
    k      = ClassBits'(cyc_q);
    if (take && op_i == OpSampleEnd) begin
      best_d = '0;
    end else if (is_end && cyc_q >= CycBits'(1) && cyc_q < CycBits'(N)) begin
      if ((counts_q[k*SC +: SC] > counts_q[best_q*SC +: SC])
          || ((counts_q[k*SC +: SC] == counts_q[best_q*SC +: SC])
              && ($signed(potential[k*P +: P]) > $signed(potential[best_q*P +: P])))) begin
        best_d = k;
      end
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Counters
  // ---------------------------------------------------------------------------------------------
  logic [CountBits-1:0] fwd_upd_inc, grad_upd_inc, fwd_spk_inc, pos_spk_inc, neg_spk_inc, wta_it_inc;
  logic [CountBits-1:0] words_inc;

  always_comb begin
    fwd_upd_inc  = '0;
    grad_upd_inc = '0;
    words_inc    = '0;
    if (take && op_i == OpForward) begin
      fwd_upd_inc = CountBits'(N);
      words_inc   = CountBits'(BelowTiles * N);
    end else if (take && op_i == OpError) begin
      grad_upd_inc = CountBits'(N);
    end
    fwd_spk_inc = '0;
    pos_spk_inc = '0;
    neg_spk_inc = '0;
    for (int c = 0; c < N; c++) begin
      if (wta_end) begin
        fwd_spk_inc = fwd_spk_inc + CountBits'(spike_o[c]);
      end
      pos_spk_inc = pos_spk_inc + CountBits'(set_pos[c]);
      neg_spk_inc = neg_spk_inc + CountBits'(set_neg[c]);
    end
    wta_it_inc = CountBits'(wta_start || wta_busy);
  end

  ssnn_counters #(
    .Counters  (7),
    .CountBits (CountBits)
  ) u_counters (
    .clk_i,
    .rst_ni,
    .inc_i   ({fwd_upd_inc, grad_upd_inc, fwd_spk_inc, pos_spk_inc, neg_spk_inc,
               wta_it_inc, words_inc}),
    .count_o ({forward_updates_o, gradient_updates_o, forward_spikes_o, pos_spikes_o, neg_spikes_o,
               wta_iterations_o, column_sum_words_o})
  );

  `SSNN_FF({in_q, label_q, counts_q, best_q}, {in_d, label_d, counts_d, best_d}, '0)

  assign busy_o       = busy_q;
  assign prediction_o = best_q;
  assign counts_o     = counts_q;

endmodule
