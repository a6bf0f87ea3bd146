// Spike encoders: front-loaded Bernoulli pixel sources and the label (target) source.
#pragma once

#include <cmath>
#include <cstdint>

#include "ssnn/contract/lfsr.hpp"

namespace ssnn {

enum class InputProfile { kFrontLoaded, kFlat };

// Probability (Q0.16) that a full-intensity pixel spikes at step t.  Front-loaded: a linear ramp
// from about 2x the average rate down to 0, p(t) = 2 * rate * (T - t - 1/2) / T, whose mean over the
// T steps is exactly `rate`.  Flat: `rate` at every step.
constexpr uint32_t input_ramp_q16(uint32_t rate_q16, int t, int timesteps, InputProfile profile) {
  if (profile == InputProfile::kFlat) return rate_q16;
  return static_cast<uint32_t>((uint64_t{rate_q16} * static_cast<uint64_t>(2 * timesteps - 2 * t - 1)) /
                               static_cast<uint64_t>(timesteps));
}

// Per-pixel probability: the 8-bit pixel is scaled by (pix + pix>>7)/256, which maps 255 to exactly 1.
constexpr uint32_t pixel_prob_q16(uint8_t pixel, uint32_t ramp_q16) {
  return ((uint32_t{pixel} + (uint32_t{pixel} >> 7)) * ramp_q16) >> 8;
}

// A probability in [0, 1] as Q0.16.
inline uint32_t prob_to_q16(double p) {
  const long q = std::lround(p * kProbOne);
  return static_cast<uint32_t>(q < 0 ? 0 : (q > static_cast<long>(kProbOne) ? kProbOne : q));
}

}  // namespace ssnn
