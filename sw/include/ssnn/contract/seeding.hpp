// The seeding rule: every random stream's seed is derived from one master seed (docs/theory.md).
#pragma once

#include <cstdint>

namespace ssnn {

// SplitMix64 finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mixer.
constexpr uint64_t splitmix64(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Which use a sample's random streams serve.
enum class Phase : uint64_t { kTrain = 0x5452u /*"TR"*/, kTest = 0x5445u /*"TE"*/, kInit = 0x494Eu /*"IN"*/,
                              kShuffle = 0x5348u /*"SH"*/, kAugment = 0x4147u /*"AG"*/,
                              kValidation = 0x5641u /*"VA"*/ };

// Stream identifiers within one sample.  Input pixel i uses stream i.
namespace stream {
constexpr uint64_t kInputBase = 0x00000;   // + pixel index
constexpr uint64_t kLabel = 0x10000;       // the label (target) encoder
constexpr uint64_t kDropoutBase = 0x20000;  // + layer index (0 = input layer)
constexpr uint64_t kNoiseBase = 0x30000;    // + weight-layer index (additive-noise baseline)
constexpr uint64_t kDeviceBase = 0x40000;   // + weight-layer index (device pulse-to-pulse noise)
constexpr uint64_t kInitBase = 0x50000;     // + weight-layer index (weight initialisation)
}  // namespace stream

// key(sample) = mix(mix(mix(master ^ phase) + epoch) + index)
constexpr uint64_t sample_key(uint64_t master_seed, Phase phase, uint64_t epoch, uint64_t index) {
  return splitmix64(splitmix64(splitmix64(master_seed ^ static_cast<uint64_t>(phase)) + epoch) + index);
}

// seed(stream) = low 32 bits of mix(key ^ stream * golden-ratio odd constant); 0 is mapped by Lfsr.
constexpr uint32_t stream_seed(uint64_t key, uint64_t stream_id) {
  return static_cast<uint32_t>(splitmix64(key ^ (stream_id * 0xD1B54A32D192ED03ull)));
}

}  // namespace ssnn
