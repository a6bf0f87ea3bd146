// Device model rules (ssnn/device.hpp): exact where deterministic, and each random effect's measured
// spread against its parameter within a few 1/sqrt(N).
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

#include "ssnn/device.hpp"

namespace ssnn {
namespace {

struct Moments {
  double mean = 0, std = 0;
};
Moments moments(const std::vector<double>& x) {
  Moments m;
  for (double v : x) m.mean += v;
  m.mean /= static_cast<double>(x.size());
  for (double v : x) m.std += (v - m.mean) * (v - m.mean);
  m.std = std::sqrt(m.std / static_cast<double>(x.size() - 1));
  return m;
}

constexpr int32_t kMax = 32767, kMin = -32767;

TEST(Device, GaussianDrawHasUnitVariance) {
  const int n = 200000;
  std::vector<double> z;
  for (int i = 0; i < n; ++i) z.push_back(gaussian_q16(splitmix64(static_cast<uint64_t>(i) + 17)) / 65536.0);
  const Moments m = moments(z);
  EXPECT_NEAR(m.mean, 0.0, 4.0 / std::sqrt(n));
  EXPECT_NEAR(m.std, 1.0, 4.0 / std::sqrt(n));
}

TEST(Device, IdealDeviceIsTheExactPulse) {
  const DeviceParams ideal;
  const DeviceCell d = draw_device(ideal, 7, 0, 3, 4, kMin, kMax);
  EXPECT_EQ(d.up_q16, 65536);
  EXPECT_EQ(d.down_q16, 65536);
  EXPECT_EQ(d.w_max, kMax);
  EXPECT_EQ(d.w_min, kMin);
  EXPECT_EQ(d.stuck, 0);
  EXPECT_EQ(device_pulse(ideal, d, 7, 0, 3, 4, 0, 100, 4, true), 104);
  EXPECT_EQ(device_pulse(ideal, d, 7, 0, 3, 4, 0, 100, 4, false), 96);
  EXPECT_EQ(device_pulse(ideal, d, 7, 0, 3, 4, 0, kMax - 1, 4, true), kMax);
  EXPECT_EQ(device_pulse(ideal, d, 7, 0, 3, 4, 0, kMin + 1, 4, false), kMin);
  EXPECT_EQ(read_noise_lsb(ideal, 1, 0, 5, false, 0, kMax), 0);
}

TEST(Device, DrawsArePureFunctionsOfTheirCoordinates) {
  const DeviceParams p = find_device_preset("rpu-spec")->params;
  const DeviceCell a = draw_device(p, 11, 1, 20, 30, kMin, kMax), b = draw_device(p, 11, 1, 20, 30, kMin, kMax);
  EXPECT_EQ(a.up_q16, b.up_q16);
  EXPECT_EQ(a.w_max, b.w_max);
  const DeviceCell c = draw_device(p, 12, 1, 20, 30, kMin, kMax);  // another master seed, another device
  EXPECT_TRUE(a.up_q16 != c.up_q16 || a.w_max != c.w_max);
  EXPECT_EQ(device_pulse(p, a, 11, 1, 20, 30, 5, 0, 1000, true), device_pulse(p, a, 11, 1, 20, 30, 5, 0, 1000, true));
}

TEST(Device, DeviceToDeviceSpreadsMatchTheirParameters) {
  DeviceParams p;
  p.dw_min_dtod = 0.3;
  p.up_down = 0.05;
  p.up_down_dtod = 0.02;
  p.w_bound_dtod = 0.2;
  const int n = 40000;
  std::vector<double> step, asym, wmax, wmin;
  for (int i = 0; i < n; ++i) {
    const DeviceCell d = draw_device(p, 3, 0, i / 200, i % 200, kMin, kMax);
    const double up = d.up_q16 / 65536.0, down = d.down_q16 / 65536.0;
    step.push_back((up + down) / 2);          // s_ij
    asym.push_back((up - down) / (up + down));  // b_ij
    wmax.push_back(d.w_max / static_cast<double>(kMax));
    wmin.push_back(d.w_min / static_cast<double>(kMin));
  }
  const double k = 4.0 / std::sqrt(n);
  const Moments s = moments(step), a = moments(asym);
  EXPECT_NEAR(s.mean, 1.0, k);
  EXPECT_NEAR(s.std, 0.3, 0.3 * k * 2);
  EXPECT_NEAR(a.mean, 0.05, 0.02 * k * 2);
  EXPECT_NEAR(a.std, 0.02, 0.02 * k * 2);
  // Bounds cannot leave the register: the spread is one-sided, so compare the lower half, which is
  // the normal's half: E|xi| over xi < 0 is sqrt(2/pi), so mean(1 - b | b < 1) = 0.2 sqrt(2/pi).
  for (const auto* v : {&wmax, &wmin}) {
    std::vector<double> below;
    for (double x : *v)
      if (x < 1.0) below.push_back(1.0 - x);
    EXPECT_NEAR(moments(below).mean, 0.2 * std::sqrt(2.0 / M_PI), 0.2 * k * 3);
  }
}

TEST(Device, CycleToCycleSpreadMatchesItsParameter) {
  DeviceParams p;
  p.dw_min_std = 0.3;
  const DeviceCell d = draw_device(p, 5, 0, 0, 0, kMin, kMax);
  const int n = 20000;
  const int32_t dw = 1000;  // large, so rounding to LSBs is negligible
  std::vector<double> rel;
  for (int t = 0; t < n; ++t) rel.push_back((device_pulse(p, d, 5, 0, 0, 0, static_cast<uint32_t>(t), 0, dw, true)) / double{dw});
  const Moments m = moments(rel);
  const double k = 4.0 / std::sqrt(n);
  EXPECT_NEAR(m.mean, 1.0, 0.3 * k);
  EXPECT_NEAR(m.std, 0.3, 0.3 * k * 2);
}

TEST(Device, SoftBoundsAndSlopesScaleTheStep) {
  DeviceParams p;
  p.slope_up = 1.0;
  p.slope_down = 0.5;
  const DeviceCell d = draw_device(p, 1, 0, 0, 0, -32768, 32768);  // w_max 2^15: exact halves
  EXPECT_EQ(device_pulse(p, d, 1, 0, 0, 0, 0, 0, 1024, true), 1024);            // full step at w = 0
  EXPECT_EQ(device_pulse(p, d, 1, 0, 0, 0, 0, 16384, 1024, true), 16384 + 512);  // half way up: half a step
  EXPECT_EQ(device_pulse(p, d, 1, 0, 0, 0, 0, 32768, 1024, true), 32768);        // at the bound: none
  // Down with slope 0.5 at w = -16384: (1 - 0.5 x 0.5) = 0.75 of the step.
  EXPECT_EQ(device_pulse(p, d, 1, 0, 0, 0, 0, -16384, 1024, false), -16384 - 768);
  // Down steps grow above 0 (toward the far bound): 1.25 x at w = +16384.
  EXPECT_EQ(device_pulse(p, d, 1, 0, 0, 0, 0, 16384, 1024, false), 16384 - 1280);
}

TEST(Device, FiniteStatesKeepWholeStates) {
  DeviceParams p;
  p.dw_min_dtod = 0.3;
  p.dw_min_std = 0.3;
  const int32_t q = 64;
  for (int i = 0; i < 500; ++i) {
    const DeviceCell d = draw_device(p, 9, 0, 0, i, -64 * 500, 64 * 500);
    const int32_t w = device_pulse(p, d, 9, 0, 0, i, 3, 640, 64, i % 2 == 0, q);
    EXPECT_EQ(w % q, 0) << i;
  }
}

TEST(Device, StuckFractionMatchesAndStuckDevicesStayAtTheirBound) {
  DeviceParams p;
  p.stuck_fraction = 0.1;
  const int n = 50000;
  int stuck = 0, high = 0;
  for (int i = 0; i < n; ++i) {
    const DeviceCell d = draw_device(p, 2, 0, i / 250, i % 250, kMin, kMax);
    if (d.stuck != 0) {
      ++stuck;
      high += d.stuck > 0;
      EXPECT_EQ(device_pulse(p, d, 2, 0, i / 250, i % 250, 0, 0, 100, d.stuck < 0), d.stuck > 0 ? kMax : kMin);
    }
  }
  EXPECT_NEAR(stuck / double{n}, 0.1, 4 * std::sqrt(0.1 * 0.9 / n));
  EXPECT_NEAR(high / double(stuck), 0.5, 4 * 0.5 / std::sqrt(stuck));
}

TEST(Device, ReadNoiseSpreadMatchesItsParameter) {
  DeviceParams p;
  p.read_noise = 0.05;
  const int n = 40000;
  std::vector<double> x;
  for (int i = 0; i < n; ++i) x.push_back(read_noise_lsb(p, 99, 0, i % 400, i % 2 == 1, static_cast<uint32_t>(i / 400), kMax));
  const Moments m = moments(x);
  const double sigma = 0.05 * kMax;
  EXPECT_NEAR(m.mean, 0.0, 4 * sigma / std::sqrt(n));
  EXPECT_NEAR(m.std, sigma, 4 * sigma / std::sqrt(n));
  // Forward and transposed reads of the same line and step are independent draws.
  EXPECT_NE(read_noise_lsb(p, 99, 0, 7, false, 3, kMax), read_noise_lsb(p, 99, 0, 7, true, 3, kMax));
}

TEST(Device, PresetsAreNamedOnceAndCiteEveryParameter) {
  std::set<std::string> names;
  for (const DevicePreset& pr : device_presets()) {
    EXPECT_TRUE(names.insert(pr.name).second) << pr.name;
    EXPECT_FALSE(pr.sources.empty()) << pr.name;
    EXPECT_EQ(find_device_preset(pr.name), &pr);
    auto cited = [&](const std::string& key) {
      for (const auto& [k, v] : pr.sources)
        if (k.find(key) != std::string::npos && !v.empty()) return true;
      return false;
    };
    const DeviceParams& q = pr.params;
    EXPECT_TRUE(!(q.states) || cited("states")) << pr.name << " states";
    EXPECT_TRUE(!(q.dw_min_dtod) || cited("dw_min_dtod")) << pr.name << " dw_min_dtod";
    EXPECT_TRUE(!(q.dw_min_std) || cited("dw_min_std")) << pr.name << " dw_min_std";
    EXPECT_TRUE(!(q.up_down_dtod) || cited("up_down_dtod")) << pr.name << " up_down_dtod";
    EXPECT_TRUE(!(q.w_bound_dtod) || cited("w_bound_dtod")) << pr.name << " w_bound_dtod";
    EXPECT_TRUE(!(q.slope_up || q.slope_down) || cited("slope")) << pr.name << " slope";
    EXPECT_TRUE(!(q.read_noise) || cited("read_noise")) << pr.name << " read_noise";
  }
  for (const char* n : {"ideal", "rpu-spec", "reram", "ecram", "pcm"}) EXPECT_NE(find_device_preset(n), nullptr) << n;
  EXPECT_TRUE(find_device_preset("ideal")->params.ideal());
  EXPECT_EQ(find_device_preset("nope"), nullptr);
}

}  // namespace
}  // namespace ssnn
