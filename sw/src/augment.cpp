// Training-set augmentation: per-presentation mirror and shift from the seeding rule.
#include "ssnn/augment.hpp"

#include "ssnn/contract/seeding.hpp"

namespace ssnn {

AugmentDraw augment_draw(uint64_t seed, bool flip, int shift, uint64_t epoch, uint64_t pos) {
  AugmentDraw d;
  if (!flip && shift == 0) return d;
  const uint64_t r = splitmix64(sample_key(seed, Phase::kAugment, epoch, pos));
  const uint64_t span = 2 * static_cast<uint64_t>(shift) + 1;
  d.flip = flip && (r & 1u);
  // Two 24-bit fields for the offsets: the modulo bias is below 1e-6 for spans up to 17.
  d.dx = static_cast<int>(((r >> 8) & 0xFFFFFFu) % span) - shift;
  d.dy = static_cast<int>(((r >> 32) & 0xFFFFFFu) % span) - shift;
  return d;
}

AugmentDraw augment_draw(const ModelConfig& cfg, uint64_t epoch, uint64_t pos) {
  return augment_draw(cfg.seed, cfg.augment_flip, cfg.augment_shift, epoch, pos);
}

void augment_image(const AugmentDraw& draw, const uint8_t* src, uint32_t rows, uint32_t cols, uint8_t* dst) {
  const int h = static_cast<int>(rows), w = static_cast<int>(cols);
  for (int r = 0; r < h; ++r) {
    const int sr = r - draw.dy;
    for (int c = 0; c < w; ++c) {
      const int sc = c - draw.dx;
      uint8_t v = 0;
      if (sr >= 0 && sr < h && sc >= 0 && sc < w) v = src[sr * w + (draw.flip ? w - 1 - sc : sc)];
      dst[r * w + c] = v;
    }
  }
}

const uint8_t* training_image(const ModelConfig& cfg, const Dataset& data, uint32_t idx, uint64_t epoch,
                              uint64_t pos, std::vector<uint8_t>& buffer) {
  const AugmentDraw draw = augment_draw(cfg, epoch, pos);
  if (draw.identity()) return data.image(idx);
  buffer.resize(data.pixels_per_image());
  augment_image(draw, data.image(idx), data.rows, data.cols, buffer.data());
  return buffer.data();
}

}  // namespace ssnn
