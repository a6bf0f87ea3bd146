// The golden model's inner loops over neurons and weight rows, written so the compiler vectorises
// them (GCC vector extensions, no intrinsics).  Each one computes exactly what the plain scalar loop
// beside it in the comment computes; tb/unit/test_golden_kernels.cpp checks them against it.
//
// On x86-64 with GCC every kernel gets an AVX2 clone chosen at load time next to the baseline
// (SSE2) one, so the binary runs on any x86-64 and results never depend on the host CPU.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ssnn/contract/lfsr.hpp"
#include "ssnn/contract/neuron.hpp"
#include "ssnn/contract/synapse.hpp"

namespace ssnn::kernels {

// out[j] = sum over k < n of base[rows[k] * stride + j], for j < width (out is overwritten).
// The crossbar's forward read of n spiking rows, summed in registers a block of columns at a time,
// so each weight is loaded once and the sums are stored once.  The weights are 32-bit or, when their
// register is at most 16 bits wide, a 16-bit copy (half the memory traffic, the same sums).  For the
// copy, max_abs bounds the magnitude of every weight read (32768 when nothing tighter is known): below
// 16384, rows are summed in 16-bit lanes in blocks of 32767 / max_abs, exact as no block can overflow.
void sum_rows(int32_t* out, const int32_t* base, size_t stride, const int* rows, size_t n, int width);
void sum_rows(int32_t* out, const int16_t* base, size_t stride, const int* rows, size_t n, int width,
              int32_t max_abs);

// acc[j] += row[j], j < n: the forward read of one row.
void add_row(int32_t* acc, const int32_t* row, int n);

// acc[j] += sign * column[j * stride], j < n: the transposed read of one column.
void add_column(int32_t* acc, const int32_t* column, int stride, int n, int32_t sign);
void add_column(int32_t* acc, const int16_t* column, int stride, int n, int32_t sign);

// out[j] = in[j], j < n, between 32-bit weights and their 16-bit copy (narrowing: every in[j] must
// fit 16 bits).  Both return the largest |in[j]| (0 when n = 0), a bound for sum_rows.
int32_t narrow_row(int16_t* out, const int32_t* in, int n);
int32_t widen_row(int32_t* out, const int16_t* in, int n);

// Writes to out every j in [begin, end) with flag[j] != 0, ascending, and returns how many.  Flags
// are 0 or 1.  out must have room for end - begin + kCollectSlack entries: eight flags are turned
// into their indices at once, without a branch per flag, and some slots past the result are written.
constexpr size_t kCollectSlack = 8;
size_t collect_flags(const uint8_t* flag, int begin, int end, int* out);

// One step of the forward neurons j < n of a hidden layer (ssnn::forward_step on
// dropout_gate(acc[j], keep[j]), so a dropped neuron gets no input and never fires): charge and
// potential advance, flag[j] is the spike, count[j] counts it, gate_open[j] is gate_event.
void forward_layer(NeuronParams params, int n, const int32_t* acc, const uint8_t* keep, int32_t theta,
                   int32_t theta_gate, int32_t* charge, int32_t* potential, uint8_t* flag, uint8_t* gate_open,
                   int32_t* count);

// One step of the gradient neuron pairs j < n (ssnn::gradient_step on input[j] with gate_open[j]):
// state advances, pos_flag / neg_flag are the spikes, count_pos / count_neg count them.
void gradient_layer(NeuronParams params, int n, const int32_t* input, const uint8_t* gate_open, int32_t theta,
                    int32_t* charge, int32_t* pos, int32_t* neg, uint8_t* gate, uint8_t* pos_flag, uint8_t* neg_flag,
                    int32_t* count_pos, int32_t* count_neg);

// One step of n pixel encoders: lfsr[k] advances and fire[k] = its Bernoulli draw against
// pixel_prob_q16(pixel[k], ramp_q16) (ssnn::bernoulli).
void encode_pixels(Lfsr* lfsr, const uint8_t* pixel, int n, uint32_t ramp_q16, uint8_t* fire);

// One spiking row's coincidence pulses (ssnn::coincidence_update, no pulse noise) over the columns
// j < n at once: row[j] = clamp(row[j] + step[j], w_min, w_max) where hit[j], step[j] being
// +pulse_up or -pulse_down.  Weights stay within 2^30 and pulses within 2^30 (ModelConfig bounds
// them far lower), so the sum fits 32 bits.  Faster than visiting the columns one by one once more
// than about one column in eight has a gradient spike.
// The 16-bit form holds weights of a register at most 16 bits wide (w_min, w_max fit 16 bits).
void pulse_row_dense(int32_t* row, const int32_t* step, const uint8_t* hit, int n, int32_t w_min, int32_t w_max);
void pulse_row_dense(int16_t* row, const int32_t* step, const uint8_t* hit, int n, int32_t w_min, int32_t w_max);

// The rate update (ssnn::rate_update, eq. 9) of one weight row over every column j < n whose
// active[j] is set: row[j] = rate_update(syn, row[j], nx, n_pos[j], n_neg[j], T), where drive[j] is
// pulse_up * n_pos[j] - pulse_down * n_neg[j].  The rounding division runs in 32-bit lanes with a
// floating-point estimate corrected to the exact quotient, in single precision when every numerator
// nx * drive[j] (plus 2T) is below 2^23, in double below 2^31; beyond that the caller uses the scalar
// rule (rate_update_lanes says which).  Weights are within their 24-bit register.
enum class RateLanes { kNone, kFloat, kDouble };
RateLanes rate_update_lanes(int64_t max_nx, int64_t max_abs_drive, int32_t timesteps);
void rate_update_row(RateLanes lanes, int32_t* row, const int32_t* drive, const uint8_t* active, int n, int32_t nx,
                     int32_t timesteps, int32_t w_min, int32_t w_max);

}  // namespace ssnn::kernels
