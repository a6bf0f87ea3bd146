// Device presets and the per-device / per-pulse / per-read rules of ssnn/device.hpp.
#include "ssnn/device.hpp"

#include <algorithm>
#include <cmath>

namespace ssnn {

namespace {

int64_t q16(double x) { return std::llround(x * 65536.0); }

// num / den rounded to nearest, halves away from zero (den != 0).
int64_t div_round(int64_t num, int64_t den) {
  if (den < 0) return div_round(-num, -den);
  return num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den);
}

int32_t z_q16(uint64_t seed, DeviceDraw what, int layer, int row, int col, uint32_t step = 0) {
  return gaussian_q16(device_hash(seed, what, static_cast<uint32_t>(layer), static_cast<uint32_t>(row),
                                  static_cast<uint32_t>(col), step));
}

// Uniform in [0, 1) from the top 53 bits.
double uniform(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

const char* kAihwkit = "IBM aihwkit, src/aihwkit/simulator/presets/devices.py";

}  // namespace

const std::vector<DevicePreset>& device_presets() {
  static const std::vector<DevicePreset> presets = [] {
    std::vector<DevicePreset> v;
    v.push_back({"ideal", "no non-ideality: the register's own states, exact symmetric pulses, no noise", DeviceParams{},
                 {{"all", "the ideal digital device of the SSNN-BP algorithm"}}});
    {
      DeviceParams p;
      p.states = 1201;
      p.dw_min_dtod = 0.3;
      p.dw_min_std = 0.3;
      p.up_down = 0.0;
      p.up_down_dtod = 0.01;
      p.w_bound_dtod = 0.3;
      p.read_noise = 0.1;
      v.push_back({"rpu-spec",
                   "the RPU device specification of Gokmen and Vlasov (Front. Neurosci. 10:333, 2016) as IBM aihwkit "
                   "encodes it (its default pulsed device is that tile model)",
                   p,
                   {{"states", "aihwkit PulsedDevice defaults dw_min = 0.001 over w_min..w_max = -0.6..0.6: 1200 steps, "
                               "1201 states (aihwkit GokmenVlasovPresetDevice: 'to keep 1200 states')"},
                    {"dw_min_dtod", "aihwkit PulsedDevice default dw_min_dtod = 0.3"},
                    {"dw_min_std", "aihwkit PulsedDevice default dw_min_std = 0.3"},
                    {"up_down", "aihwkit PulsedDevice default up_down = 0.0"},
                    {"up_down_dtod", "aihwkit PulsedDevice default up_down_dtod = 0.01"},
                    {"w_bound_dtod", "aihwkit PulsedDevice defaults w_max_dtod = w_min_dtod = 0.3"},
                    {"read_noise", "aihwkit IOParameters default out_noise = 0.06 at w_max = 0.6: 0.1 of w_max"},
                    {"source", "aihwkit src/aihwkit/simulator/configs/devices.py and parameters/io.py; the tile docstring "
                               "of aihwkit's first release names Gokmen and Vlasov 2016 as its basic model"}}});
    }
    {
      DeviceParams p;
      p.states = 1001;
      p.dw_min_dtod = 0.3;
      p.dw_min_std = 3.75;
      p.up_down_dtod = 0.01;
      p.w_bound_dtod = 0.3;
      p.slope_up = 1.0;
      p.slope_down = 1.0;
      p.read_noise = 0.1;
      v.push_back({"reram",
                   "a filamentary ReRAM-like device with soft bounds and large cycle-to-cycle noise: aihwkit "
                   "ReRamSBPresetDevice (fit to Gong et al., Nat. Commun. 9, 2018)",
                   p,
                   {{"states", std::string(kAihwkit) + ", ReRamSBPresetDevice dw_min = 0.002 over a range of 2: 1000 steps"},
                    {"slope_up/slope_down", "same preset: SoftBoundsReferenceDevice (soft bounds)"},
                    {"dw_min_dtod", "same preset: dw_min_dtod = 0.3"},
                    {"dw_min_std", "same preset: dw_min_std = 3.75 (additive, mult_noise False)"},
                    {"up_down_dtod", "same preset: up_down_dtod = 0.01"},
                    {"w_bound_dtod", "same preset: w_max_dtod = 0.3 / 1.25, w_min_dtod = 0.3 / 0.75; 0.3 of the range here"},
                    {"read_noise", "aihwkit PresetIOParameters out_noise = 0.1 at w_max = 1"}}});
    }
    {
      DeviceParams p;
      p.states = 1001;
      p.dw_min_dtod = 0.1;
      p.dw_min_std = 0.3;
      p.up_down_dtod = 0.01;
      p.w_bound_dtod = 0.05;
      p.slope_up = 0.1153;
      p.slope_down = 0.5085;
      p.read_noise = 0.1;
      v.push_back({"ecram",
                   "a Li-ion WO3 ECRAM-like device, near-linear with asymmetric state dependence: aihwkit "
                   "EcRamPresetDevice (fit to Tang et al., IEDM 2018)",
                   p,
                   {{"states", std::string(kAihwkit) + ", EcRamPresetDevice dw_min = 0.002 over a range of 2: 1000 steps"},
                    {"slope_up/slope_down", "same preset: LinearStepDevice gamma_up = 0.1153, gamma_down = 0.5085"},
                    {"dw_min_dtod", "same preset: dw_min_dtod = 0.1"},
                    {"dw_min_std", "same preset: dw_min_std = 0.3"},
                    {"up_down_dtod", "same preset: up_down_dtod = 0.01"},
                    {"w_bound_dtod", "same preset: w_max_dtod = w_min_dtod = 0.05"},
                    {"read_noise", "aihwkit PresetIOParameters out_noise = 0.1 at w_max = 1"}}});
    }
    {
      DeviceParams p;
      p.states = 201;
      p.dw_min_dtod = 0.2;
      p.dw_min_std = 0.6;
      p.up_down_dtod = 0.05;
      p.w_bound_dtod = 0.1;
      p.slope_up = 1.0;
      p.slope_down = 1.0;
      p.read_noise = 0.1;
      v.push_back({"pcm",
                   "a GST phase-change-like device with few states, saturating steps and large cycle-to-cycle noise: "
                   "aihwkit PCMPresetDevice (fit to Nandakumar et al., Front. Neurosci. 2020), as one bidirectional "
                   "device (aihwkit uses a pair of one-sided devices with refresh)",
                   p,
                   {{"states", std::string(kAihwkit) + ", PCMPresetDevice dw_min = 0.01 over a range of 2: 200 steps"},
                    {"slope_up/slope_down", "same preset: ExpStepDevice saturation (gamma 2.5), approximated by soft bounds"},
                    {"dw_min_dtod", "same preset: dw_min_dtod = 0.2"},
                    {"dw_min_std", "same preset: dw_min_std = 0.6"},
                    {"up_down_dtod", "same preset: up_down_dtod = 0.05"},
                    {"w_bound_dtod", "same preset: w_max_dtod = 0.1"},
                    {"read_noise", "aihwkit PresetIOParameters out_noise = 0.1 at w_max = 1"}}});
    }
    return v;
  }();
  return presets;
}

const DevicePreset* find_device_preset(const std::string& name) {
  for (const DevicePreset& p : device_presets())
    if (p.name == name) return &p;
  return nullptr;
}

DeviceCell draw_device(const DeviceParams& p, uint64_t seed, int layer, int row, int col, int32_t w_min, int32_t w_max) {
  DeviceCell d;
  const int64_t step = 65536 + div_round(q16(p.dw_min_dtod) * z_q16(seed, DeviceDraw::kStep, layer, row, col), 65536);
  const int64_t asym = q16(p.up_down) + div_round(q16(p.up_down_dtod) * z_q16(seed, DeviceDraw::kAsymmetry, layer, row, col), 65536);
  const int64_t s = std::max<int64_t>(0, step);
  d.up_q16 = static_cast<int32_t>(std::clamp<int64_t>(div_round(s * (65536 + asym), 65536), 0, int64_t{1} << 30));
  d.down_q16 = static_cast<int32_t>(std::clamp<int64_t>(div_round(s * (65536 - asym), 65536), 0, int64_t{1} << 30));
  // Bounds vary around the register's; they cannot leave it, and keep at least one LSB each side of 0.
  auto bound = [&](int32_t b, DeviceDraw what) {
    const int64_t v = b + div_round(int64_t{b} * div_round(q16(p.w_bound_dtod) * z_q16(seed, what, layer, row, col), 65536), 65536);
    return static_cast<int32_t>(b > 0 ? std::clamp<int64_t>(v, 1, b) : std::clamp<int64_t>(v, b, -1));
  };
  d.w_max = bound(w_max, DeviceDraw::kBoundUp);
  d.w_min = bound(w_min, DeviceDraw::kBoundDown);
  if (p.stuck_fraction > 0 &&
      uniform(device_hash(seed, DeviceDraw::kStuck, static_cast<uint32_t>(layer), static_cast<uint32_t>(row),
                          static_cast<uint32_t>(col))) < p.stuck_fraction) {
    d.stuck = (device_hash(seed, DeviceDraw::kStuckSide, static_cast<uint32_t>(layer), static_cast<uint32_t>(row),
                           static_cast<uint32_t>(col)) & 1) != 0 ? 1 : -1;
  }
  return d;
}

int32_t device_pulse(const DeviceParams& p, const DeviceCell& d, uint64_t seed, int layer, int row, int col,
                     uint32_t step, int32_t w, int32_t dw, bool up, int32_t quantum) {
  if (d.stuck != 0) return d.stuck > 0 ? d.w_max : d.w_min;
  int64_t f = up ? d.up_q16 : d.down_q16;
  const double slope = up ? p.slope_up : p.slope_down;
  if (slope != 0) {
    const int32_t bound = up ? d.w_max : d.w_min;  // same sign as the direction of travel
    const int64_t state = 65536 - div_round(q16(slope) * w, bound);
    f = div_round(f * std::max<int64_t>(0, state), 65536);
  }
  if (p.dw_min_std != 0)
    f = div_round(f * (65536 + div_round(q16(p.dw_min_std) * z_q16(seed, DeviceDraw::kPulse, layer, row, col, step), 65536)), 65536);
  const int64_t q = std::max(1, quantum);
  const int64_t delta = div_round(div_round(int64_t{dw} * f, 65536), q) * q;
  const int64_t next = up ? int64_t{w} + delta : int64_t{w} - delta;
  return static_cast<int32_t>(std::clamp<int64_t>(next, d.w_min, d.w_max));
}

int32_t read_noise_lsb(const DeviceParams& p, uint64_t sample_key, int layer, int line, bool transposed, uint32_t step,
                       int32_t w_max) {
  if (p.read_noise == 0) return 0;
  const int32_t z = z_q16(sample_key, DeviceDraw::kRead, layer, transposed ? 1 : 0, line, step);
  return static_cast<int32_t>(div_round(div_round(q16(p.read_noise) * w_max, 65536) * z, 65536));
}

}  // namespace ssnn
