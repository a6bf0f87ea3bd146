// Dropout keep bits of one layer, Lanes per cycle: the RTL of the golden model's dropout mask
// (an Lfsr seeded with stream_seed(sample key, Stream), one bernoulli() draw per neuron in order).
// load_i (a sample begins) seeds the stream and takes the probability of this sample (none without
// learning); each cycle with advance_i draws the next Lanes numbers, keep_o[i] for the i-th of
// them (dropped when the draw's upper ProbBits bits are below the probability).
`include "ssnn_assert.svh"
`include "ssnn_registers.svh"

module ssnn_dropout_mask #(
  parameter int          Lanes  = 8,                            // draws per cycle, >= 1
  parameter logic [63:0] Stream = ssnn_pkg::StreamDropoutBase   // kDropoutBase + layer
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  input  logic                        load_i,
  input  logic [63:0]                 sample_key_i,  // with load_i
  input  logic                        learn_i,       // with load_i
  input  logic [ssnn_pkg::ProbBits:0] drop_q16_i,    // with load_i: dropout probability, Q0.16
  input  logic                        advance_i,
  output logic [Lanes-1:0]            keep_o         // this cycle's draws (meaningful with advance_i)
);

  localparam int LB = ssnn_pkg::LfsrBits;

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_MIN(Lanes, 1)
  end
`endif

  logic [LB-1:0]               seed;
  logic [LB-1:0]               lfsr_d, lfsr_q;
  logic                        en_d, en_q;
  logic [ssnn_pkg::ProbBits:0] p_d, p_q;
  logic [(Lanes+1)*LB-1:0]     chain;   // the LFSR and its next Lanes states

  ssnn_stream_seed u_seed (
    .key_i    (sample_key_i),
    .stream_i (Stream),
    .seed_o   (seed)
  );

  assign chain[0 +: LB] = lfsr_q;
  for (genvar i = 0; i < Lanes; i++) begin : gen_draw
    ssnn_lfsr_step u_step (
      .state_i (chain[i*LB +: LB]),
      .next_o  (chain[(i+1)*LB +: LB])
    );
    assign keep_o[i] = !(en_q && ({1'b0, chain[(i+1)*LB + (LB - ssnn_pkg::ProbBits) +: ssnn_pkg::ProbBits]} < p_q));
  end

  always_comb begin
    lfsr_d = lfsr_q;
    en_d   = en_q;
    p_d    = p_q;
    if (load_i) begin
      lfsr_d = seed;
      en_d   = learn_i && (drop_q16_i != '0);
      p_d    = drop_q16_i;
    end else if (advance_i) begin
      lfsr_d = chain[Lanes*LB +: LB];
    end
  end

  `SSNN_FF(lfsr_q, lfsr_d, ssnn_pkg::LfsrZeroSeed)
  `SSNN_FF({en_q, p_q}, {en_d, p_d}, '0)

endmodule
