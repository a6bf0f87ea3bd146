// ChipFloorplan: where everything sits on the chip, computed from the two configurations alone (no
// SystemC): the tiling of every weight layer into crossbar tiles, the AER block numbers of the
// encoder's and the cores' bands, and the router's routing table. ssnn_chip builds and wires its
// modules from it.
#pragma once

#include <vector>

#include "aer_router_core.hpp"
#include "chip_config.hpp"
#include "ssnn/config.hpp"

namespace ssnn::sc {

// One crossbar tile: a rows x cols block of weight layer `layer`.
struct TileGeometry {
  int layer = 0;     // weight layer l: rows are layer-l neurons, columns layer-(l+1) neurons
  int row0 = 0;      // first global row
  int rows = 1;
  int col0 = 0;      // first global column
  int cols = 1;
  int band_row = 0;  // tile coordinates within the layer
  int band_col = 0;
};

struct ChipFloorplan {
  ChipFloorplan() = default;
  // Throws ConfigError when the tiling needs more AER blocks than the 8-bit block field holds.
  ChipFloorplan(const ModelConfig& cfg, const ChipConfig& chip);

  int tile_index(int layer, int band_row, int band_col) const {
    return tile_first[static_cast<size_t>(layer)] + band_row * bands_c[static_cast<size_t>(layer)] + band_col;
  }

  // Per weight layer l (0..L-1): the tile span in rows (layer-l neurons) and columns (layer-(l+1)
  // neurons), and the number of tile bands each way.
  std::vector<int> span_r, span_c, bands_r, bands_c;
  // AER blocks: the encoder's bands first (block 0 on), then each core's; core_block[l] is the first
  // block (= router input) of the core of layer l (1..L; core_block[0] = 0, the encoder).
  std::vector<int> core_block;
  int num_blocks = 0;
  // Every tile, layer by layer, band row by band row; tile_first[l] is layer l's first.
  std::vector<TileGeometry> tiles;
  std::vector<int> tile_first;
  // Forward spikes of a row band go to that band's tiles; gradient spikes of a column band to its.
  AerRoutingTable routes;
};

}  // namespace ssnn::sc
