// The pulse arithmetic of ssnn::coincidence_update (sw/include/ssnn/contract/synapse.hpp) as
// functions, written once for the modules that apply it: ssnn_pulse_step and ssnn_crossbar_lane
// wrap them, and ssnn_weight_array calls them for its update lanes inside the branch of the cycle
// that writes a line back (a cycle-based simulator then evaluates the lanes only in that cycle).
// Included inside a module body that declares `W` (signed weight width, 2..24) and `VarBits`
// (signed variation width, NoiseBits + 2); no include guard, each module gets its own copy.

// One pulse once the AND gate has fired: w' = clamp(w + (pulse + v)) for an up pulse,
// clamp(w - (pulse + v)) for a down pulse, to [w_min, w_max] with the upper bound tested first, as
// clamp_to. The pulse size after variation takes W + 3 signed bits, the sum W + 4.
function automatic logic signed [W-1:0] pulse_step(
    input logic signed [W-1:0]       weight,
    input logic                      down,       // 0: up pulse, 1: down pulse
    input logic        [W:0]         pulse,      // LSBs per pulse of this direction
    input logic signed [VarBits-1:0] variation,  // this pulse's size variation
    input logic signed [W-1:0]       w_min,
    input logic signed [W-1:0]       w_max);
  logic signed [W+2:0] magnitude;
  logic signed [W+3:0] moved;
  magnitude = (W + 3)'({1'b0, pulse}) + (W + 3)'(variation);
  moved     = down ? ((W + 4)'(weight) - (W + 4)'(magnitude))
                   : ((W + 4)'(weight) + (W + 4)'(magnitude));
  if (moved > (W + 4)'(w_max)) begin
    pulse_step = w_max;
  end else if (moved < (W + 4)'(w_min)) begin
    pulse_step = w_min;
  end else begin
    pulse_step = moved[W-1:0];
  end
endfunction

// One cross-point of an update pass: the up pulse (row AND dp), then the down pulse (row AND dn),
// each saturating, both with the cross-point's one variation (a column with both spikes in one
// step takes both, in that order, as the golden model applies them).
function automatic logic signed [W-1:0] crossbar_lane(
    input logic signed [W-1:0]       weight,
    input logic                      up,
    input logic                      down,
    input logic signed [VarBits-1:0] variation,
    input logic signed [W-1:0]       w_min,
    input logic signed [W-1:0]       w_max,
    input logic        [W:0]         pulse_up,
    input logic        [W:0]         pulse_down);
  logic signed [W-1:0] after_up;
  after_up      = up ? pulse_step(weight, 1'b0, pulse_up, variation, w_min, w_max) : weight;
  crossbar_lane = down ? pulse_step(after_up, 1'b1, pulse_down, variation, w_min, w_max) : after_up;
endfunction
