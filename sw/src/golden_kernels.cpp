#include "ssnn/golden_kernels.hpp"

#include <cstring>

#include "ssnn/contract/dropout.hpp"
#include "ssnn/contract/encoder.hpp"
#include "ssnn/contract/fixed_point.hpp"

// An AVX2 clone of each kernel picked at load time; the default clone keeps the binary portable.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define SSNN_HOT __attribute__((target_clones("avx2", "default")))
#else
#define SSNN_HOT
#endif

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "collect_flags reads flag bytes as little-endian words");

namespace ssnn::kernels {

namespace {

// Eight int32 lanes.  Loads and stores go through memcpy, so they are unaligned and alias-safe under
// every compiler (clang turns a dereferenced under-aligned vector typedef into an aligned SSE
// operand, which faults on rows that do not start on 16 bytes); GCC and clang emit one vmovdqu.
typedef int32_t v8i __attribute__((vector_size(32)));

// (By reference, not by value: a vector value crossing a call in the SSE2 clone draws -Wpsabi.)
inline void add8(v8i& acc, const int32_t* p) {
  v8i v;
  std::memcpy(&v, p, sizeof(v));
  acc += v;
}
inline void store8(int32_t* p, const v8i& v) { std::memcpy(p, &v, sizeof(v)); }

}  // namespace

namespace {

// Sixteen 16-bit weights in one vector of eight int32 lanes: lane k holds weights 2k (low half, as
// little-endian memory lays it) and 2k + 1 (high half).  Arithmetic shifts widen both halves in place,
// so the even and odd columns are summed in two vectors and interleaved once, when stored.  (GCC 12
// lowers __builtin_convertvector from 16 to 32 bits to two half-width conversions and an insert.)
typedef uint32_t v8u __attribute__((vector_size(32)));
inline void add16(v8i& even, v8i& odd, const int16_t* p) {
  v8i v;
  std::memcpy(&v, p, sizeof(v));
  even += reinterpret_cast<v8i>(reinterpret_cast<v8u>(v) << 16) >> 16;  // shifted unsigned: no signed overflow
  odd += v >> 16;
}
// (clang spells GCC's two-vector shuffle __builtin_shufflevector, with the lane indices as arguments.)
inline void store16(int32_t* p, const v8i& even, const v8i& odd) {
#if defined(__clang__)
  store8(p, __builtin_shufflevector(even, odd, 0, 8, 1, 9, 2, 10, 3, 11));
  store8(p + 8, __builtin_shufflevector(even, odd, 4, 12, 5, 13, 6, 14, 7, 15));
#else
  store8(p, __builtin_shuffle(even, odd, v8i{0, 8, 1, 9, 2, 10, 3, 11}));
  store8(p + 8, __builtin_shuffle(even, odd, v8i{4, 12, 5, 13, 6, 14, 7, 15}));
#endif
}

template <class W>
__attribute__((always_inline)) inline int32_t sum_column(const W* base, size_t stride, const int* rows, size_t n,
                                                         int j) {
  int32_t s = 0;
  for (size_t k = 0; k < n; ++k) s += base[static_cast<size_t>(rows[k]) * stride + static_cast<size_t>(j)];
  return s;
}

__attribute__((always_inline)) inline void sum_rows_impl(int32_t* __restrict out, const int32_t* __restrict base,
                                                         size_t stride, const int* rows, size_t n, int width) {
  int j = 0;
  // 64 columns (eight vectors) per pass over the rows: the sums stay in registers.
  for (; j + 64 <= width; j += 64) {
    v8i a0{}, a1{}, a2{}, a3{}, a4{}, a5{}, a6{}, a7{};
    for (size_t k = 0; k < n; ++k) {
      const int32_t* p = base + static_cast<size_t>(rows[k]) * stride + j;
      add8(a0, p);
      add8(a1, p + 8);
      add8(a2, p + 16);
      add8(a3, p + 24);
      add8(a4, p + 32);
      add8(a5, p + 40);
      add8(a6, p + 48);
      add8(a7, p + 56);
    }
    store8(out + j, a0);
    store8(out + j + 8, a1);
    store8(out + j + 16, a2);
    store8(out + j + 24, a3);
    store8(out + j + 32, a4);
    store8(out + j + 40, a5);
    store8(out + j + 48, a6);
    store8(out + j + 56, a7);
  }
  for (; j + 8 <= width; j += 8) {
    v8i a{};
    for (size_t k = 0; k < n; ++k) add8(a, base + static_cast<size_t>(rows[k]) * stride + j);
    store8(out + j, a);
  }
  for (; j < width; ++j) out[j] = sum_column(base, stride, rows, n, j);
}

// Sixteen 16-bit lanes, added with wrap-around (unsigned: no signed overflow).
typedef int16_t v16s __attribute__((vector_size(32)));
typedef uint16_t v16u __attribute__((vector_size(32)));
inline void add16_narrow(v16s& acc, const int16_t* p) {
  v16s v;
  std::memcpy(&v, p, sizeof(v));
  acc = reinterpret_cast<v16s>(reinterpret_cast<v16u>(acc) + reinterpret_cast<v16u>(v));
}
// Adds sixteen 16-bit sums to the even and odd 32-bit sums (the layout of add16).
inline void widen16(v8i& even, v8i& odd, const v16s& sum) {
  const v8i v = reinterpret_cast<v8i>(sum);
  even += reinterpret_cast<v8i>(reinterpret_cast<v8u>(v) << 16) >> 16;
  odd += v >> 16;
}

__attribute__((always_inline)) inline void sum_rows_impl(int32_t* __restrict out, const int16_t* __restrict base,
                                                         size_t stride, const int* rows, size_t n, int width,
                                                         int32_t max_abs) {
  int j = 0;
  // Rows are summed in 16-bit lanes a block at a time, then widened: `block` weights of magnitude at
  // most max_abs sum to at most 32767 in magnitude, which the 16-bit sum holds exactly (wrap-around
  // in between does not matter).  One vector add per sixteen weights instead of three shifts and two
  // adds.
  const size_t block = max_abs < 1 ? n : static_cast<size_t>(32767 / max_abs);
  if (block >= 2) {
    for (; j + 64 <= width; j += 64) {
      v8i e0{}, o0{}, e1{}, o1{}, e2{}, o2{}, e3{}, o3{};
      for (size_t k0 = 0; k0 < n; k0 += block) {
        const size_t k1 = n - k0 > block ? k0 + block : n;
        v16s s0{}, s1{}, s2{}, s3{};
        for (size_t k = k0; k < k1; ++k) {
          const int16_t* p = base + static_cast<size_t>(rows[k]) * stride + j;
          add16_narrow(s0, p);
          add16_narrow(s1, p + 16);
          add16_narrow(s2, p + 32);
          add16_narrow(s3, p + 48);
        }
        widen16(e0, o0, s0);
        widen16(e1, o1, s1);
        widen16(e2, o2, s2);
        widen16(e3, o3, s3);
      }
      store16(out + j, e0, o0);
      store16(out + j + 16, e1, o1);
      store16(out + j + 32, e2, o2);
      store16(out + j + 48, e3, o3);
    }
  }
  // 64 columns (four loads, eight sums) per pass over the rows.
  for (; j + 64 <= width; j += 64) {
    v8i e0{}, o0{}, e1{}, o1{}, e2{}, o2{}, e3{}, o3{};
    for (size_t k = 0; k < n; ++k) {
      const int16_t* p = base + static_cast<size_t>(rows[k]) * stride + j;
      add16(e0, o0, p);
      add16(e1, o1, p + 16);
      add16(e2, o2, p + 32);
      add16(e3, o3, p + 48);
    }
    store16(out + j, e0, o0);
    store16(out + j + 16, e1, o1);
    store16(out + j + 32, e2, o2);
    store16(out + j + 48, e3, o3);
  }
  for (; j + 16 <= width; j += 16) {
    v8i e{}, o{};
    for (size_t k = 0; k < n; ++k) add16(e, o, base + static_cast<size_t>(rows[k]) * stride + j);
    store16(out + j, e, o);
  }
  for (; j < width; ++j) out[j] = sum_column(base, stride, rows, n, j);
}

template <class W>
__attribute__((always_inline)) inline void add_column_impl(int32_t* __restrict acc, const W* __restrict column,
                                                           int stride, int n, int32_t sign) {
  for (int j = 0; j < n; ++j) acc[j] += sign * column[static_cast<size_t>(j) * static_cast<size_t>(stride)];
}

template <class W>
__attribute__((always_inline)) inline void pulse_row_dense_impl(W* __restrict row, const int32_t* __restrict step,
                                                                const uint8_t* __restrict hit, int n, int32_t w_min,
                                                                int32_t w_max) {
  for (int j = 0; j < n; ++j) {
    const int32_t v = row[j] + step[j];
    const int32_t clamped = v > w_max ? w_max : (v < w_min ? w_min : v);
    row[j] = hit[j] ? static_cast<W>(clamped) : row[j];
  }
}

}  // namespace

SSNN_HOT void sum_rows(int32_t* out, const int32_t* base, size_t stride, const int* rows, size_t n, int width) {
  sum_rows_impl(out, base, stride, rows, n, width);
}

SSNN_HOT void sum_rows(int32_t* out, const int16_t* base, size_t stride, const int* rows, size_t n, int width,
                       int32_t max_abs) {
  sum_rows_impl(out, base, stride, rows, n, width, max_abs);
}

SSNN_HOT void add_row(int32_t* __restrict acc, const int32_t* __restrict row, int n) {
  for (int j = 0; j < n; ++j) acc[j] += row[j];
}

SSNN_HOT void add_column(int32_t* acc, const int32_t* column, int stride, int n, int32_t sign) {
  add_column_impl(acc, column, stride, n, sign);
}

SSNN_HOT void add_column(int32_t* acc, const int16_t* column, int stride, int n, int32_t sign) {
  add_column_impl(acc, column, stride, n, sign);
}

namespace {
inline int32_t abs32(int32_t v) { return v < 0 ? -v : v; }
}  // namespace

SSNN_HOT int32_t narrow_row(int16_t* __restrict out, const int32_t* __restrict in, int n) {
  int32_t m = 0;
  for (int j = 0; j < n; ++j) {
    out[j] = static_cast<int16_t>(in[j]);
    m = abs32(in[j]) > m ? abs32(in[j]) : m;
  }
  return m;
}

SSNN_HOT int32_t widen_row(int32_t* __restrict out, const int16_t* __restrict in, int n) {
  int32_t m = 0;
  for (int j = 0; j < n; ++j) {
    out[j] = in[j];
    m = abs32(in[j]) > m ? abs32(in[j]) : m;
  }
  return m;
}

namespace {

// kSetBits.pos[m] lists the positions of the set bits of m, lowest first (the rest are zero), as
// 32-bit lanes, so one vector load, add and store turns eight flags into their indices (8 KiB).
struct SetBitTable {
  int32_t pos[256][8];
  constexpr SetBitTable() : pos{} {
    for (int m = 0; m < 256; ++m) {
      int n = 0;
      for (int b = 0; b < 8; ++b)
        if ((m >> b) & 1) pos[m][n++] = b;
    }
  }
};
constexpr SetBitTable kSetBits{};

// Appends the indices j + k of the set bytes k of an 8-flag word; returns how many.
inline size_t append_word(uint64_t word, int j, int* out) {
  // Byte k (0 or 1) lands on bit 56 + k of the product and nothing else reaches the top byte.
  const auto bits = static_cast<unsigned>((word * 0x0102040810204080ull) >> 56);
  v8i index{};
  index += j;
  add8(index, kSetBits.pos[bits]);
  store8(out, index);  // all eight slots: those past the count are scratch
  return static_cast<size_t>(__builtin_popcount(bits));
}

}  // namespace

// 32 flags per test, so runs of silent neurons cost one load each.
SSNN_HOT size_t collect_flags(const uint8_t* flag, int begin, int end, int* out) {
  typedef uint64_t v4u __attribute__((vector_size(32)));
  size_t n = 0;
  int j = begin;
  for (; j + 32 <= end; j += 32) {
    v4u v;
    std::memcpy(&v, flag + j, sizeof(v));
    if ((v[0] | v[1] | v[2] | v[3]) == 0) continue;
    for (int q = 0; q < 4; ++q) n += append_word(v[q], j + 8 * q, out + n);
  }
  for (; j + 8 <= end; j += 8) {
    uint64_t word;
    std::memcpy(&word, flag + j, sizeof(word));
    n += append_word(word, j, out + n);
  }
  for (; j < end; ++j) {
    out[n] = j;
    n += flag[j];
  }
  return n;
}

SSNN_HOT void forward_layer(NeuronParams params, int n, const int32_t* __restrict acc,
                            const uint8_t* __restrict keep, int32_t theta, int32_t theta_gate,
                            int32_t* __restrict charge, int32_t* __restrict potential, uint8_t* __restrict flag,
                            uint8_t* __restrict gate_open, int32_t* __restrict count) {
  const NeuronParams p = params;  // a local copy: no aliasing with the outputs, so the loop vectorises
  for (int j = 0; j < n; ++j) {
    const ForwardStep r = forward_step(p, ForwardState{charge[j], potential[j]}, dropout_gate(acc[j], keep[j]), theta);
    charge[j] = r.next.charge;
    potential[j] = r.next.potential;
    flag[j] = static_cast<uint8_t>(r.spike);
    count[j] += r.spike;
    gate_open[j] = static_cast<uint8_t>(gate_event(r, theta_gate));
  }
}

SSNN_HOT void gradient_layer(NeuronParams params, int n, const int32_t* __restrict input,
                             const uint8_t* __restrict gate_open, int32_t theta, int32_t* __restrict charge,
                             int32_t* __restrict pos, int32_t* __restrict neg, uint8_t* __restrict gate,
                             uint8_t* __restrict pos_flag, uint8_t* __restrict neg_flag, int32_t* __restrict count_pos,
                             int32_t* __restrict count_neg) {
  const NeuronParams p = params;
  for (int j = 0; j < n; ++j) {
    const GradientStep r =
        gradient_step(p, GradientState{charge[j], pos[j], neg[j], gate[j]}, input[j], gate_open[j], theta);
    charge[j] = r.next.charge;
    pos[j] = r.next.pos;
    neg[j] = r.next.neg;
    gate[j] = static_cast<uint8_t>(r.next.gate);
    pos_flag[j] = static_cast<uint8_t>(r.spike_pos);
    neg_flag[j] = static_cast<uint8_t>(r.spike_neg);
    count_pos[j] += r.spike_pos;
    count_neg[j] += r.spike_neg;
  }
}

SSNN_HOT void encode_pixels(Lfsr* __restrict lfsr, const uint8_t* __restrict pixel, int n, uint32_t ramp_q16,
                            uint8_t* __restrict fire) {
  for (int k = 0; k < n; ++k) fire[k] = static_cast<uint8_t>(bernoulli(lfsr[k], pixel_prob_q16(pixel[k], ramp_q16)));
}

SSNN_HOT void pulse_row_dense(int32_t* row, const int32_t* step, const uint8_t* hit, int n, int32_t w_min,
                              int32_t w_max) {
  pulse_row_dense_impl(row, step, hit, n, w_min, w_max);
}

SSNN_HOT void pulse_row_dense(int16_t* row, const int32_t* step, const uint8_t* hit, int n, int32_t w_min,
                              int32_t w_max) {
  pulse_row_dense_impl(row, step, hit, n, w_min, w_max);
}

RateLanes rate_update_lanes(int64_t max_nx, int64_t max_abs_drive, int32_t timesteps) {
  if (max_nx < 0 || max_abs_drive < 0 || timesteps < 1) return RateLanes::kNone;
  // (q + 1) * T, the largest product the correction forms, is at most |numerator| + T/2 + 2T.
  const int64_t top = max_nx * max_abs_drive + 2 * int64_t{timesteps};
  // Single precision: a/T estimated within (a/T) * 2^-23 < 1 for a < 2^23, so one correction step.
  if (top < (int64_t{1} << 23)) return RateLanes::kFloat;
  if (top < (int64_t{1} << 31)) return RateLanes::kDouble;
  return RateLanes::kNone;
}

namespace {

// RoundingDivider in 32-bit lanes: an estimate of (|num| + T/2) / T in Real, corrected to the exact
// floor, with the numerator's sign; then clamp_to the weight range.
template <class Real>
inline void rate_update_lanes_impl(int32_t* __restrict row, const int32_t* __restrict drive,
                                   const uint8_t* __restrict active, int n, int32_t nx, int32_t timesteps,
                                   int32_t w_min, int32_t w_max) {
  const Real inverse = Real{1} / static_cast<Real>(timesteps);
  const int32_t half = timesteps / 2;
  for (int j = 0; j < n; ++j) {
    const int32_t num = nx * drive[j];
    const int32_t a = (num < 0 ? -num : num) + half;
    int32_t q = static_cast<int32_t>(static_cast<Real>(a) * inverse);
    q -= static_cast<int32_t>(q * timesteps > a);
    q += static_cast<int32_t>((q + 1) * timesteps <= a);
    const int32_t v = row[j] + (num < 0 ? -q : q);
    const int32_t clamped = v > w_max ? w_max : (v < w_min ? w_min : v);
    row[j] = active[j] ? clamped : row[j];
  }
}

}  // namespace

SSNN_HOT void rate_update_row(RateLanes lanes, int32_t* __restrict row, const int32_t* __restrict drive,
                              const uint8_t* __restrict active, int n, int32_t nx, int32_t timesteps, int32_t w_min,
                              int32_t w_max) {
  if (lanes == RateLanes::kFloat)
    rate_update_lanes_impl<float>(row, drive, active, n, nx, timesteps, w_min, w_max);
  else
    rate_update_lanes_impl<double>(row, drive, active, n, nx, timesteps, w_min, w_max);
}

}  // namespace ssnn::kernels
