// Resistive cross-point device model: the rules every level calls (pure functions of their inputs).
//
// A device is described relative to the nominal pulse (the weight change one coincidence is meant
// to make, `dw` below, in weight LSBs) and to the register bounds, in the terms of IBM aihwkit's
// pulsed devices (ConstantStep / LinearStep / SoftBounds; docs/devices.md lists every preset with
// its source):
//
//   per device, drawn once from the master seed (device-to-device variation):
//     step factor  s_ij = max(0, 1 + dw_min_dtod * xi)        (xi standard normal)
//     asymmetry    b_ij = up_down + up_down_dtod * xi
//     up step      dw_up   = dw * s_ij * (1 + b_ij),  down step  dw_down = dw * s_ij * (1 - b_ij)
//     bounds       w_max_ij = w_max * (1 + w_bound_dtod * xi),  w_min_ij likewise (own xi); they
//                  stay inside the register, on the state grid and at least one state from 0
//     stuck        with probability stuck_fraction the device is stuck, at its upper or lower bound
//                  with equal probability: it never moves.
//   per pulse:     the step scaled by the state (slope_up / slope_down below; 1 and 1 are aihwkit's
//                  soft bounds), times (1 + dw_min_std * xi) (cycle-to-cycle), rounded to whole
//                  states, then the weight clamped to [w_min_ij, w_max_ij].
//   per read:      each line's integrated sum (a neuron's input: a column of the forward read, a row
//                  of the transposed read, summed over the tiles that hold the line) gets additive
//                  noise of std read_noise * w_max (aihwkit IOParameters.out_noise, relative to the
//                  weight range), in every step in which the array was read.
//
// Every random number is a counter-based draw of the seeding rule (splitmix64): a function of
// (key, what, layer, step, row, column) only, so the golden model and the chip (whose tiles apply
// pulses in another order) get the same value.  Device constants come from the master seed; pulse
// and read draws from the sample's key.  The Gaussian is the Irwin-Hall sum of four 16-bit uniforms
// scaled to unit variance (tails cut at +-3.46 sigma).  Factors are Q16 fixed point, so everything
// after device_rule() is integer arithmetic, identical on every machine.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "ssnn/contract/fixed_point.hpp"
#include "ssnn/contract/seeding.hpp"
#include "ssnn/contract/synapse.hpp"

namespace ssnn {

// A device's parameters as a user gives them (finite states are ModelConfig::device_states).
struct DeviceParams {
  double dw_min_dtod = 0;     // device-to-device spread of the step size (relative std)
  double dw_min_std = 0;      // cycle-to-cycle spread of each step (relative std)
  double up_down = 0;         // global up/down asymmetry: up x (1 + up_down), down x (1 - up_down)
  double up_down_dtod = 0;    // device-to-device spread of the asymmetry (std)
  double w_bound_dtod = 0;    // device-to-device spread of the bounds (relative std)
  // State dependence (aihwkit LinearStepDevice's gamma): the up step is scaled by
  // (1 - slope_up * w / w_max_ij), the down step by (1 - slope_down * w / w_min_ij), floored at 0.
  // 0: constant steps; 1 and 1: soft bounds (aihwkit SoftBoundsDevice).
  double slope_up = 0;
  double slope_down = 0;
  double read_noise = 0;      // std of the additive noise on a line's integrated sum, x w_max
  double stuck_fraction = 0;  // fraction of devices stuck at a bound

