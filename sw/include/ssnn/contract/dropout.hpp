// Dropout: which neurons of a layer sit out a training sample, and how a dropped neuron is gated.
#pragma once

#include <algorithm>
#include <cstdint>

#include "ssnn/contract/encoder.hpp"
#include "ssnn/contract/lfsr.hpp"
#include "ssnn/contract/seeding.hpp"

namespace ssnn {

// Per-sample dropout mask of one layer (0 = inputs): keep[i] = 1 unless the layer's dropout stream
// draws below p.  One draw per neuron, in index order.
inline void dropout_mask(uint64_t sample_key, int layer, double drop_probability, int n, uint8_t* keep) {
  if (drop_probability <= 0) {
    std::fill(keep, keep + n, uint8_t{1});
    return;
  }
  Lfsr lfsr(stream_seed(sample_key, stream::kDropoutBase + static_cast<uint64_t>(layer)));
  const uint32_t p_q16 = prob_to_q16(drop_probability);
  for (int i = 0; i < n; ++i) keep[i] = bernoulli(lfsr, p_q16) ? 0 : 1;
}

// A dropped neuron (keep = 0) gets no input and so never fires; a kept one gets its input unchanged.
// A mask rather than a branch, so the golden model's neuron loops vectorise.
constexpr int32_t dropout_gate(int32_t input, uint8_t keep) { return input & -int32_t{keep}; }

}  // namespace ssnn
