// Iterative winner-take-all resolver of the output layer (eq. 2): one firing per cycle within a step.
//
// Bit-exact with ssnn::wta_fire (sw/include/ssnn/contract/neuron.hpp) when driving the output neurons'
// wta_win_i / wta_inhibit_i: among the outputs that are eligible (potential >= theta and not yet fired
// in this timestep, from ssnn_composite_neuron.wta_eligible_o) the highest potential fires, the lowest
// index on ties; it is reset by subtraction and every other output loses the inhibition. Repeats until
// no output is eligible.
// Timing: start_i in any cycle after the forward integration landed. In each active cycle (the start
// cycle and while busy_o) either one winner is commanded (win_o one-hot, inhibit_o its complement) and
// applied at the clock edge, or no output is eligible and done_o is high for that cycle. A step with
// k output spikes takes k + 1 cycles from start_i to done_o.
`include "ssnn_assert.svh"
`include "ssnn_registers.svh"

module ssnn_wta #(
  parameter int NumOutputs    = ssnn_pkg::NumOutputs,  // output neurons, 2..64
  parameter int PotentialBits = ssnn_pkg::PotentialBits   // signed potential registers
) (
  input  logic                                  clk_i,
  input  logic                                  rst_ni,
  input  logic                                  start_i,       // resolve this timestep
  input  logic [NumOutputs-1:0]                 eligible_i,    // per output: at threshold, not fired
  input  logic [NumOutputs*PotentialBits-1:0]   potentials_i,  // output k at [k*PotentialBits +: PotentialBits]
  output logic [NumOutputs-1:0]                 win_o,         // the winner fires this cycle (one-hot)
  output logic [NumOutputs-1:0]                 inhibit_o,     // every other output is inhibited
  output logic                                  busy_o,        // resolving (after the start cycle)
  output logic                                  done_o         // no eligible output left: step resolved
);

  localparam int N = NumOutputs;
  localparam int P = PotentialBits;
  localparam int IdxBits = (N > 1) ? $clog2(N) : 1;

`ifndef SYNTHESIS
  initial begin : p_param_check
    `SSNN_PARAM_RANGE(NumOutputs, 2, 64)
    `SSNN_PARAM_RANGE(PotentialBits, 2, 30)
  end
`endif

  logic busy_d, busy_q;
  logic active;
  logic found;
  logic [IdxBits-1:0] best_idx;
  logic signed [P-1:0] best_val;
  logic signed [P-1:0] candidate;

  // Highest eligible potential; strict comparison keeps the lowest index on ties.
  always_comb begin
    found    = 1'b0;
    best_idx = '0;
    best_val = '0;
    candidate = '0;
    for (int k = 0; k < N; k++) begin
      candidate = potentials_i[k*P +: P];
      if (eligible_i[k] && (!found || (candidate > best_val))) begin
        found    = 1'b1;
        best_idx = IdxBits'(k);
        best_val = candidate;
      end
    end
  end

  always_comb begin
    active    = start_i || busy_q;
    win_o     = (active && found) ? (N'(1) << best_idx) : '0;
    inhibit_o = (active && found) ? ~win_o : '0;
    done_o    = active && !found;
    busy_d    = active && found;
  end

  `SSNN_FF(busy_q, busy_d, '0)

  assign busy_o = busy_q;

`ifndef SYNTHESIS
  always @(posedge clk_i or negedge rst_ni) begin : p_start_check
    if (!rst_ni) begin
      // Nothing to check in reset.
    end else if (start_i) begin
      assert (!busy_q) else $error("ssnn_wta: start_i while busy");
    end
  end
`endif

endmodule
