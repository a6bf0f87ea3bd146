// Bit fields of RTL ports: a two's-complement field as a signed value and back, and fields of wide
// ports (Verilator's VlWide, 32-bit words, or an integral port up to 64 bits). Plain C++.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace ssnn::rtl {

// Sign-extends the low `bits` bits of v.
inline int64_t sext(uint64_t v, int bits) {
  const uint64_t m = bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  v &= m;
  const uint64_t sign = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

// Two's-complement bits of v in a `bits`-wide port (Verilator wants inputs without stray high bits).
inline uint64_t bits_of(int64_t v, int bits) {
  const uint64_t m = bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  return static_cast<uint64_t>(v) & m;
}

// Field access on a port: an integral type for up to 64 bits, VlWide<N> above.
template <class Port>
void set_field(Port& port, int lsb, int width, int64_t value) {
  const uint64_t v = bits_of(value, width);
  if constexpr (std::is_integral_v<Port>) {
    const uint64_t m = ((width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1)) << lsb;
    port = static_cast<Port>((static_cast<uint64_t>(port) & ~m) | (v << lsb));
  } else {
    // VlWide: 32-bit words, a field spans at most three of them.
    for (int b = 0; b < width;) {
      const int bit = lsb + b;
      const int word = bit / 32, off = bit % 32;
      const int n = std::min(32 - off, width - b);
      const uint32_t m = (n == 32 ? ~uint32_t{0} : ((uint32_t{1} << n) - 1)) << off;
      const auto chunk = static_cast<uint32_t>(v >> b) << off;
      port[word] = (port[word] & ~m) | (chunk & m);
      b += n;
    }
  }
}

template <class Port>
uint64_t get_field(const Port& port, int lsb, int width) {
  if constexpr (std::is_integral_v<Port>) {
    const uint64_t m = width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
    return (static_cast<uint64_t>(port) >> lsb) & m;
  } else {
    uint64_t v = 0;
    for (int b = 0; b < width;) {
      const int bit = lsb + b;
      const int word = bit / 32, off = bit % 32;
      const int n = std::min(32 - off, width - b);
      const uint32_t m = n == 32 ? ~uint32_t{0} : ((uint32_t{1} << n) - 1);
      v |= static_cast<uint64_t>((port[word] >> off) & m) << b;
      b += n;
    }
    return v;
  }
}

template <class Port>
int64_t get_signed(const Port& port, int lsb, int width) {
  return sext(get_field(port, lsb, width), width);
}

// `v` as a `bits`-bit two's-complement field (ports up to 32 bits).
inline uint32_t field(int64_t v, int bits) { return static_cast<uint32_t>(bits_of(v, bits)); }

// ceil(2^e / d) as 32-bit words, least significant first (binary long division; d > 0): the
// reciprocal the rate lanes multiply by (rtl/ssnn_rate_lane.sv).
inline std::vector<uint32_t> ceil_pow2_div(int e, uint32_t d) {
  std::vector<uint32_t> q(static_cast<size_t>(e / 32 + 1), 0);
  uint64_t rem = 0;
  for (int b = e; b >= 0; --b) {
    rem = 2 * rem + (b == e ? 1 : 0);
    if (rem >= d) {
      rem -= d;
      q[static_cast<size_t>(b / 32)] |= uint32_t{1} << (b % 32);
    }
  }
  for (size_t i = 0; rem != 0 && i < q.size(); ++i)  // round up: add 1 with carry
    if (++q[i] != 0) break;
  return q;
}

// Writes `words` (32 bits each, least significant first) into the `width`-bit field at `lsb`.
template <class Port>
void set_words(Port& port, int lsb, int width, const std::vector<uint32_t>& words) {
  for (int b = 0; b < width; b += 32)
    set_field(port, lsb + b, std::min(32, width - b), words[static_cast<size_t>(b / 32)]);
}

}  // namespace ssnn::rtl
