// Saturating fixed-point helpers shared by the golden model, the SystemC chip and the RTL checkers.
#pragma once

#include <cstdint>

namespace ssnn {

// Largest value of a signed two's-complement register of `bits` bits (2..32).
constexpr int32_t signed_max(int bits) { return static_cast<int32_t>((int64_t{1} << (bits - 1)) - 1); }
// Smallest value of a signed two's-complement register of `bits` bits (2..32).
constexpr int32_t signed_min(int bits) { return static_cast<int32_t>(-(int64_t{1} << (bits - 1))); }

// Clamp a wide intermediate to a signed register of `bits` bits: registers saturate, never wrap.
constexpr int32_t saturate(int64_t value, int bits) {
  const int64_t hi = signed_max(bits);
  const int64_t lo = signed_min(bits);
  return static_cast<int32_t>(value > hi ? hi : (value < lo ? lo : value));
}

// Clamp to explicit bounds (weights may use a range narrower than their register).
constexpr int32_t clamp_to(int64_t value, int32_t lo, int32_t hi) {
  return static_cast<int32_t>(value > hi ? hi : (value < lo ? lo : value));
}

// 32-bit saturation for hot loops whose operands are bounded by validation (ModelConfig::validate
// keeps every register and every step accumulator below 2^30, so the sums below cannot overflow).
constexpr int32_t saturate32(int32_t value, int bits) {
  const int32_t hi = signed_max(bits);
  const int32_t lo = signed_min(bits);
  return value > hi ? hi : (value < lo ? lo : value);
}

// Round-half-up multiply by an unsigned Q0.16 fraction, floor((value * frac + 2^15) / 2^16), for
// |value| < 2^30 and frac <= 2^16.  Computed in 32-bit halves (value = hi * 2^16 + lo, lo >= 0) so
// hardware needs a 16x17 multiplier pair and software vectorises; equal to the 64-bit formula.
constexpr int32_t mul_q16(int32_t value, uint32_t frac) {
  const int32_t hi = value >> 16;                                     // arithmetic shift (floor)
  const uint32_t lo = static_cast<uint32_t>(value) & 0xFFFFu;
  return hi * static_cast<int32_t>(frac) + static_cast<int32_t>((lo * frac + 0x8000u) >> 16);
}

}  // namespace ssnn
