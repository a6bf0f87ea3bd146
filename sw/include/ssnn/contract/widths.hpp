// Every fixed width and constant of the chip, defined once.  The C++ levels use these names; the
// SystemVerilog package rtl/ssnn_pkg.sv and the Verilator parameters rtl/cmake/SsnnWidths.cmake are
// generated from this file (rtl/gen/gen_rtl_constants.cpp, `cmake --build build --target
// rtl_constants`), and the test rtl_constants_in_sync fails when they drift.
#pragma once

#include <cstdint>

namespace ssnn {

// ---- Rules (every level, every configuration) ----------------------------------------------------
// Probabilities are unsigned Q0.16: 2^16 means certainty, so a port holding one is 17 bits wide.
constexpr int kProbBits = 16;
// Fraction bits of the synaptic filter's transfer coefficient beta (beta <= 2^16).
constexpr int kBetaBits = 16;
// The random source: xorshift32 state width and the state a zero seed loads.
constexpr int kLfsrBits = 32;
constexpr uint32_t kLfsrZeroSeed = 0x6A09E667u;
// Pulse-noise words are 32 bits; pulse_variation() uses bits [31:kNoiseShift].
constexpr int kNoiseWordBits = 32;
constexpr int kNoiseShift = 8;

// ---- The chip's default widths -------------------------------------------------------------------
// ModelConfig's defaults, the RTL units' parameter defaults and the widths of the SystemC (--sc)
// models the chip co-simulates with.
constexpr int kWeightBits = 16;     // signed weight registers
constexpr int kChargeBits = 24;     // signed synaptic charge registers
constexpr int kPotentialBits = 24;  // signed membrane potential registers
constexpr int kInputBits = 31;      // signed step inputs (|input| < 2^30, ModelConfig::validate)
constexpr int kNoiseBits = 4;       // pulse-noise amplitude of the RTL coincidence unit (noise < 2^4)
constexpr int kNumOutputs = 10;     // output neurons of the RTL output layer (classes)

}  // namespace ssnn
