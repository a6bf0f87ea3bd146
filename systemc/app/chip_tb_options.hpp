// The command line of the chip testbenches: ssnn_chip_tb (the SystemC chip) and ssnn_rtl_chip_tb (the
// verilated RTL chip) take the same options, defined once here, and end the same way (chip_tb_main).
// A testbench refuses, with one line, an option its level does not offer.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "chip_config.hpp"
#include "chip_trainer.hpp"
#include "ssnn/checkpoint.hpp"
#include "ssnn/cli_options.hpp"
#include "ssnn/data_split.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/run_limits.hpp"
#include "ssnn/trainer.hpp"

namespace ssnn::sc {

struct ChipTbOptions {
  DataOptions data;  // --dataset, --data-dir, --train-samples, --test-samples: as ssnn_golden's
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

// The sc_main of both chip testbenches: run()'s exit code, or one line "PROGRAM: error: WHAT" on
// stderr and exit code 3 when the levels disagree (an exception of a Mismatch type: it names the
// first disagreement), 2 for any other error.
template <typename... Mismatch, typename Run>
int chip_tb_main(const char* program, Run&& run) {
  try {
    return run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    return (... || (dynamic_cast<const Mismatch*>(&e) != nullptr)) ? 3 : 2;
  }
}

// Registers every option of the chip testbenches on `app`, writing into cfg, text, chip and o.
inline void add_chip_tb_options(CLI::App& app, ModelConfig& cfg, ModelOptionText& text, ChipConfig& chip,
                                ChipTbOptions& o) {
  add_model_options(app, cfg, text);
  add_data_options(app, o.data, true);
  const auto* g = "Data";
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

// --rtl-inject KIND[:N]: which RTL unit kind gets a corrupted input (neuron, coincidence or encoder)
// and at which N (0 when not given), counted in `unit`s of the testbench ("command", "sample").
struct RtlInject {
  std::string kind;
  uint64_t at = 0;
};

inline RtlInject parse_rtl_inject(const std::string& s, const char* unit) {
  RtlInject in;
  const size_t colon = s.find(':');
  in.kind = s.substr(0, colon);
  if (in.kind != "neuron" && in.kind != "coincidence" && in.kind != "encoder")
    throw ConfigError(fmt::format("--rtl-inject: '{}' is not neuron, coincidence or encoder", in.kind));
  if (colon != std::string::npos) {
    const std::string n = s.substr(colon + 1);
    if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos)
      throw ConfigError(fmt::format("--rtl-inject: '{}' is not a {} number", n, unit));
    errno = 0;
    in.at = std::strtoull(n.c_str(), nullptr, 10);
    if (errno == ERANGE) throw ConfigError(fmt::format("--rtl-inject: {} is out of range (a {} number)", n, unit));
  }
  return in;
}

// What a testbench run reads: the weights of an inference-only run (--load-weights, which bring their
// model) and the data sets, with the model's inputs and classes taken from the data.
struct ChipTbInputs {
  Checkpoint ckpt;
  bool inference_only = false;
  Dataset test_set;
  TrainingSplit split;
};

// After parsing: loads the inputs, completes and checks `cfg` against them (ConfigError naming the
// option); o.epochs becomes 0 for an inference-only run.
inline ChipTbInputs load_chip_tb_inputs(const CLI::App& app, ModelConfig& cfg, ChipTbOptions& o) {
  ChipTbInputs in;
  in.inference_only = !o.load_weights.empty();
  if (in.inference_only) {
    // The weights bring their model; only the inference window and the stream seed may differ
    // (as `ssnn_golden eval -T/--tau-divisor/--seed`, so both levels infer the same way).
    InferenceOverrides infer;
    if (app.count("--timesteps") > 0) infer.timesteps = cfg.timesteps;
    if (app.count("--tau-divisor") > 0) infer.tau_divisor = cfg.tau_divisor;
    infer.reseed = app.count("--seed") > 0;
    infer.seed = cfg.seed;
    in.ckpt = load_checkpoint(o.load_weights);
    cfg = infer.apply(in.ckpt.config);
    o.epochs = 0;
  }
  in.test_set = load_named_dataset(o.data.dataset, "test", o.data.data_dir, o.data.test_samples);
  if (in.inference_only && o.validation > 0)
    throw ConfigError("--validation: a training option (score held-out images of loaded weights with ssnn_golden eval --validation)");
  const Dataset& train_set = in.split.train;
  const Dataset& test_set = in.test_set;
  if (!in.inference_only) {
    in.split = load_training_split(o.data.dataset, o.data.data_dir, o.data.train_samples, o.validation);
    check_test_split(train_set, test_set);
    if (app.count("--classes") == 0) cfg.classes = static_cast<int>(train_set.num_classes);
    else if (cfg.classes < static_cast<int>(train_set.num_classes))
      throw ConfigError(fmt::format("--classes: {} is fewer than the {} classes of data set {} ({})", cfg.classes,
                                    train_set.num_classes, o.data.dataset, train_set.labels_file));
    cfg.inputs = static_cast<int>(train_set.pixels_per_image());
  }
  cfg.validate();
  check_run_size(cfg, static_cast<double>(o.epochs) * static_cast<double>(train_set.size()) +
                          static_cast<double>(test_set.size()),
                 RunLimits::kMaxChipWork, in.inference_only ? "--test-samples" : "--epochs", o.allow_large);
  // As the golden model's evaluate() and Trainer: no image is read past its end, no label beyond the outputs.
  check_data_fits(test_set, cfg, "--dataset");
  if (!in.inference_only) check_data_fits(train_set, cfg, "--dataset");
  return in;
}

// The checkpoint options, checked (ConfigError naming the option): the file --resume reads, "" for a
// fresh start. --resume alone continues from --checkpoint when that file exists (a fresh start
// otherwise), as ssnn_golden's --resume does; --resume FILE needs FILE.
inline std::string resume_path(const CLI::App& app, const ChipTbOptions& o) {
  const bool resume = app.count("--resume") > 0;
  std::string path = o.resume;
  if (resume && o.resume.empty()) {
    if (o.checkpoint.empty()) throw ConfigError("--resume: needs FILE or --checkpoint FILE");
    if (std::filesystem::exists(o.checkpoint)) path = o.checkpoint;
  }
  if (!o.load_weights.empty() && (resume || !o.checkpoint.empty()))
    throw ConfigError(fmt::format("{}: no training with --load-weights (inference only)", resume ? "--resume" : "--checkpoint"));
  if (o.checkpoint.empty() && (o.checkpoint_every > 0 || o.stop_after > 0))
    throw ConfigError(fmt::format("{}: needs --checkpoint FILE", o.checkpoint_every > 0 ? "--checkpoint-every" : "--stop-after"));
  return path;
}

// ChipTrainer's options from the command line (the callbacks and the validation split are the
// testbench's).
inline ChipTrainOptions chip_train_options(const ChipTbOptions& o) {
  ChipTrainOptions t;
  t.epochs = o.epochs;
  t.dataset = o.data.dataset;
  t.checkpoint_path = o.checkpoint;
  t.checkpoint_every = o.checkpoint_every;
  t.stop_after = o.stop_after;
  t.rss_every = o.rss_every;
  t.progress = !o.no_progress;
  return t;
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

// --trace-samples "A:B" -> [A, B): sample numbers in run order (training samples first, then test samples).
inline std::pair<uint64_t, uint64_t> parse_trace_window(const std::string& s) {
  const size_t colon = s.find(':');
  try {
    if (colon == std::string::npos) throw std::invalid_argument("no colon");
    size_t u1 = 0, u2 = 0;
    const std::string a = s.substr(0, colon), b = s.substr(colon + 1);
    const uint64_t lo = std::stoull(a, &u1), hi = std::stoull(b, &u2);
    if (u1 != a.size() || u2 != b.size() || hi <= lo) throw std::invalid_argument("order");
    return {lo, hi};
  } catch (const std::exception&) {
    throw ConfigError(fmt::format("--trace-samples: '{}' is not A:B with A < B (sample numbers, training first)", s));
  }
}

}  // namespace ssnn::sc
