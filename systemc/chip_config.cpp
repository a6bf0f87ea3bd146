// ChipConfig: validation (one clear error line per nonsense value) and JSON form.
#include "chip_config.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ssnn::sc {

void to_json(nlohmann::json& j, const ChipConfig& c) {
  j = nlohmann::json{{"tile_rows", c.tile_rows},     {"tile_cols", c.tile_cols},
                     {"lanes", c.lanes},             {"encoder_lanes", c.encoder_lanes},
                     {"events_per_cycle", c.events_per_cycle}, {"fifo_depth", c.fifo_depth},
                     {"clock_mhz", c.clock_mhz}};
}

void ChipConfig::validate(const ModelConfig& m) const {
  auto fail = [](const std::string& msg) { throw ConfigError(msg); };
  int max_rows = 0;
  int max_cols = 0;
  for (int l = 0; l < m.layers(); ++l) {
    max_rows = std::max(max_rows, m.layer_size(l));
    max_cols = std::max(max_cols, m.layer_size(l + 1));
  }
  if (tile_rows < 0 || tile_rows > max_rows)
    fail(fmt::format("--tile-rows: {} is out of range 0..{} (0: one tile spans all rows; at most the largest "
                     "layer's fan-in)", tile_rows, max_rows));
  if (tile_cols < 0 || tile_cols > max_cols)
    fail(fmt::format("--tile-cols: {} is out of range 0..{} (0: one tile spans all columns; at most the largest "
                     "layer's width)", tile_cols, max_cols));
  if (lanes < 1 || lanes > 4096) fail(fmt::format("--lanes: {} is out of range 1..4096", lanes));
  if (encoder_lanes < 1 || encoder_lanes > 4096)
    fail(fmt::format("--encoder-lanes: {} is out of range 1..4096", encoder_lanes));
  if (events_per_cycle < 1 || events_per_cycle > 64)
    fail(fmt::format("--events-per-cycle: {} is out of range 1..64", events_per_cycle));
  if (fifo_depth < 1 || fifo_depth > 65536) fail(fmt::format("--fifo-depth: {} is out of range 1..65536", fifo_depth));
  // From 1 kHz: latency and power figures stay finite and the clock period fits SystemC's time.
  if (!(clock_mhz >= 0.001) || clock_mhz > 100000)
    fail(fmt::format("--clock-mhz: {} is out of range 0.001..100000", clock_mhz));
  if (m.update_mode != UpdateMode::kStochastic && m.update_mode != UpdateMode::kRate)
    fail(fmt::format("--mode: {} is a software baseline of the golden model; the chip implements stochastic "
                     "(per-step pulses) and rate (end-of-sample) updates", to_string(m.update_mode)));
  if (m.forward_start != 0 || m.gradient_start != 0)
    fail(fmt::format("--forward-start/--gradient-start: {} / {}: start potentials are a golden-model study option; "
                     "the chip's neurons start every sample at 0", m.forward_start, m.gradient_start));
  if (m.layers() + 1 > 255) fail(fmt::format("--hidden: {} layers exceed the 8-bit AER block field", m.layers() - 1));
  for (int l = 0; l <= m.layers(); ++l)
    if (m.layer_size(l) > 65536)
      fail(fmt::format("--hidden: layer {} has {} neurons, more than the 16-bit AER neuron field", l, m.layer_size(l)));
}

}  // namespace ssnn::sc
