// Constants shared by the SSNN-BP RTL units: fixed-point formats, the random-source rules and the
// chip's default widths.
//
// GENERATED from sw/include/ssnn/contract/widths.hpp by rtl/gen/gen_rtl_constants.cpp: do not edit;
// change the contract and run `cmake --build build --target rtl_constants` (the test
// rtl_constants_in_sync fails while this file and the contract differ).
//
// Referenced by qualified name only (ssnn_pkg::Name): yosys 0.23 rejects `import`.
package ssnn_pkg;

  // Not every unit uses every constant.
  /* verilator lint_off UNUSEDPARAM */

  // Probabilities are unsigned Q0.16 (kProbBits): 2^16 means certainty, so a port holding a
  // probability is ProbBits + 1 bits wide.
  parameter int ProbBits = 16;

  // Fraction bits of the synaptic filter's transfer coefficient beta (kBetaBits); beta <= 2^16.
  parameter int BetaBits = 16;

  // xorshift32 state width and the state a zero seed loads (kLfsrBits, kLfsrZeroSeed).
  parameter int LfsrBits = 32;
  parameter logic [LfsrBits-1:0] LfsrZeroSeed = 32'h6A09E667;

  // Pulse-noise words are 32 bits; pulse_variation() uses bits [31:NoiseShift].
  parameter int NoiseWordBits = 32;
  parameter int NoiseShift = 8;

  // Random-stream identifiers of a sample (ssnn::stream, seeding.hpp): the label encoder, the
  // dropout masks (+ layer) and the device pulse noise (+ weight layer).
  parameter logic [63:0] StreamLabel = 64'h0000000000010000;
  parameter logic [63:0] StreamDropoutBase = 64'h0000000000020000;
  parameter logic [63:0] StreamDeviceBase = 64'h0000000000040000;

  // The chip's default widths: the units' parameter defaults (ModelConfig's defaults).
  parameter int WeightBits = 16;
  parameter int ChargeBits = 24;
  parameter int PotentialBits = 24;
  parameter int InputBits = 31;
  parameter int NoiseBits = 4;
  parameter int NumOutputs = 10;

  /* verilator lint_on UNUSEDPARAM */

endpackage
