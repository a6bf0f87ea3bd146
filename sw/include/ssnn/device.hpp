// Resistive cross-point device model: the rules both levels call (pure functions of their inputs).
//
// A device is described relative to the nominal pulse (the weight change one coincidence is meant
// to make, `dw` below, in weight LSBs) and to the register bounds, in the terms of IBM aihwkit's
// pulsed devices (ConstantStep / SoftBounds; docs/devices.md lists every preset with its source):
//
//   per device, drawn once from the master seed (device-to-device variation):
//     step factor  s_ij = 1 + dw_min_dtod * xi              (xi standard normal; floored at 0)
//     asymmetry    b_ij = up_down + up_down_dtod * xi
//     up step      dw_up   = dw * s_ij * (1 + b_ij),  down step  dw_down = dw * s_ij * (1 - b_ij)
//     bounds       w_max_ij = w_max * (1 + w_bound_dtod * xi),  w_min_ij likewise (own xi)
//     stuck        with probability stuck_fraction the device is stuck, at its upper or lower bound
//                  with equal probability: it never moves.
//   per pulse:     the step scaled by the state (slope_up / slope_down below; 1 and 1 are aihwkit's
//                  soft bounds), times (1 + dw_min_std * xi) (cycle-to-cycle), rounded to whole
//                  states, then the weight clamped to [w_min_ij, w_max_ij].
//   per read:      each tile line's integrated sum gets additive noise of std read_noise * w_max
//                  (aihwkit IOParameters.out_noise, relative to the weight range), forward and
//                  transposed alike.
//
// Every random number is a counter-based draw, a function of (seed, what, layer, row, column[,
// step]) only, so the golden model and the chip (whose tiles apply pulses in another order) get the
// same value. The Gaussian is the Irwin-Hall sum of four 16-bit uniforms scaled to unit variance
// (tails cut at +-3.46 sigma): integer arithmetic up to one final multiply, identical everywhere.
// Factors are kept in Q16 fixed point, so the per-pulse arithmetic is integer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ssnn/contract/fixed_point.hpp"
#include "ssnn/contract/seeding.hpp"

namespace ssnn {

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
  int states = 0;             // finite states over the weight range (0: every register value)

  bool ideal() const {
    return dw_min_dtod == 0 && dw_min_std == 0 && up_down == 0 && up_down_dtod == 0 && w_bound_dtod == 0 &&
           slope_up == 0 && slope_down == 0 && read_noise == 0 && stuck_fraction == 0 && states == 0;
  }
};

// A named parameter set and where each value comes from.
struct DevicePreset {
  std::string name;
  std::string summary;
  DeviceParams params;
  std::vector<std::pair<std::string, std::string>> sources;  // parameter -> source (paper, table, value)
};

const std::vector<DevicePreset>& device_presets();
const DevicePreset* find_device_preset(const std::string& name);  // nullptr if unknown

// What a counter-based draw is for (keeps the streams of different effects apart).
enum class DeviceDraw : uint32_t { kStep = 1, kAsymmetry, kBoundUp, kBoundDown, kStuck, kStuckSide, kPulse, kRead };

constexpr uint64_t device_hash(uint64_t seed, DeviceDraw what, uint32_t layer, uint32_t row, uint32_t col,
                               uint32_t step = 0) {
  uint64_t h = splitmix64(seed ^ (0xd1b54a32d192ed03ULL * (static_cast<uint64_t>(what) + 1)));
  h = splitmix64(h ^ ((uint64_t{layer} << 32) | step));
  return splitmix64(h ^ ((uint64_t{row} << 32) | col));
}

// Standard-normal-like draw in Q16 (unit variance, |z| <= 3.46): Irwin-Hall of four 16-bit uniforms.
constexpr int32_t gaussian_q16(uint64_t h) {
  int64_t sum = 0;
  for (int k = 0; k < 4; ++k) sum += static_cast<int64_t>((h >> (16 * k)) & 0xffff);
  // sum has mean 4 x 32767.5 and variance 4 x (65536^2 - 1) / 12; centre, then scale by sqrt(3)/65536 x 65536.
  const int64_t centred2 = 2 * sum - 4 * 65535;  // 2 x (sum - mean), an integer
  // z = (sum - mean) / sqrt(4 (65536^2 - 1) / 12) ~= (sum - mean) x sqrt(3) / 65536; in Q16: (sum - mean) x sqrt(3).
  // sqrt(3) in Q16 is 113512; halve for centred2.
  return static_cast<int32_t>((centred2 * 113512) / (2 * 65536));
}

// The per-device constants of one cross-point.
struct DeviceCell {
  int32_t up_q16 = 65536;    // up step factor (step x asymmetry), Q16
  int32_t down_q16 = 65536;  // down step factor, Q16
  int32_t w_min = 0;         // the device's own bounds, in LSBs
  int32_t w_max = 0;
  int8_t stuck = 0;          // 0 free, +1 stuck at w_max, -1 stuck at w_min
};

// Draws cross-point (row, col) of weight layer `layer` from the master seed; `w_min`/`w_max` are the
// register (or finite-state) bounds. Pure: the same inputs give the same cell at every level.
DeviceCell draw_device(const DeviceParams& p, uint64_t seed, int layer, int row, int col, int32_t w_min, int32_t w_max);

// One coincidence pulse of nominal size `dw` LSBs, up or down, on a device at weight w. `step` is
// the timestep (the cycle-to-cycle draw's counter). Returns the new weight.
// `quantum` is the LSBs per state (1 without finite states): the change is a whole number of states.
int32_t device_pulse(const DeviceParams& p, const DeviceCell& d, uint64_t seed, int layer, int row, int col,
                     uint32_t step, int32_t w, int32_t dw, bool up, int32_t quantum = 1);

// Additive read noise of one tile line's integrated sum (forward: column `line`; transposed: row
// `line`), in LSBs; 0 when read_noise is 0.
int32_t read_noise_lsb(const DeviceParams& p, uint64_t sample_key, int layer, int line, bool transposed, uint32_t step,
                       int32_t w_max);

}  // namespace ssnn