  // No effect on pulses (the read noise aside): the weight register's own exact pulse.
  bool pulses_ideal() const {
    return dw_min_dtod == 0 && dw_min_std == 0 && up_down == 0 && up_down_dtod == 0 && w_bound_dtod == 0 &&
           slope_up == 0 && slope_down == 0 && stuck_fraction == 0;
  }
  bool ideal() const { return pulses_ideal() && read_noise == 0; }
  friend bool operator==(const DeviceParams& a, const DeviceParams& b) {
    return a.dw_min_dtod == b.dw_min_dtod && a.dw_min_std == b.dw_min_std && a.up_down == b.up_down &&
           a.up_down_dtod == b.up_down_dtod && a.w_bound_dtod == b.w_bound_dtod && a.slope_up == b.slope_up &&
           a.slope_down == b.slope_down && a.read_noise == b.read_noise && a.stuck_fraction == b.stuck_fraction;
  }
};

// The parameters in the integer form the rules use (Q16 factors), built once per run.
struct DeviceRule {
  int64_t dw_min_dtod = 0, dw_min_std = 0, up_down = 0, up_down_dtod = 0, w_bound_dtod = 0;  // Q16
  int64_t slope_up = 0, slope_down = 0;                                                     // Q16
  uint64_t stuck_below = 0;  // a device is stuck when the top 53 bits of its draw are below this
  int64_t read_std = 0;      // read noise std in LSBs, Q16
  bool pulses = false;       // some effect on pulses: the device model replaces the exact pulse
  bool reads = false;        // read noise on
};

namespace device_detail {
inline int64_t q16(double x) { return std::llround(x * 65536.0); }
// num / den rounded to nearest, halves away from zero (den != 0).
constexpr int64_t div_round(int64_t num, int64_t den) {
  if (den < 0) {
    num = -num;
    den = -den;
  }
  return num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den);
}
}  // namespace device_detail

// `w_max` is the weight range's upper bound (the read noise is relative to it).
inline DeviceRule device_rule(const DeviceParams& p, int32_t w_max) {
  using device_detail::q16;
  DeviceRule r;
  r.dw_min_dtod = q16(p.dw_min_dtod);
  r.dw_min_std = q16(p.dw_min_std);
  r.up_down = q16(p.up_down);
  r.up_down_dtod = q16(p.up_down_dtod);
  r.w_bound_dtod = q16(p.w_bound_dtod);
  r.slope_up = q16(p.slope_up);
  r.slope_down = q16(p.slope_down);
  r.stuck_below = static_cast<uint64_t>(std::llround(std::clamp(p.stuck_fraction, 0.0, 1.0) * 0x1.0p53));
  r.read_std = q16(p.read_noise * w_max);
  r.pulses = !p.pulses_ideal();
  r.reads = r.read_std != 0;
  return r;
}

// What a draw is for (keeps the streams of different effects apart).
enum class DeviceDraw : uint32_t {
  kStep = 1, kAsymmetry, kBoundUp, kBoundDown, kStuck, kStuckSide, kPulse, kReadForward, kReadTransposed
};

// The draws of one effect, layer and step share a line key; each cross-point (or line) then costs
// one more mix.  device_draw(device_line_key(k, what, l, t), row, col) is the draw of (row, col).
constexpr uint64_t device_line_key(uint64_t key, DeviceDraw what, uint32_t layer, uint32_t step = 0) {
  const uint64_t h = splitmix64(key ^ (0xd1b54a32d192ed03ULL * (static_cast<uint64_t>(what) + 1)));
  return splitmix64(h ^ ((uint64_t{layer} << 32) | step));
}
constexpr uint64_t device_draw(uint64_t line_key, uint32_t row, uint32_t col) {
  return splitmix64(line_key ^ ((uint64_t{row} << 32) | col));
}

// The key of the device constants: the master seed's init phase, stream kDeviceCells.
constexpr uint64_t device_cells_key(uint64_t master_seed) {
  return splitmix64(sample_key(master_seed, Phase::kInit, 0, 0) ^ (stream::kDeviceCells * 0xD1B54A32D192ED03ull));
}

// Standard-normal-like draw in Q16 (unit variance, |z| <= 3.46): Irwin-Hall of four 16-bit uniforms.
constexpr int32_t gaussian_q16(uint64_t h) {
  int64_t sum = 0;
  for (int k = 0; k < 4; ++k) sum += static_cast<int64_t>((h >> (16 * k)) & 0xffff);
  // z = (sum - mean) / sqrt(4 (65536^2 - 1) / 12) ~= (sum - mean) x sqrt(3) / 65536; in Q16
  // (sum - mean) x sqrt(3), with sqrt(3) in Q16 = 113512 and 2 (sum - mean) an integer.
  const int64_t centred2 = 2 * sum - 4 * 65535;
  return static_cast<int32_t>((centred2 * 113512) / (2 * 65536));
}

