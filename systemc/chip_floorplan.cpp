#include "chip_floorplan.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace ssnn::sc {

ChipFloorplan::ChipFloorplan(const ModelConfig& cfg, const ChipConfig& chip) {
  const int L = cfg.layers();
  const auto n = static_cast<size_t>(L);
  span_r.resize(n);
  span_c.resize(n);
  bands_r.resize(n);
  bands_c.resize(n);
  for (int l = 0; l < L; ++l) {
    const auto u = static_cast<size_t>(l);
    span_r[u] = chip.tile_span(cfg.layer_size(l), true);
    span_c[u] = chip.tile_span(cfg.layer_size(l + 1), false);
    bands_r[u] = ChipConfig::ceil_div(cfg.layer_size(l), span_r[u]);
    bands_c[u] = ChipConfig::ceil_div(cfg.layer_size(l + 1), span_c[u]);
  }
  // AER blocks: encoder bands, then each core's bands.
  core_block.assign(n + 1, 0);
  num_blocks = bands_r[0];
  for (int l = 1; l <= L; ++l) {
    core_block[static_cast<size_t>(l)] = num_blocks;
    const int fwd = l < L ? bands_r[static_cast<size_t>(l)] : 0;
    num_blocks += std::max(fwd, bands_c[static_cast<size_t>(l - 1)]);
  }
  if (num_blocks > 256)
    throw ConfigError(fmt::format("--tile-rows/--tile-cols: this tiling needs {} AER source blocks, more than the "
                                  "8-bit block field holds (256); use larger tiles", num_blocks));

  // Tiles.
  for (int l = 0; l < L; ++l) {
    const auto u = static_cast<size_t>(l);
    tile_first.push_back(static_cast<int>(tiles.size()));
    for (int r = 0; r < bands_r[u]; ++r) {
      for (int c = 0; c < bands_c[u]; ++c) {
        TileGeometry g;
        g.layer = l;
        g.band_row = r;
        g.band_col = c;
        g.row0 = r * span_r[u];
        g.rows = std::min(span_r[u], cfg.layer_size(l) - g.row0);
        g.col0 = c * span_c[u];
        g.cols = std::min(span_c[u], cfg.layer_size(l + 1) - g.col0);
        tiles.push_back(g);
      }
    }
  }
  // The routing table.
  for (int l = 0; l < L; ++l) {
    const auto u = static_cast<size_t>(l);
    const int src_first = l == 0 ? 0 : core_block[u];
    for (int r = 0; r < bands_r[u]; ++r) {
      std::vector<unsigned> outs;
      for (int c = 0; c < bands_c[u]; ++c) outs.push_back(static_cast<unsigned>(tile_index(l, r, c)));
      routes.add(static_cast<uint8_t>(src_first + r), SpikeKind::kForward, outs);
    }
    for (int c = 0; c < bands_c[u]; ++c) {
      std::vector<unsigned> outs;
      for (int r = 0; r < bands_r[u]; ++r) outs.push_back(static_cast<unsigned>(tile_index(l, r, c)));
      const auto block = static_cast<uint8_t>(core_block[u + 1] + c);
      routes.add(block, SpikeKind::kGradPos, outs);
      routes.add(block, SpikeKind::kGradNeg, outs);
    }
  }
}

}  // namespace ssnn::sc
