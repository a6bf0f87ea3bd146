// Bit fields of RTL ports: a two's-complement field as a signed value and back. Plain C++.
#pragma once

#include <cstdint>

namespace ssnn::rtl {

// The low `bits` bits of `v`, sign-extended.
inline int64_t sext(uint64_t v, int bits) {
  const uint64_t sign = uint64_t{1} << (bits - 1);
  v &= (uint64_t{1} << bits) - 1;
  return static_cast<int64_t>((v ^ sign) - sign);
}

// `v` as a `bits`-bit two's-complement field.
inline uint32_t field(int64_t v, int bits) {
  return static_cast<uint32_t>(static_cast<uint64_t>(v) & ((uint64_t{1} << bits) - 1));
}

}  // namespace ssnn::rtl
