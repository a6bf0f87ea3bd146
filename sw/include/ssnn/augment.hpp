// Training-set augmentation on the host side of the chip: mirror and shift of each presented image,
// drawn per (epoch, position) from the master seed, so every level streams the same pixels.
#pragma once

#include <cstdint>
#include <vector>

#include "ssnn/config.hpp"
#include "ssnn/idx.hpp"

namespace ssnn {

// One training presentation's transform: mirror left-right, then move by (dx, dy) pixels
// (positive: right / down), filling the uncovered border with 0.
struct AugmentDraw {
  bool flip = false;
  int dx = 0;
  int dy = 0;
  bool identity() const { return !flip && dx == 0 && dy == 0; }
};

// The draw of training position `pos` of `epoch` (key: sample_key(seed, kAugment, epoch, pos)):
// flip with probability 1/2 if `flip`, offsets uniform on -shift..shift. Identity when neither is on.
AugmentDraw augment_draw(uint64_t seed, bool flip, int shift, uint64_t epoch, uint64_t pos);
// The same from the model's options (cfg.seed, cfg.augment_flip, cfg.augment_shift).
AugmentDraw augment_draw(const ModelConfig& cfg, uint64_t epoch, uint64_t pos);

// dst(r, c) = src'(r - dy, c - dx), src' the (mirrored) source, 0 outside; dst must not alias src.
void augment_image(const AugmentDraw& draw, const uint8_t* src, uint32_t rows, uint32_t cols, uint8_t* dst);

// The image presented at position `pos` of `epoch` (data index `idx`): the data set's own pixels,
// or their transform written into `buffer`. The golden and chip trainers both call this.
const uint8_t* training_image(const ModelConfig& cfg, const Dataset& data, uint32_t idx, uint64_t epoch,
                              uint64_t pos, std::vector<uint8_t>& buffer);

}  // namespace ssnn
