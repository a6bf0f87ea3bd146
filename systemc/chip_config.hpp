// Chip-level parameters of the SystemC model: tiling, parallelism, router sizing, clock, latencies.
//
// The network itself (sizes, widths, thresholds, modes) is the golden model's ModelConfig; this
// struct only adds what the hardware organisation decides.  Both are shared with the RTL.
#pragma once

#include <cstdint>
#include <string>

#include "ssnn/config.hpp"

namespace ssnn::sc {

struct ChipConfig {
  // Crossbar tiling: every weight layer is cut into ceil(rows / tile_rows) x ceil(cols / tile_cols)
  // tiles; 0 means "one tile spans the whole dimension" (one tile per layer).
  int tile_rows = 256;
  int tile_cols = 256;

  // Neuron cores: composite neurons updated per cycle (the core's datapath width), and the
  // encoder's pixel lanes (LFSR draws per cycle).
  int lanes = 32;
  int encoder_lanes = 64;

  // AER router.
  int events_per_cycle = 2;  // events the switch can move per cycle (over all outputs)
  int fifo_depth = 16;       // entries of every input FIFO

  // Clock for the latency and power figures (the simulation itself is cycle based).
  double clock_mhz = 200.0;

  // Pipeline latencies in cycles (data independent, documented in docs/chip.md).
  static constexpr int kNeuronPipeline = 3;  // column-sum adder tree + filter + threshold/register
  static constexpr int kSeedHashLatency = 4;  // three SplitMix64 rounds, pipelined
  static constexpr int kWtaIteration = 1;     // one comparator-tree pass per WTA winner

  // Number of tiles a dimension of `size` is cut into, and the size of one tile.
  int tile_span(int size, bool rows) const {
    const int t = rows ? tile_rows : tile_cols;
    return t <= 0 || t > size ? size : t;
  }
  static int ceil_div(int a, int b) { return (a + b - 1) / b; }

  // Throws ssnn::ConfigError naming the offending option.
  void validate(const ModelConfig& model) const;
};

// JSON form (one key per field), for reports and checkpoints.
void to_json(nlohmann::json& j, const ChipConfig& c);

// The chip's block numbering, used as the AER source block: 0 is the encoder, 1..L the neuron
// cores of layers 1..L (L = the output layer).
constexpr uint8_t kEncoderBlock = 0;

}  // namespace ssnn::sc