// The per-device constants of one cross-point (16 bytes: one cache line holds four).  A stuck
// device has both bounds at the value it is stuck at, so it holds nothing else.
struct DeviceCell {
  int32_t up_q16 = 65536;    // up step factor (step x asymmetry), Q16
  int32_t down_q16 = 65536;  // down step factor, Q16
  int32_t w_min = 0;         // the device's own bounds, in LSBs (w_min < 0 < w_max unless stuck)
  int32_t w_max = 0;
  constexpr bool stuck() const { return w_min == w_max; }
};

// The line keys of one weight layer's device constants.
struct DeviceCellKeys {
  uint64_t step, asymmetry, bound_up, bound_down, stuck, stuck_side;
};
constexpr DeviceCellKeys device_cell_keys(uint64_t cells_key, int layer) {
  const auto l = static_cast<uint32_t>(layer);
  return {device_line_key(cells_key, DeviceDraw::kStep, l),      device_line_key(cells_key, DeviceDraw::kAsymmetry, l),
          device_line_key(cells_key, DeviceDraw::kBoundUp, l),   device_line_key(cells_key, DeviceDraw::kBoundDown, l),
          device_line_key(cells_key, DeviceDraw::kStuck, l),     device_line_key(cells_key, DeviceDraw::kStuckSide, l)};
}

// Draws cross-point (row, col) of one weight layer; `w_min`/`w_max` are the weight range (register
// or finite-state grid), `quantum` the LSBs per state (1 without finite states).
constexpr DeviceCell draw_device(const DeviceRule& r, const DeviceCellKeys& k, int row, int col, int32_t w_min,
                                 int32_t w_max, int32_t quantum = 1) {
  using device_detail::div_round;
  const auto ur = static_cast<uint32_t>(row), uc = static_cast<uint32_t>(col);
  auto z = [&](uint64_t line_key) -> int64_t { return gaussian_q16(device_draw(line_key, ur, uc)); };
  DeviceCell d;
  const int64_t step = r.dw_min_dtod ? 65536 + div_round(r.dw_min_dtod * z(k.step), 65536) : 65536;
  const int64_t asym = r.up_down + (r.up_down_dtod ? div_round(r.up_down_dtod * z(k.asymmetry), 65536) : 0);
  const int64_t s = step > 0 ? step : 0;
  const int64_t cap = int64_t{1} << 30;
  const int64_t up = div_round(s * (65536 + asym), 65536), down = div_round(s * (65536 - asym), 65536);
  d.up_q16 = static_cast<int32_t>(up < 0 ? 0 : (up > cap ? cap : up));
  d.down_q16 = static_cast<int32_t>(down < 0 ? 0 : (down > cap ? cap : down));
  // Bounds vary around the range's; they cannot leave it, stay on the state grid (rounded toward 0)
  // and keep at least one state each side of 0.
  const int64_t q = quantum > 1 ? quantum : 1;
  auto bound = [&](int32_t b, uint64_t line_key) -> int32_t {
    if (!r.w_bound_dtod) return b;
    int64_t v = b + div_round(int64_t{b} * div_round(r.w_bound_dtod * z(line_key), 65536), 65536);
    v = v / q * q;
    return static_cast<int32_t>(b > 0 ? (v < q ? q : (v > b ? b : v)) : (v > -q ? -q : (v < b ? b : v)));
  };
  d.w_max = bound(w_max, k.bound_up);
  d.w_min = bound(w_min, k.bound_down);
  if (r.stuck_below != 0 && (device_draw(k.stuck, ur, uc) >> 11) < r.stuck_below) {
    if ((device_draw(k.stuck_side, ur, uc) & 1) != 0)
      d.w_min = d.w_max;  // stuck at its upper bound
    else
      d.w_max = d.w_min;
  }
  return d;
}

