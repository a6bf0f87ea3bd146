// The command line of the chip testbenches: ssnn_chip_tb (the SystemC chip) and ssnn_rtl_chip_tb (the
// verilated RTL chip) take the same options, defined once here. A testbench refuses, with one line,
// an option its level does not offer.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "chip_config.hpp"
#include "ssnn/cli_options.hpp"

namespace ssnn::sc {

struct ChipTbOptions {
  std::string dataset = "subset";
  std::string data_dir;
  size_t train_samples = 0;
  size_t test_samples = 0;
  size_t validation = 0;
  int epochs = 1;
  std::string load_weights;
  std::string save_weights;
  std::string report;
  std::string checkpoint;
  uint64_t checkpoint_every = 0;
  std::string resume;  // FILE; given bare, the --checkpoint file if it exists
  uint64_t stop_after = 0;
  uint64_t rss_every = 0;
  std::string trace;
  std::string trace_samples = "0:1";
  std::string trace_blocks = "ctrl,enc,core1,tile0";
  int trace_neuron = 0;
  std::vector<int> trace_xpoint{0, 0};
  std::vector<std::string> energy;
  std::string energy_table;
  bool no_progress = false;
  bool allow_large = false;
  std::string rtl = "none";
  int rtl_xpoint_units = 32;
  std::string rtl_inject;
};

// Registers every option of the chip testbenches on `app`, writing into cfg, text, chip and o.
inline void add_chip_tb_options(CLI::App& app, ModelConfig& cfg, ModelOptionText& text, ChipConfig& chip,
                                ChipTbOptions& o) {
  add_model_options(app, cfg, text);
  const auto* g = "Data";
  app.add_option("--dataset", o.dataset, "subset | mnist | fashion | emnist-<split> | path:<dir>")->group(g)->capture_default_str();
  app.add_option("--data-dir", o.data_dir, "cache folder of fetched data sets")->check(CLI::ExistingDirectory)->group(g);
  app.add_option("--train-samples", o.train_samples, "use only the first N training samples (0: all)")
      ->check(non_negative())->group(g);
  app.add_option("--test-samples", o.test_samples, "use only the first N test samples (0: all)")
      ->check(non_negative())->group(g);
  app.add_option("--validation", o.validation,
                 "hold out the last N training images (never trained on) and score them on the chip after every "
                 "epoch, as ssnn_golden train --validation")
      ->check(non_negative())->group(g);
  app.add_option("--epochs", o.epochs, "training epochs")->group(g)->capture_default_str();
  const auto* c = "Chip";
  app.add_option("--tile-rows", chip.tile_rows, "crossbar tile rows (0: whole layer)")->group(c)->capture_default_str();
  app.add_option("--tile-cols", chip.tile_cols, "crossbar tile columns (0: whole layer)")->group(c)->capture_default_str();
  app.add_option("--lanes", chip.lanes, "neuron-core update lanes")->group(c)->capture_default_str();
  app.add_option("--encoder-lanes", chip.encoder_lanes, "encoder pixel lanes")->group(c)->capture_default_str();
  app.add_option("--events-per-cycle", chip.events_per_cycle, "AER router bandwidth")->group(c)->capture_default_str();
  app.add_option("--fifo-depth", chip.fifo_depth, "AER input FIFO depth")->group(c)->capture_default_str();
  app.add_option("--clock-mhz", chip.clock_mhz, "clock for latency and power figures")->group(c)->capture_default_str();
  app.add_option("--energy-table", o.energy_table, "energy table file (JSON; copy data/energy/default.json, the built-in one)")->group(c);
  app.add_option("--energy", o.energy, "override one energy-table entry, [SECTION.]NAME=VALUE (repeatable)")->group(c);
  const auto* r = "Run";
  app.add_option("--load-weights", o.load_weights, "golden-model weights/checkpoint: inference only (-T, --tau-divisor, --seed override the weights' own)")->group(r);
  app.add_option("--save-weights", o.save_weights, "write the trained weights (checkpoint format)")->group(r);
  app.add_flag("--allow-large", o.allow_large, "run beyond the network-size and work limits (docs/robustness.md)")->group(r);
  app.add_option("--report", o.report, "write a JSON result record here")->group(r);
  app.add_flag("--no-progress", o.no_progress, "no progress bar")->group(r);
  app.add_option("--checkpoint", o.checkpoint, "write a checkpoint here (atomically) at epoch ends and every "
                                               "--checkpoint-every samples: weights and the chip's state")->group(r);
  app.add_option("--checkpoint-every", o.checkpoint_every, "training samples between checkpoints (0: epoch ends only)")
      ->check(non_negative())->group(r);
  app.add_option("--resume", o.resume, "continue the run saved in FILE; bare: from --checkpoint if that file exists")
      ->expected(0, 1)->group(r);
  app.add_option("--stop-after", o.stop_after, "stop after this many training samples, checkpoint first (tests)")
      ->check(non_negative())->group(r);
  app.add_option("--rss-every", o.rss_every, "record the resident memory every N training samples (report: rss)")
      ->check(non_negative())->group(r);
  const auto* w = "Waveforms";
  app.add_option("--trace", o.trace, "write waveforms to FILE.vcd or FILE.fst")->group(w);
  app.add_option("--trace-samples", o.trace_samples, "samples A:B to trace (run order, training first)")->group(w)->capture_default_str();
  app.add_option("--trace-blocks", o.trace_blocks, "ctrl,enc,router,cores,coreN,tiles,tileN")->group(w)->capture_default_str();
  app.add_option("--trace-neuron", o.trace_neuron, "neuron probed in traced cores")->group(w)->capture_default_str();
  app.add_option("--trace-xpoint", o.trace_xpoint, "ROW,COL probed in traced tiles (tile-local)")->delimiter(',')->group(w);
  const auto* v = "RTL co-simulation (docs/rtl.md)";
  app.add_option("--rtl", o.rtl, "verilated RTL units run beside the behavioural chip in lockstep: neuron, coincidence, "
                                 "encoder (comma list), all or none")->group(v)->capture_default_str();
  app.add_option("--rtl-xpoint-units", o.rtl_xpoint_units, "coincidence units per tile, time-multiplexed over its pulses "
                                                           "(0: one per tile column)")
      ->check(CLI::Range(0, 4096))->group(v)->capture_default_str();
  app.add_option("--rtl-inject", o.rtl_inject, "test the checker: KIND[:N] corrupts the N-th RTL command of neuron, "
                                               "coincidence or encoder")->group(v);

}

// After parsing, once the network is known: the default tile size shrinks to fit small networks (an
// explicit size must fit the network), then the chip options are checked against the model
// (ConfigError naming the option).
inline void finish_chip_options(const CLI::App& app, const ModelConfig& cfg, ChipConfig& chip) {
  int max_rows = 0, max_cols = 0;
  for (int l = 0; l < cfg.layers(); ++l) {
    max_rows = std::max(max_rows, cfg.layer_size(l));
    max_cols = std::max(max_cols, cfg.layer_size(l + 1));
  }
  if (app.count("--tile-rows") == 0) chip.tile_rows = std::min(chip.tile_rows, max_rows);
  if (app.count("--tile-cols") == 0) chip.tile_cols = std::min(chip.tile_cols, max_cols);
  chip.validate(cfg);
}

}  // namespace ssnn::sc
