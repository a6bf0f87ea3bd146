// Cross-point (synapse) update rules: stochastic pulse coincidence (eq. 10) and the rate baseline (eq. 9).
#pragma once

#include <cstdint>

#include "ssnn/contract/fixed_point.hpp"
#include "ssnn/contract/seeding.hpp"
#include "ssnn/contract/widths.hpp"

namespace ssnn {

// One weight layer's cross-point behaviour.  The ideal digital device has w_min/w_max at the weight
// register's bounds, pulse_up == pulse_down and no pulse noise; the others model RPU non-idealities.
struct SynapseParams {
  int32_t w_min = signed_min(kWeightBits);
  int32_t w_max = signed_max(kWeightBits);
  int32_t pulse_up = 1;     // LSBs an up pulse (row AND delta_p) adds
  int32_t pulse_down = 1;   // LSBs a down pulse (row AND delta_n) removes (asymmetry: != pulse_up)
  int32_t pulse_noise = 0;  // pulse-to-pulse variation: each pulse's size moves by U{-n..n} LSB
};

// Counter-based random word for pulse-to-pulse noise: a function of (key, step, row, column) only,
// so it does not depend on the order in which tiles apply their pulses.
constexpr uint32_t device_noise_word(uint64_t key, uint32_t step, uint32_t row, uint32_t col) {
  return static_cast<uint32_t>(splitmix64(splitmix64(key + step) ^ ((uint64_t{row} << 32) | col)));
}

// Signed size variation in [-n, n] drawn from a random word.
constexpr int32_t pulse_variation(uint32_t word, int32_t n) {
  return n == 0 ? 0 : static_cast<int32_t>((word >> kNoiseShift) % static_cast<uint32_t>(2 * n + 1)) - n;
}

// The AND-gate coincidence update of one cross-point at the end of a step: the row carries the
// pre-synaptic forward spike, the column the post-synaptic gradient spikes.  Saturates at the bounds.
constexpr int32_t coincidence_update(const SynapseParams& p, int32_t w, bool row, bool col_pos, bool col_neg,
                                     uint32_t noise_word = 0) {
  if (!row || col_pos == col_neg) return w;  // no pulse, or up and down cancel
  const int32_t variation = pulse_variation(noise_word, p.pulse_noise);
  const int64_t step = col_pos ? int64_t{p.pulse_up} + variation : -(int64_t{p.pulse_down} + variation);
  return clamp_to(int64_t{w} + step, p.w_min, p.w_max);
}

// Division by the sample length T rounded to nearest (halves away from zero), without a hardware
// divide in the inner loop: a floating-point estimate corrected to the exact integer quotient.
struct RoundingDivider {
  int64_t divisor = 1;
  double inverse = 1.0;
  explicit RoundingDivider(int64_t d) : divisor(d), inverse(1.0 / static_cast<double>(d)) {}
  int64_t operator()(int64_t num) const {
    const uint64_t a = static_cast<uint64_t>(num >= 0 ? num : -num) + static_cast<uint64_t>(divisor / 2);
    const auto d = static_cast<uint64_t>(divisor);
    auto q = static_cast<uint64_t>(static_cast<double>(a) * inverse);
    if (q * d > a) --q;
    else if ((q + 1) * d <= a) ++q;
    return num >= 0 ? static_cast<int64_t>(q) : -static_cast<int64_t>(q);
  }
};

// Rate-mode update (eq. 9) at the end of a sample: the expected number of coincidences of a row with
// n_x spikes and a column with n_pos/n_neg spikes over T steps is n_x * n / T; rounded to nearest.
inline int32_t rate_update(const SynapseParams& p, int32_t w, int32_t n_x, int32_t n_pos, int32_t n_neg,
                           const RoundingDivider& per_timestep) {
  const int64_t num = int64_t{n_x} * (int64_t{p.pulse_up} * n_pos - int64_t{p.pulse_down} * n_neg);
  return clamp_to(int64_t{w} + per_timestep(num), p.w_min, p.w_max);
}

inline int32_t rate_update(const SynapseParams& p, int32_t w, int32_t n_x, int32_t n_pos, int32_t n_neg,
                           int32_t timesteps) {
  return rate_update(p, w, n_x, n_pos, n_neg, RoundingDivider(timesteps));
}

}  // namespace ssnn