// The cells of rows row0.. x cols col0.. of one weight layer, row-major (a tile's, or a whole layer's).
inline std::vector<DeviceCell> draw_device_block(const DeviceRule& r, uint64_t cells_key, int layer, int row0, int rows,
                                                 int col0, int cols, int32_t w_min, int32_t w_max, int32_t quantum) {
  const DeviceCellKeys k = device_cell_keys(cells_key, layer);
  std::vector<DeviceCell> cells(static_cast<size_t>(rows) * static_cast<size_t>(cols));
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j)
      cells[static_cast<size_t>(i) * static_cast<size_t>(cols) + static_cast<size_t>(j)] =
          draw_device(r, k, row0 + i, col0 + j, w_min, w_max, quantum);
  return cells;
}

// The value a device can hold: w within its own bounds (a stuck device: the value it is stuck at).
constexpr int32_t device_hold(const DeviceCell& d, int32_t w) { return clamp_to(w, d.w_min, d.w_max); }

// The line key of the cycle-to-cycle draws of one sample's step in weight layer `layer`.
constexpr uint64_t device_pulse_key(uint64_t sample_key, int layer, uint32_t step) {
  return device_line_key(sample_key, DeviceDraw::kPulse, static_cast<uint32_t>(layer), step);
}

// One coincidence pulse of nominal size `dw` LSBs, up or down, on cross-point (row, col) at weight
// w; `pulse_key` is device_pulse_key() of the step.  Returns the new weight.  The change is a whole
// number of states: `per_state` divides by the LSBs of one state (RoundingDivider(1): no finite states).
inline int32_t device_pulse(const DeviceRule& r, const DeviceCell& d, uint64_t pulse_key, int row, int col, int32_t w,
                            int32_t dw, bool up, const RoundingDivider& per_state) {
  using device_detail::div_round;
  if (d.stuck()) return d.w_max;
  // |factor| is kept below 2^32 (65536 nominal steps), so dw x factor stays far from 64 bits.
  constexpr int64_t kCap = int64_t{1} << 32;
  constexpr int64_t kStateCap = int64_t{1} << 22;  // the state factor: at most 64 x
  auto capped = [](int64_t v) { return v > kCap ? kCap : (v < -kCap ? -kCap : v); };
  int64_t f = up ? d.up_q16 : d.down_q16;
  const int64_t slope = up ? r.slope_up : r.slope_down;
  if (slope != 0) {
    const int32_t bound = up ? d.w_max : d.w_min;  // same sign as the direction of travel
    const int64_t state = 65536 - div_round(slope * w, bound);
    f = capped(div_round(f * (state > 0 ? (state < kStateCap ? state : kStateCap) : 0), 65536));
  }
  if (r.dw_min_std != 0) {
    const int64_t z = gaussian_q16(device_draw(pulse_key, static_cast<uint32_t>(row), static_cast<uint32_t>(col)));
    f = capped(div_round(f * (65536 + div_round(r.dw_min_std * z, 65536)), 65536));
  }
  const int64_t lsb = div_round(int64_t{dw} * f, 65536);
  const int64_t delta = per_state.divisor == 1 ? lsb : per_state(lsb) * per_state.divisor;
  return clamp_to(up ? int64_t{w} + delta : int64_t{w} - delta, d.w_min, d.w_max);
}

// The line key of one sample's read noise at step `step`: forward reads of weight layer `layer`
// (into its columns) or transposed reads (into its rows).
constexpr uint64_t device_read_key(uint64_t sample_key, int layer, bool transposed, uint32_t step) {
  return device_line_key(sample_key, transposed ? DeviceDraw::kReadTransposed : DeviceDraw::kReadForward,
                         static_cast<uint32_t>(layer), step);
}

// Additive read noise of line `line`'s integrated sum, in LSBs (0 when read noise is off).
constexpr int32_t read_noise_lsb(const DeviceRule& r, uint64_t read_key, int line) {
  if (!r.reads) return 0;
  const int64_t z = gaussian_q16(device_draw(read_key, 0, static_cast<uint32_t>(line)));
  return static_cast<int32_t>(device_detail::div_round(r.read_std * z, int64_t{65536} * 65536));
}

}  // namespace ssnn
