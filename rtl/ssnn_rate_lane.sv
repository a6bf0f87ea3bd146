// One cross-point's rate-mode update (eq. 9) in a crossbar tile's update pass at the end of a
// sample: w + round(n_x * (pulse_up * n_pos - pulse_down * n_neg) / T), saturating at the bounds.
//
// Combinational. Bit-exact with ssnn::rate_update (sw/include/ssnn/contract/synapse.hpp), which the
// golden model and systemc/crossbar_tile apply: the quotient is rounded to nearest, halves away from
// zero (|num| + floor(T/2), divided, the sign put back). The division by T is a multiplication by
// the reciprocal recip_i = ceil(2^(MagBits+RateBits) / T), exact for every dividend below 2^MagBits
// (Granlund and Montgomery, "Division by invariant integers using multiplication", 1994, theorem
// 4.2, with 2^RateBits > T), so the lane needs no divider; the host computes the reciprocal once
// per T, as it writes the input-ramp table.
// A cross-point whose row or column did not spike keeps its weight (the golden model and the
// SystemC tile visit only rows and columns with spikes, so their bounds are not applied to it).
module ssnn_rate_lane #(
  parameter int WeightBits = ssnn_pkg::WeightBits,  // signed weight register, 2..24
  parameter int RateBits   = 8,                     // spike counts of a sample, T < 2^RateBits
  // |num| + T/2 < 2^MagBits, num = n_x * (up * n_pos - down * n_neg).
  localparam int MagBits   = WeightBits + 2 * RateBits + 2,
  localparam int RecipBits = MagBits + RateBits + 1
) (
  input  logic signed [WeightBits-1:0] weight_i,
  input  logic        [RateBits-1:0]   n_x_i,         // row (pre-synaptic) spikes of the sample
  input  logic        [RateBits-1:0]   n_pos_i,       // column delta_p spikes
  input  logic        [RateBits-1:0]   n_neg_i,       // column delta_n spikes
  input  logic        [RateBits-1:0]   half_i,        // floor(T / 2)
  input  logic        [RecipBits-1:0]  recip_i,       // ceil(2^(MagBits + RateBits) / T)
  input  logic signed [WeightBits-1:0] w_min_i,
  input  logic signed [WeightBits-1:0] w_max_i,
  input  logic        [WeightBits:0]   pulse_up_i,
  input  logic        [WeightBits:0]   pulse_down_i,
  output logic signed [WeightBits-1:0] weight_o
);

  localparam int DiffBits = WeightBits + RateBits + 2;  // signed up * n_pos - down * n_neg
  localparam int SumBits  = MagBits + 2;                // signed w + quotient, no overflow
  localparam int ProdBits = MagBits + RecipBits;

`ifndef SYNTHESIS
  initial begin : p_param_check
    assert (WeightBits >= 2 && WeightBits <= 24)
      else $fatal(1, "ssnn_rate_lane: WeightBits=%0d must be in 2..24", WeightBits);
    assert (RateBits >= 1 && RateBits <= 17)
      else $fatal(1, "ssnn_rate_lane: RateBits=%0d must be in 1..17", RateBits);
  end
`endif

  logic signed [DiffBits-1:0]          diff;
  logic signed [MagBits-1:0]           num;
  logic        [MagBits-1:0]           mag;
  logic        [ProdBits-1:0]          product;
  logic        [MagBits-1:0]           quotient;
  logic signed [SumBits-1:0]           delta, moved, lo, hi;
  logic                                active;
  logic                                unused_product;  // the quotient's top bit is 0, the low bits a fraction
  assign unused_product = ^{product[ProdBits-1], product[MagBits+RateBits-1:0]};

  always_comb begin
    diff     = DiffBits'(pulse_up_i) * DiffBits'(n_pos_i) - DiffBits'(pulse_down_i) * DiffBits'(n_neg_i);
    num      = MagBits'(diff) * $signed(MagBits'(n_x_i));
    mag      = MagBits'(num);
    if (num < 0) begin
      mag = MagBits'(-num);
    end
    mag      = mag + MagBits'(half_i);
    product  = ProdBits'(mag) * ProdBits'(recip_i);
    quotient = product[MagBits+RateBits +: MagBits];  // >> (MagBits + RateBits); < 2^MagBits
    delta    = SumBits'(quotient);
    if (num < 0) begin
      delta = -delta;
    end
    moved    = SumBits'(weight_i) + delta;
    lo       = SumBits'(w_min_i);
    hi       = SumBits'(w_max_i);
    active   = n_x_i != '0 && (n_pos_i != '0 || n_neg_i != '0);
    if (!active) begin
      weight_o = weight_i;
    end else if (moved < lo) begin
      weight_o = w_min_i;
    end else if (moved > hi) begin
      weight_o = w_max_i;
    end else begin
      weight_o = WeightBits'(moved);
    end
  end

endmodule
