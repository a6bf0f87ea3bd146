// Constants shared by the SSNN-BP RTL units: fixed-point formats and the random-source rules.
//
// Referenced by qualified name only (ssnn_pkg::Name): yosys 0.23 rejects `import`.
// The values mirror sw/include/ssnn/{lfsr,neuron,synapse}.hpp, the bit-exact contract.
package ssnn_pkg;

  // Not every unit uses every constant.
  /* verilator lint_off UNUSEDPARAM */

  // Probabilities are unsigned Q0.16 (kProbBits): 2^16 means certainty, so a port holding a
  // probability is ProbBits + 1 bits wide.
  parameter int ProbBits = 16;

  // Fraction bits of the synaptic filter's transfer coefficient beta (kBetaBits); beta <= 2^16.
  parameter int BetaBits = 16;

  // xorshift32 state width and the state a zero seed loads (Lfsr::kZeroSeedReplacement).
  parameter int LfsrBits = 32;
  parameter logic [LfsrBits-1:0] LfsrZeroSeed = 32'h6A09E667;

  // Pulse-noise words are 32 bits; pulse_variation() uses bits [31:NoiseShift].
  parameter int NoiseWordBits = 32;
  parameter int NoiseShift = 8;

  /* verilator lint_on UNUSEDPARAM */

endpackage
