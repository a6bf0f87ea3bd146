// The golden model's vectorised kernels against the plain loops and contract rules they replace,
// on random inputs that reach the edges (saturation, rounding halves, tails shorter than a vector).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "ssnn/contract/encoder.hpp"
#include "ssnn/golden_kernels.hpp"
#include "ssnn/contract/lfsr.hpp"
#include "ssnn/contract/synapse.hpp"

namespace ssnn {
namespace {

TEST(GoldenKernels, SumRowsEqualsRowByRowSum) {
  std::mt19937 rng(7);
  for (int width : {1, 7, 8, 10, 63, 64, 65, 130, 1280}) {
    const int rows = 50;
    std::vector<int32_t> w(static_cast<size_t>(rows) * static_cast<size_t>(width) + 64);
    for (int32_t& v : w) v = static_cast<int32_t>(rng() % 65536) - 32768;
    for (size_t n : {size_t{0}, size_t{1}, size_t{3}, size_t{40}}) {
      std::vector<int> picked;
      for (size_t k = 0; k < n; ++k) picked.push_back(static_cast<int>(rng() % rows));  // repeats allowed
      std::vector<int32_t> expect(static_cast<size_t>(width), 0), got(static_cast<size_t>(width), -1);
      for (int r : picked)
        for (int j = 0; j < width; ++j)
          expect[static_cast<size_t>(j)] += w[static_cast<size_t>(r) * static_cast<size_t>(width) + static_cast<size_t>(j)];
      kernels::sum_rows(got.data(), w.data(), static_cast<size_t>(width), picked.data(), picked.size(), width);
      EXPECT_EQ(got, expect) << "width " << width << ", " << n << " rows";
      // The 16-bit copy of the same weights gives the same sums.
      const std::vector<int16_t> narrow(w.begin(), w.end());
      std::fill(got.begin(), got.end(), -1);
      kernels::sum_rows(got.data(), narrow.data(), static_cast<size_t>(width), picked.data(), picked.size(), width,
                        32768);
      EXPECT_EQ(got, expect) << "16-bit weights, width " << width << ", " << n << " rows";
    }
  }
}

// With a bound on the weights' magnitude, the 16-bit copy sums blocks of rows in 16-bit lanes: every
// block must stay exact, from blocks of two rows (bound 16383) to one block of every row (small
// bounds), with weights at the bound and sums of a block at +-32767.
TEST(GoldenKernels, SumRowsIn16BitBlocksEqualsRowByRowSum) {
  std::mt19937 rng(11);
  for (int32_t bound : {0, 1, 5, 100, 1433, 4095, 10922, 16383, 16384, 32767}) {
    for (int width : {16, 64, 80, 1280}) {
      const int rows = 60;
      std::vector<int16_t> w(static_cast<size_t>(rows) * static_cast<size_t>(width));
      for (size_t k = 0; k < w.size(); ++k) {
        // A third of the weights at +-bound, so blocks reach their largest sums.
        const int32_t v = k % 3 == 0 ? (k % 2 ? bound : -bound)
                                     : static_cast<int32_t>(rng() % static_cast<uint32_t>(2 * bound + 1)) - bound;
        w[k] = static_cast<int16_t>(v);
      }
      // Row 1 all +bound, row 2 all -bound: picked alone, every block sums to its largest magnitude.
      std::fill_n(w.begin() + width, width, static_cast<int16_t>(bound));
      std::fill_n(w.begin() + 2 * width, width, static_cast<int16_t>(-bound));
      for (size_t n : {size_t{0}, size_t{1}, size_t{2}, size_t{3}, size_t{17}, size_t{40}, size_t{200}}) {
        for (int only : {0, 1, 2}) {  // random rows, or only row 1, or only row 2
          std::vector<int> picked;
          for (size_t k = 0; k < n; ++k) picked.push_back(only > 0 ? only : static_cast<int>(rng() % rows));
          std::vector<int32_t> expect(static_cast<size_t>(width), 0), got(static_cast<size_t>(width), -1);
          for (int r : picked)
            for (int j = 0; j < width; ++j)
              expect[static_cast<size_t>(j)] += w[static_cast<size_t>(r) * static_cast<size_t>(width) + static_cast<size_t>(j)];
          kernels::sum_rows(got.data(), w.data(), static_cast<size_t>(width), picked.data(), picked.size(), width, bound);
          ASSERT_EQ(got, expect) << "bound " << bound << ", width " << width << ", " << n << " rows";
        }
      }
    }
  }
}

// Copying a row between 32 and 16 bits returns its largest magnitude, the bound sum_rows takes.
TEST(GoldenKernels, RowCopiesReturnTheLargestMagnitude) {
  const std::vector<int32_t> w{3, -7, 2, -32768, 5, 32767};
  std::vector<int16_t> narrow(w.size(), 0);
  std::vector<int32_t> wide(w.size(), 0);
  EXPECT_EQ(kernels::narrow_row(narrow.data(), w.data(), 0), 0);
  EXPECT_EQ(kernels::narrow_row(narrow.data(), w.data(), 3), 7);
  EXPECT_EQ(kernels::narrow_row(narrow.data(), w.data(), 6), 32768);
  EXPECT_EQ(kernels::widen_row(wide.data(), narrow.data(), 3), 7);
  EXPECT_EQ(kernels::widen_row(wide.data(), narrow.data() + 4, 2), 32767);
  EXPECT_EQ(kernels::widen_row(wide.data(), narrow.data(), 6), 32768);
  EXPECT_EQ(wide, w);
}

// Weight rows and sums start wherever the layer puts them (a row of 10 weights starts 40 bytes after
// the last): the kernels must not assume vector alignment (clang once emitted aligned SSE operands).
TEST(GoldenKernels, SumRowsAtEveryAlignment) {
  std::mt19937 rng(5);
  const int width = 24, rows = 9;
  std::vector<int32_t> w(static_cast<size_t>(rows * width) + 16), out(static_cast<size_t>(width) + 16);
  for (int32_t& v : w) v = static_cast<int32_t>(rng() % 2001) - 1000;
  const std::vector<int> picked{0, 3, 8, 3};
  for (size_t shift = 0; shift < 8; ++shift) {
    const int32_t* base = w.data() + shift;
    int32_t* sum = out.data() + (7 - shift);
    kernels::sum_rows(sum, base, static_cast<size_t>(width), picked.data(), picked.size(), width);
    for (int j = 0; j < width; ++j) {
      int32_t expect = 0;
      for (int r : picked) expect += base[static_cast<size_t>(r * width + j)];
      ASSERT_EQ(sum[j], expect) << "shift " << shift << ", column " << j;
    }
  }
}

TEST(GoldenKernels, ColumnsAndCopiesOf16BitWeightsEqualThe32BitOnes) {
  std::mt19937 rng(3);
  const int rows = 37, cols = 13;
  std::vector<int32_t> w(static_cast<size_t>(rows * cols));
  for (size_t k = 0; k < w.size(); ++k) w[k] = k % 7 == 0 ? (k % 2 ? 32767 : -32768) : static_cast<int32_t>(rng() % 65536) - 32768;
  std::vector<int16_t> narrow(w.size(), 0);
  kernels::narrow_row(narrow.data(), w.data(), static_cast<int>(w.size()));
  std::vector<int32_t> back(w.size(), 0);
  kernels::widen_row(back.data(), narrow.data(), static_cast<int>(w.size()));
  EXPECT_EQ(back, w);
  for (int32_t sign : {1, -1}) {
    for (int k : {0, 5, cols - 1}) {
      std::vector<int32_t> wide_acc(rows, 11), narrow_acc(rows, 11);
      kernels::add_column(wide_acc.data(), w.data() + k, cols, rows, sign);
      kernels::add_column(narrow_acc.data(), narrow.data() + k, cols, rows, sign);
      EXPECT_EQ(narrow_acc, wide_acc) << "column " << k << ", sign " << sign;
      for (int i = 0; i < rows; ++i)
        ASSERT_EQ(wide_acc[static_cast<size_t>(i)], 11 + sign * w[static_cast<size_t>(i * cols + k)]);
    }
  }
}

TEST(GoldenKernels, CollectFlagsListsSetFlagsInOrder) {
  std::mt19937 rng(11);
  for (int density : {0, 1, 10, 50, 100}) {
    for (int begin : {0, 3, 16}) {
      const int end = 1283;
      std::vector<uint8_t> flag(static_cast<size_t>(end));
      for (uint8_t& f : flag) f = static_cast<uint8_t>(static_cast<int>(rng() % 100) < density);
      std::vector<int> expect;
      for (int j = begin; j < end; ++j)
        if (flag[static_cast<size_t>(j)]) expect.push_back(j);
      std::vector<int> got(static_cast<size_t>(end - begin) + kernels::kCollectSlack, -1);
      got.resize(kernels::collect_flags(flag.data(), begin, end, got.data()));
      EXPECT_EQ(got, expect) << "density " << density << " %, begin " << begin;
    }
  }
}

TEST(GoldenKernels, EncodePixelsEqualsBernoulliDraws) {
  std::mt19937 rng(3);
  const int n = 157;
  std::vector<Lfsr> a(n), b(n);
  std::vector<uint8_t> pixel(n), fire(n);
  for (int k = 0; k < n; ++k) {
    a[static_cast<size_t>(k)].load(static_cast<uint32_t>(rng()));
    b[static_cast<size_t>(k)] = a[static_cast<size_t>(k)];
    pixel[static_cast<size_t>(k)] = static_cast<uint8_t>(k % 3 == 0 ? 255 : rng() % 256);
  }
  for (uint32_t ramp : {0u, 1000u, 30000u, 65536u, 131072u}) {
    kernels::encode_pixels(a.data(), pixel.data(), n, ramp, fire.data());
    for (int k = 0; k < n; ++k) {
      const auto u = static_cast<size_t>(k);
      EXPECT_EQ(fire[u] != 0, bernoulli(b[u], pixel_prob_q16(pixel[u], ramp))) << "pixel " << k << ", ramp " << ramp;
      EXPECT_EQ(a[u].state, b[u].state);
    }
  }
}

TEST(GoldenKernels, PulseRowDenseEqualsCoincidenceUpdates) {
  std::mt19937 rng(9);
  SynapseParams syn;
  syn.w_min = signed_min(16);
  syn.w_max = signed_max(16);
  syn.pulse_up = 5;
  syn.pulse_down = 7;
  const int n = 1283;
  std::vector<int32_t> step(n, 0), row(n), expect(n);
  std::vector<uint8_t> hit(n, 0);
  for (int j = 0; j < n; ++j) {
    const auto u = static_cast<size_t>(j);
    row[u] = j % 11 == 0 ? syn.w_max - 2 : (j % 13 == 0 ? syn.w_min + 3 : static_cast<int32_t>(rng() % 65536) - 32768);
    const unsigned pick = rng() % 4;  // none, up, down, none
    expect[u] = row[u];
    if (pick == 1) {
      step[u] = syn.pulse_up;
      hit[u] = 1;
      expect[u] = coincidence_update(syn, row[u], true, true, false);
    } else if (pick == 2) {
      step[u] = -syn.pulse_down;
      hit[u] = 1;
      expect[u] = coincidence_update(syn, row[u], true, false, true);
    }
  }
  std::vector<int16_t> narrow(row.begin(), row.end());
  kernels::pulse_row_dense(row.data(), step.data(), hit.data(), n, syn.w_min, syn.w_max);
  EXPECT_EQ(row, expect);
  kernels::pulse_row_dense(narrow.data(), step.data(), hit.data(), n, syn.w_min, syn.w_max);
  EXPECT_EQ(std::vector<int32_t>(narrow.begin(), narrow.end()), expect) << "16-bit weights";
}

// On 16-bit weights the pulse itself may exceed 16 bits (synapse_params caps it at 2^17 for a
// 16-bit register): the sum is formed in 32 bits and clamped, never wrapped.
TEST(GoldenKernels, PulseRowDenseOn16BitWeightsTakesPulsesBeyond16Bits) {
  SynapseParams syn;
  syn.w_min = signed_min(16);
  syn.w_max = signed_max(16);
  syn.pulse_up = 1 << 17;
  syn.pulse_down = 40000;
  const int n = 67;
  std::vector<int32_t> step(n), expect(n);
  std::vector<int16_t> row(n);
  std::vector<uint8_t> hit(n, 1);
  for (int j = 0; j < n; ++j) {
    const auto u = static_cast<size_t>(j);
    row[u] = static_cast<int16_t>(j * 977 - 32768);
    const bool up = j % 2 == 0;
    step[u] = up ? syn.pulse_up : -syn.pulse_down;
    expect[u] = coincidence_update(syn, row[u], true, up, !up);
  }
  kernels::pulse_row_dense(row.data(), step.data(), hit.data(), n, syn.w_min, syn.w_max);
  EXPECT_EQ(std::vector<int32_t>(row.begin(), row.end()), expect);
}

// Every lane width the kernel picks gives ssnn::rate_update exactly, including the halves that
// round away from zero and the clamp at both bounds.
TEST(GoldenKernels, RateUpdateRowEqualsRateUpdate) {
  std::mt19937 rng(5);
  struct Case {
    int T;
    int32_t up, down;
  };
  for (const Case c : {Case{50, 16, 16}, Case{100, 1, 1}, Case{7, 3, 5}, Case{1, 1, 2}, Case{64, 4681, 4681},
                       Case{1000, 2000, 1000}}) {
    SynapseParams syn;
    syn.w_min = signed_min(16);
    syn.w_max = signed_max(16);
    syn.pulse_up = c.up;
    syn.pulse_down = c.down;
    const int n = 301;
    std::vector<int32_t> np(n), nn(n), drive(n);
    std::vector<uint8_t> active(n);
    int64_t max_drive = 0;
    for (int j = 0; j < n; ++j) {
      const auto u = static_cast<size_t>(j);
      const bool on = rng() % 3 != 0;
      np[u] = on ? static_cast<int32_t>(rng() % static_cast<unsigned>(c.T + 1)) : 0;
      nn[u] = on ? static_cast<int32_t>(rng() % static_cast<unsigned>(c.T + 1)) : 0;
      active[u] = static_cast<uint8_t>(np[u] != 0 || nn[u] != 0);
      const int64_t d = int64_t{c.up} * np[u] - int64_t{c.down} * nn[u];
      drive[u] = static_cast<int32_t>(d);
      max_drive = std::max(max_drive, d < 0 ? -d : d);
    }
    for (int32_t nx : {1, c.T / 2 + 1, c.T}) {
      const kernels::RateLanes lanes = kernels::rate_update_lanes(nx, max_drive, c.T);
      if (lanes == kernels::RateLanes::kNone) continue;
      std::vector<int32_t> row(n), expect(n);
      for (int j = 0; j < n; ++j) {
        const auto u = static_cast<size_t>(j);
        row[u] = j % 17 == 0 ? syn.w_max - static_cast<int32_t>(rng() % 3) : static_cast<int32_t>(rng() % 65536) - 32768;
        expect[u] = active[u] ? rate_update(syn, row[u], nx, np[u], nn[u], c.T) : row[u];
      }
      kernels::rate_update_row(lanes, row.data(), drive.data(), active.data(), n, nx, c.T, syn.w_min, syn.w_max);
      EXPECT_EQ(row, expect) << "T " << c.T << ", nx " << nx << ", lanes " << static_cast<int>(lanes);
    }
  }
  // Lane widths: single precision below 2^23, double below 2^31, none beyond.
  EXPECT_EQ(kernels::rate_update_lanes(50, 800, 50), kernels::RateLanes::kFloat);
  EXPECT_EQ(kernels::rate_update_lanes(1000, 400000, 1000), kernels::RateLanes::kDouble);
  EXPECT_EQ(kernels::rate_update_lanes(1000, 4000000000, 1000), kernels::RateLanes::kNone);
}

}  // namespace
}  // namespace ssnn
