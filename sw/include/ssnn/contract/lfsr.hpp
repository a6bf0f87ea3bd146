// The chip's random source: a 32-bit xorshift linear-feedback generator with a loadable seed.
#pragma once

#include <cstdint>

#include "ssnn/contract/widths.hpp"

namespace ssnn {

// Marsaglia's xorshift32 (shifts 13, 17, 5): a linear map over GF(2)^32 with period 2^32 - 1, i.e.
// an LFSR whose feedback network is three shift-XOR stages.  One update per draw costs one clock in
// hardware (rtl/ssnn_lfsr.sv) and a handful of instructions in software, and unlike a one-bit
// Galois step it yields a fresh, decorrelated 32-bit word every draw.  The state is never zero.
struct Lfsr {
  uint32_t state = 1;

  static constexpr uint32_t kZeroSeedReplacement = kLfsrZeroSeed;

  constexpr Lfsr() = default;
  constexpr explicit Lfsr(uint32_t seed) : state(seed ? seed : kZeroSeedReplacement) {}

  constexpr void load(uint32_t seed) { state = seed ? seed : kZeroSeedReplacement; }

  // Pure next-state function, shared with the RTL checkers.
  static constexpr uint32_t next_state(uint32_t s) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
  }

  // Advance and return the new state.
  constexpr uint32_t next() { return state = next_state(state); }
};

// Probabilities are unsigned Q0.16 (kProbBits): 65536 means certainty.
constexpr uint32_t kProbOne = 1u << kProbBits;

// A Bernoulli draw: advance the LFSR and compare its upper 16 bits with the probability.
constexpr bool bernoulli_from_state(uint32_t new_state, uint32_t prob_q16) {
  return (new_state >> (kLfsrBits - kProbBits)) < prob_q16;
}

constexpr bool bernoulli(Lfsr& lfsr, uint32_t prob_q16) { return bernoulli_from_state(lfsr.next(), prob_q16); }

}  // namespace ssnn
