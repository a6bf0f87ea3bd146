// The random sources and the encoders: the xorshift32 LFSR, the seeding rule, the pixel and label
// spike trains and the dropout masks, both as pure functions and as the golden model uses them.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "ssnn/config.hpp"
#include "ssnn/contract/dropout.hpp"
#include "ssnn/contract/encoder.hpp"
#include "ssnn/contract/lfsr.hpp"
#include "ssnn/contract/seeding.hpp"
#include "ssnn/network.hpp"

using namespace ssnn;

namespace {

// Independent reference implementations (written from the documented formulas, not the headers).
uint32_t xorshift32_ref(uint32_t x) {
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return x;
}

uint64_t splitmix64_ref(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A linear map over GF(2)^32, as the images of the 32 basis vectors.
using Gf2Map = std::array<uint32_t, 32>;

uint32_t gf2_apply(const Gf2Map& m, uint32_t x) {
  uint32_t y = 0;
  for (int j = 0; j < 32; ++j)
    if ((x >> j) & 1u) y ^= m[static_cast<size_t>(j)];
  return y;
}

Gf2Map compose(const Gf2Map& a, const Gf2Map& b) {  // a after b
  Gf2Map c{};
  for (size_t j = 0; j < 32; ++j) c[j] = gf2_apply(a, b[j]);
  return c;
}

Gf2Map identity() {
  Gf2Map m{};
  for (size_t j = 0; j < 32; ++j) m[j] = 1u << j;
  return m;
}

Gf2Map power(Gf2Map m, uint64_t e) {
  Gf2Map r = identity();
  while (e) {
    if (e & 1u) r = compose(m, r);
    m = compose(m, m);
    e >>= 1;
  }
  return r;
}

// Counts the encoded input spikes (forward[0]) and label spikes of every step.
struct SpikeCounter : StepObserver {
  explicit SpikeCounter(int inputs, int T)
      : per_input(static_cast<size_t>(inputs), 0), per_step(static_cast<size_t>(T), std::vector<int64_t>(static_cast<size_t>(inputs), 0)) {}
  void on_step(const StepSpikes& s) override {
    for (int i : (*s.forward)[0]) {
      ++per_input[static_cast<size_t>(i)];
      ++per_step[static_cast<size_t>(s.t)][static_cast<size_t>(i)];
    }
    if (s.label_spike >= 0) ++label_spikes;
    ++steps;
  }
  std::vector<int64_t> per_input;
  std::vector<std::vector<int64_t>> per_step;
  int64_t label_spikes = 0;
  int64_t steps = 0;
};

// A tiny network whose inputs are the pixels under test.
ModelConfig encoder_config(int inputs, int T, InputProfile profile, double rate) {
  ModelConfig c;
  c.inputs = inputs;
  c.hidden = {4};
  c.classes = 2;
  c.timesteps = T;
  c.input_profile = profile;
  c.input_rate = rate;
  c.theta = 1024;
  c.theta_out = 1024;
  c.seed = 99;
  return c;
}

// Exact expected spike probability of a pixel at step t, from the Q0.16 arithmetic.
double step_prob(uint8_t pixel, double rate, int t, int T, InputProfile profile) {
  return pixel_prob_q16(pixel, input_ramp_q16(prob_to_q16(rate), t, T, profile)) / 65536.0;
}

}  // namespace

// ------------------------------------------------------------------------------ LFSR

TEST(Lfsr, KnownValuesFromSeedOne) {
  Lfsr lfsr(1);
  // Computed by hand: 1 ^ 1<<13 = 8193; 8193 >> 17 = 0; 8193 ^ 8193<<5 = 270369.
  EXPECT_EQ(lfsr.next(), 270369u);
  EXPECT_EQ(lfsr.next(), 67634689u);
  EXPECT_EQ(lfsr.next(), 2647435461u);
  EXPECT_EQ(lfsr.next(), 307599695u);
  EXPECT_EQ(lfsr.next(), 2398689233u);
  // And the reference implementation over a longer run, from several seeds.
  for (uint32_t seed : {1u, 2u, 0xDEADBEEFu, 0x80000000u, 0xFFFFFFFFu}) {
    Lfsr a(seed);
    uint32_t x = seed;
    for (int i = 0; i < 10000; ++i) {
      x = xorshift32_ref(x);
      ASSERT_EQ(a.next(), x) << "seed " << seed << " draw " << i;
      ASSERT_EQ(a.state, x);
    }
  }
}

TEST(Lfsr, ZeroSeedIsReplaced) {
  EXPECT_EQ(Lfsr(0).state, Lfsr::kZeroSeedReplacement);
  EXPECT_NE(Lfsr::kZeroSeedReplacement, 0u);
  Lfsr l(5);
  l.load(0);
  EXPECT_EQ(l.state, Lfsr::kZeroSeedReplacement);
  l.load(7);
  EXPECT_EQ(l.state, 7u);
  EXPECT_EQ(Lfsr().state, 1u);
  // Zero is a fixed point of the map: that is why it must never be loaded.
  EXPECT_EQ(Lfsr::next_state(0), 0u);
}

TEST(Lfsr, PeriodIsTwoToThe32MinusOne) {
  // next_state is linear over GF(2): check it, then prove the period from the map's matrix: M^(2^32-1)
  // is the identity and M^((2^32-1)/p) is not, for every prime p of 2^32-1 = 3*5*17*257*65537.
  Lfsr probe(12345);
  for (int i = 0; i < 1000; ++i) {
    const uint32_t x = probe.next();
    const uint32_t y = probe.next();
    ASSERT_EQ(Lfsr::next_state(x ^ y), Lfsr::next_state(x) ^ Lfsr::next_state(y));
  }
  Gf2Map m{};
  for (size_t j = 0; j < 32; ++j) m[j] = Lfsr::next_state(1u << j);
  const uint64_t period = 0xFFFFFFFFull;
  EXPECT_TRUE(power(m, period) == identity());
  for (uint64_t p : {3ull, 5ull, 17ull, 257ull, 65537ull}) EXPECT_FALSE(power(m, period / p) == identity()) << "p=" << p;
  // Empirically: the first 2^20 states from seed 1 are non-zero and do not return to the seed.
  Lfsr l(1);
  for (int i = 0; i < (1 << 20); ++i) {
    const uint32_t s = l.next();
    ASSERT_NE(s, 0u);
    ASSERT_NE(s, 1u) << "returned to the seed after " << i + 1 << " steps";
  }
  // Jumping by M^k equals k single steps.
  EXPECT_EQ(gf2_apply(power(m, 1u << 20), 1u), l.state);
}

TEST(Lfsr, BernoulliUsesTheUpper16Bits) {
  EXPECT_TRUE(bernoulli_from_state(0x0000FFFFu, 1));   // upper half 0 < 1
  EXPECT_FALSE(bernoulli_from_state(0x00010000u, 1));  // upper half 1
  EXPECT_FALSE(bernoulli_from_state(0u, 0));           // probability 0 never fires
  EXPECT_TRUE(bernoulli_from_state(0xFFFFFFFFu, kProbOne));  // probability 1 always fires
  EXPECT_FALSE(bernoulli_from_state(0xFFFFFFFFu, kProbOne - 1));
  // bernoulli() advances once per draw.
  Lfsr a(77), b(77);
  for (int i = 0; i < 100; ++i) {
    const bool x = bernoulli(a, 30000);
    ASSERT_EQ(x, (xorshift32_ref(b.state) >> 16) < 30000u);
    b.next();
    ASSERT_EQ(a.state, b.state);
  }
}

TEST(Lfsr, BernoulliFrequencyMatchesProbability) {
  for (uint32_t q : {0u, 1u, 655u, 13107u, 32768u, 52429u, 65535u, 65536u}) {
    const double p = q / 65536.0;
    const int n = 200000;
    int hits = 0;
    Lfsr l(2024 + q);
    for (int i = 0; i < n; ++i) hits += bernoulli(l, q);
    const double sigma = std::sqrt(n * p * (1 - p));
    EXPECT_NEAR(hits, n * p, 4 * sigma + 1e-9) << "q=" << q;
  }
}

// ------------------------------------------------------------------------------ seeding rule

TEST(Seeding, SplitMixKnownValues) {
  // SplitMix64 seeded with 0: its first two outputs are mix(gamma) and mix(2 gamma).
  EXPECT_EQ(splitmix64(0), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(splitmix64(0x9E3779B97F4A7C15ull), 0x6E789E6AA1B965F4ull);
  for (uint64_t x : {1ull, 42ull, 0xFFFFFFFFFFFFFFFFull, 0x123456789ABCDEFull}) EXPECT_EQ(splitmix64(x), splitmix64_ref(x));
}

TEST(Seeding, DocumentedRule) {
  // key(sample) = mix(mix(mix(master ^ phase) + epoch) + index); seed(stream) = low 32 bits of
  // mix(key ^ stream * 0xD1B54A32D192ED03).
  for (uint64_t master : {0ull, 1ull, 0xABCDEFull}) {
    for (Phase ph : {Phase::kTrain, Phase::kTest, Phase::kInit, Phase::kShuffle}) {
      for (uint64_t epoch : {0ull, 3ull}) {
        for (uint64_t index : {0ull, 59999ull}) {
          const uint64_t key = splitmix64_ref(
              splitmix64_ref(splitmix64_ref(master ^ static_cast<uint64_t>(ph)) + epoch) + index);
          ASSERT_EQ(sample_key(master, ph, epoch, index), key);
          for (uint64_t s : {stream::kInputBase, stream::kInputBase + 783, stream::kLabel, stream::kDropoutBase + 1}) {
            ASSERT_EQ(stream_seed(key, s), static_cast<uint32_t>(splitmix64_ref(key ^ (s * 0xD1B54A32D192ED03ull))));
          }
        }
      }
    }
  }
}

TEST(Seeding, SameInputsSameSeedDifferentInputsDifferentSeeds) {
  EXPECT_EQ(sample_key(7, Phase::kTrain, 2, 100), sample_key(7, Phase::kTrain, 2, 100));
  EXPECT_EQ(stream_seed(sample_key(7, Phase::kTrain, 2, 100), 5), stream_seed(sample_key(7, Phase::kTrain, 2, 100), 5));
  // Keys of different (master, phase, epoch, index) differ.
  std::set<uint64_t> keys;
  size_t made = 0;
  for (uint64_t master : {1ull, 2ull})
    for (Phase ph : {Phase::kTrain, Phase::kTest, Phase::kInit, Phase::kShuffle})
      for (uint64_t epoch = 0; epoch < 5; ++epoch)
        for (uint64_t index = 0; index < 2000; ++index, ++made) keys.insert(sample_key(master, ph, epoch, index));
  EXPECT_EQ(keys.size(), made);
  // Within a sample, every stream the model uses has its own seed.
  for (uint64_t index : {0ull, 1ull, 12345ull}) {
    const uint64_t key = sample_key(1, Phase::kTrain, 0, index);
    std::set<uint32_t> seeds;
    size_t n = 0;
    auto add = [&](uint64_t s) {
      seeds.insert(stream_seed(key, s));
      ++n;
    };
    for (uint64_t i = 0; i < 784; ++i) add(stream::kInputBase + i);
    add(stream::kLabel);
    for (uint64_t l = 0; l < 4; ++l) {
      add(stream::kDropoutBase + l);
      add(stream::kNoiseBase + l);
      add(stream::kDeviceBase + l);
      add(stream::kInitBase + l);
    }
    EXPECT_EQ(seeds.size(), n) << "sample " << index;
  }
  // A given stream gets different seeds in different samples (so sample i+1 is not sample i again).
  for (uint64_t s : {stream::kInputBase, stream::kInputBase + 400, stream::kLabel}) {
    std::set<uint32_t> seeds;
    for (uint64_t index = 0; index < 1000; ++index) seeds.insert(stream_seed(sample_key(1, Phase::kTrain, 0, index), s));
    EXPECT_EQ(seeds.size(), 1000u) << "stream " << s;
  }
}

// ------------------------------------------------------------------------------ ramp

TEST(Encoder, RampMeanEqualsRate) {
  for (int T : {1, 2, 3, 7, 10, 20, 50, 100, 333, 1000}) {
    for (double rate : {0.05, 0.3, 0.4, 0.5}) {
      const uint32_t r = prob_to_q16(rate);
      uint64_t sum = 0;
      uint32_t prev = UINT32_MAX;
      for (int t = 0; t < T; ++t) {
        const uint32_t p = input_ramp_q16(r, t, T, InputProfile::kFrontLoaded);
        EXPECT_LE(p, prev) << "the ramp must not rise";
        EXPECT_LE(p, kProbOne);
        EXPECT_NEAR(static_cast<double>(p), r * (2.0 * T - 2.0 * t - 1.0) / T, 1.0);
        prev = p;
        sum += p;
        EXPECT_EQ(input_ramp_q16(r, t, T, InputProfile::kFlat), r);
      }
      // Each step floors: the mean is within one Q0.16 LSB below the rate.
      const double mean = static_cast<double>(sum) / T;
      EXPECT_LE(mean, r) << "T=" << T << " rate " << rate;
      EXPECT_GT(mean, r - 1.0) << "T=" << T << " rate " << rate;
      if (T >= 2) {
        EXPECT_GT(input_ramp_q16(r, 0, T, InputProfile::kFrontLoaded), r) << "front-loaded: starts above the mean";
        EXPECT_LT(input_ramp_q16(r, T - 1, T, InputProfile::kFrontLoaded), r);
      }
    }
  }
}

TEST(Encoder, PixelScale) {
  EXPECT_EQ(pixel_prob_q16(0, 40000), 0u);
  EXPECT_EQ(pixel_prob_q16(255, 40000), 40000u);  // full intensity is exactly the ramp
  EXPECT_EQ(pixel_prob_q16(255, kProbOne), kProbOne);
  for (int v = 0; v < 256; ++v) {
    const double scale = pixel_prob_q16(static_cast<uint8_t>(v), kProbOne) / 65536.0;
    EXPECT_NEAR(scale, v / 255.0, 1.0 / 256) << "pixel " << v;
    if (v > 0) {
      EXPECT_GT(pixel_prob_q16(static_cast<uint8_t>(v), kProbOne), pixel_prob_q16(static_cast<uint8_t>(v - 1), kProbOne));
    }
  }
  EXPECT_EQ(prob_to_q16(0.0), 0u);
  EXPECT_EQ(prob_to_q16(1.0), kProbOne);
  EXPECT_EQ(prob_to_q16(1.5), kProbOne);
  EXPECT_EQ(prob_to_q16(-0.5), 0u);
  EXPECT_EQ(prob_to_q16(0.5), 32768u);
}

// ------------------------------------------------------------------------------ spike trains in the model

TEST(Encoder, ModelInputRatesWithinStatisticalBounds) {
  const std::vector<uint8_t> pixels{0, 1, 40, 128, 200, 255};
  const int n = static_cast<int>(pixels.size());
  const int T = 50;
  const int samples = 3000;
  for (InputProfile profile : {InputProfile::kFrontLoaded, InputProfile::kFlat}) {
    for (double rate : {0.3, 0.5}) {
      GoldenModel model(encoder_config(n, T, profile, rate));
      Workspace ws(model.config());
      SpikeCounter counter(n, T);
      for (int s = 0; s < samples; ++s) {
        SampleSpec spec;
        spec.index = static_cast<uint64_t>(s);
        model.run_sample(ws, pixels.data(), -1, spec, &counter);
      }
      for (int i = 0; i < n; ++i) {
        double mean = 0, var = 0;
        for (int t = 0; t < T; ++t) {
          const double p = step_prob(pixels[static_cast<size_t>(i)], rate, t, T, profile);
          mean += p;
          var += p * (1 - p);
          // Per step over the samples (the ramp's shape); 5 sigma, as there are 1200 of these checks.
          const double sigma_t = std::sqrt(samples * p * (1 - p));
          EXPECT_NEAR(counter.per_step[static_cast<size_t>(t)][static_cast<size_t>(i)], samples * p, 5 * sigma_t + 1)
              << to_string(profile) << " rate " << rate << " pixel " << int(pixels[static_cast<size_t>(i)]) << " t " << t;
        }
        // The expected count is the requested average rate times the intensity, within the Q0.16 scaling.
        EXPECT_NEAR(mean / T, rate * pixels[static_cast<size_t>(i)] / 255.0, rate / 256 + 2.0 / 65536);
        const double sigma = std::sqrt(samples * var);
        EXPECT_NEAR(counter.per_input[static_cast<size_t>(i)], samples * mean, 4 * sigma + 1e-9)
            << to_string(profile) << " rate " << rate << " pixel " << int(pixels[static_cast<size_t>(i)]);
      }
      EXPECT_EQ(counter.per_input[0], 0) << "a black pixel never spikes";
    }
  }
}

TEST(Encoder, ModelInputTrainsFollowTheSeedingRule) {
  // Bit-exact contract: pixel i of test sample k is Lfsr(stream_seed(sample_key(seed, TE, 0, k), i)),
  // one Bernoulli draw per step against pixel_prob_q16(pixel, ramp(t)).
  const std::vector<uint8_t> pixels{255, 0, 17, 128, 250, 99, 1, 200};
  const int n = static_cast<int>(pixels.size());
  const int T = 37;
  for (InputProfile profile : {InputProfile::kFrontLoaded, InputProfile::kFlat}) {
    GoldenModel model(encoder_config(n, T, profile, 0.4));
    Workspace ws(model.config());
    for (uint64_t k : {0ull, 1ull, 777ull}) {
      struct Check : StepObserver {
        std::vector<Lfsr> lfsr;
        const std::vector<uint8_t>* px;
        int T;
        InputProfile profile;
        int mismatches = 0;
        void on_step(const StepSpikes& s) override {
          std::vector<int> expect;
          for (size_t i = 0; i < lfsr.size(); ++i) {
            if ((*px)[i] == 0) continue;  // a black pixel's stream is never observed
            const uint32_t ramp = input_ramp_q16(prob_to_q16(0.4), s.t, T, profile);
            if (bernoulli(lfsr[i], pixel_prob_q16((*px)[i], ramp))) expect.push_back(static_cast<int>(i));
          }
          if (expect != (*s.forward)[0]) ++mismatches;
        }
      } check;
      const uint64_t key = sample_key(model.config().seed, Phase::kTest, 0, k);
      for (int i = 0; i < n; ++i) check.lfsr.emplace_back(stream_seed(key, stream::kInputBase + static_cast<uint64_t>(i)));
      check.px = &pixels;
      check.T = T;
      check.profile = profile;
      SampleSpec spec;
      spec.index = k;
      model.run_sample(ws, pixels.data(), -1, spec, &check);
      EXPECT_EQ(check.mismatches, 0) << "sample " << k;
    }
  }
}

TEST(Encoder, LabelTrainRate) {
  const int T = 40;
  const int samples = 1000;
  for (double label_rate : {0.5, 0.2}) {
    ModelConfig c = encoder_config(4, T, InputProfile::kFrontLoaded, 0.4);
    c.label_rate = label_rate;
    GoldenModel model(c);
    Workspace ws(model.config());
    const std::vector<uint8_t> pixels{255, 128, 0, 60};
    struct LabelCheck : StepObserver {
      int label = 0;
      int64_t spikes = 0;
      int wrong = 0;
      void on_step(const StepSpikes& s) override {
        if (s.label_spike >= 0) {
          ++spikes;
          if (s.label_spike != label) ++wrong;
        }
      }
    } check;
    for (int s = 0; s < samples; ++s) {
      check.label = s % 2;
      SampleSpec spec;
      spec.phase = Phase::kTrain;
      spec.index = static_cast<uint64_t>(s);
      spec.learn = true;
      model.run_sample(ws, pixels.data(), check.label, spec, &check);
    }
    const double p = prob_to_q16(label_rate) / 65536.0;
    const double n = static_cast<double>(samples) * T;
    EXPECT_NEAR(check.spikes, n * p, 4 * std::sqrt(n * p * (1 - p))) << "label rate " << label_rate;
    EXPECT_EQ(check.wrong, 0) << "only the true class receives target spikes";
  }
  // Inference: no target train at all.
  GoldenModel model(encoder_config(4, T, InputProfile::kFrontLoaded, 0.4));
  Workspace ws(model.config());
  SpikeCounter counter(4, T);
  const std::vector<uint8_t> pixels{255, 128, 0, 60};
  for (int s = 0; s < 20; ++s) {
    SampleSpec spec;
    spec.index = static_cast<uint64_t>(s);
    model.run_sample(ws, pixels.data(), -1, spec, &counter);
  }
  EXPECT_EQ(counter.label_spikes, 0);
}

// ------------------------------------------------------------------------------ dropout

TEST(Dropout, MaskFractionWithinBounds) {
  const int n = 100000;
  std::vector<uint8_t> keep(static_cast<size_t>(n));
  for (double p : {0.1, 0.2, 0.3, 0.5, 0.9}) {
    for (uint64_t index : {0ull, 1ull, 99ull}) {
      dropout_mask(sample_key(3, Phase::kTrain, 0, index), 0, p, n, keep.data());
      int dropped = 0;
      for (uint8_t k : keep) {
        ASSERT_LE(k, 1);
        dropped += k == 0;
      }
      const double q = prob_to_q16(p) / 65536.0;
      EXPECT_NEAR(dropped, n * q, 4 * std::sqrt(n * q * (1 - q))) << "p=" << p;
    }
  }
  dropout_mask(sample_key(3, Phase::kTrain, 0, 0), 1, 0.0, n, keep.data());
  for (uint8_t k : keep) ASSERT_EQ(k, 1);
}

TEST(Dropout, MasksDifferBetweenLayersAndSamplesAndRepeat) {
  const int n = 1000;
  std::vector<uint8_t> a(n), b(n), c(n), d(n);
  const uint64_t key = sample_key(3, Phase::kTrain, 0, 5);
  dropout_mask(key, 0, 0.3, n, a.data());
  dropout_mask(key, 0, 0.3, n, b.data());
  dropout_mask(key, 1, 0.3, n, c.data());
  dropout_mask(sample_key(3, Phase::kTrain, 0, 6), 0, 0.3, n, d.data());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, d);
}

TEST(Dropout, DroppedInputsNeverSpikeWhileTraining) {
  const int n = 200;
  const int T = 30;
  ModelConfig cfg = encoder_config(n, T, InputProfile::kFrontLoaded, 0.5);
  cfg.dropout_input = 0.4;
  GoldenModel model(cfg);
  Workspace ws(model.config());
  const std::vector<uint8_t> pixels(static_cast<size_t>(n), 255);
  int64_t kept_total = 0, kept_spikes = 0;
  for (int s = 0; s < 50; ++s) {
    SampleSpec spec;
    spec.phase = Phase::kTrain;
    spec.epoch = 1;
    spec.index = static_cast<uint64_t>(s);
    spec.learn = true;
    SpikeCounter counter(n, T);
    model.run_sample(ws, pixels.data(), 0, spec, &counter);
    std::vector<uint8_t> keep(static_cast<size_t>(n));
    dropout_mask(sample_key(cfg.seed, Phase::kTrain, 1, static_cast<uint64_t>(s)), 0, cfg.dropout_input, n, keep.data());
    for (int i = 0; i < n; ++i) {
      if (!keep[static_cast<size_t>(i)]) {
        ASSERT_EQ(counter.per_input[static_cast<size_t>(i)], 0) << "dropped pixel " << i << " spiked in sample " << s;
      } else {
        ++kept_total;
        kept_spikes += counter.per_input[static_cast<size_t>(i)];
      }
    }
  }
  // Kept full-intensity pixels spike at the input rate.
  const double p = 0.5;
  const double expect = static_cast<double>(kept_total) * T * p;
  EXPECT_NEAR(static_cast<double>(kept_spikes), expect, 4 * std::sqrt(expect));
  // Inference applies no dropout.
  SpikeCounter counter(n, T);
  SampleSpec spec;
  model.run_sample(ws, pixels.data(), -1, spec, &counter);
  int silent = 0;
  for (int64_t c : counter.per_input) silent += c == 0;
  EXPECT_LE(silent, 2) << "with p = 0.5 over 30 steps a pixel is silent with probability 1e-9";
}
