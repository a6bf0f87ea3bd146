// ssnn_chip_tb: trains and tests the cycle-accurate SystemC chip on IDX data sets, prints the
// accuracy and the hardware figures, writes a JSON result record and optional waveforms.
// The report's hardware figures and their print-out are in chip_report.cpp.
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <systemc>

#include "chip_harness.hpp"
#include "chip_report.hpp"
#include "chip_tb_options.hpp"
#include "chip_trainer.hpp"
#include "energy_model.hpp"
#include "rtl_cosim.hpp"
#include "ssnn/checkpoint.hpp"
#include "ssnn/data_split.hpp"
#include "ssnn/cli_options.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/output_path.hpp"
#include "ssnn/process.hpp"
#include "ssnn/report.hpp"
#include "ssnn/run_limits.hpp"
#include "ssnn/trainer.hpp"

namespace {

using ssnn::ConfigError;
using ssnn::sc::ChipCounters;
using ssnn::sc::hardware_json;
using ssnn::sc::per;
using ssnn::sc::print_hw;

using Options = ssnn::sc::ChipTbOptions;

// N of "coreN" / "tileN" (digits only, checked by the caller); LLONG_MAX when too large for any block.
long long block_index(const std::string& item) {
  errno = 0;
  const long long v = std::strtoll(item.c_str() + 4, nullptr, 10);
  return errno == ERANGE ? LLONG_MAX : v;
}

ssnn::sc::TraceSpec parse_blocks(const std::string& list, const ssnn::sc::ssnn_chip& chip, int neuron,
                                 const std::vector<int>& xp) {
  ssnn::sc::TraceSpec spec;
  spec.ctrl = false;
  spec.neuron = neuron;
  if (xp.size() != 2) throw ConfigError("--trace-xpoint: expected ROW,COL");
  spec.row = xp[0];
  spec.col = xp[1];
  std::stringstream ss(list);
  for (std::string item; std::getline(ss, item, ',');) {
    if (item == "ctrl") {
      spec.ctrl = true;
    } else if (item == "enc") {
      spec.enc = true;
    } else if (item == "router") {
      spec.router = true;
    } else if (item == "cores") {
      for (int l = 1; l <= chip.config().layers(); ++l) spec.cores.push_back(l);
    } else if (item == "tiles") {
      for (int k = 0; k < chip.num_tiles(); ++k) spec.tiles.push_back(k);
    } else if (item.rfind("core", 0) == 0 && item.size() > 4 &&
               item.find_first_not_of("0123456789", 4) == std::string::npos) {
      const long long l = block_index(item);
      if (l < 1 || l > chip.config().layers())
        throw ConfigError(fmt::format("--trace-blocks: '{}' names no core (core1..core{})", item, chip.config().layers()));
      spec.cores.push_back(static_cast<int>(l));
    } else if (item.rfind("tile", 0) == 0 && item.size() > 4 &&
               item.find_first_not_of("0123456789", 4) == std::string::npos) {
      const long long k = block_index(item);
      if (k < 0 || k >= chip.num_tiles())
        throw ConfigError(fmt::format("--trace-blocks: '{}' names no tile (tile0..tile{})", item, chip.num_tiles() - 1));
      spec.tiles.push_back(static_cast<int>(k));
    } else {
      throw ConfigError(fmt::format("--trace-blocks: unknown block '{}' (ctrl, enc, router, cores, coreN, tiles, tileN)", item));
    }
  }
  return spec;
}

// --rtl and --rtl-inject.
ssnn::sc::CosimOptions parse_rtl(const Options& o) {
  ssnn::sc::CosimOptions r = ssnn::sc::CosimOptions::parse_units(o.rtl);
  r.xpoint_units = o.rtl_xpoint_units;
  if ((r.any() || !o.rtl_inject.empty()) && !ssnn::sc::RtlCosim::available())
    throw ConfigError("--rtl: this ssnn_chip_tb was built without Verilator (scripts/setup.sh installs it; rebuild)");
  if (!o.rtl_inject.empty()) {
    if (!r.any()) throw ConfigError("--rtl-inject: needs RTL units (--rtl)");
    const ssnn::sc::RtlInject inject = ssnn::sc::parse_rtl_inject(o.rtl_inject, "command");
    r.inject = inject.kind;
    r.inject_at = inject.at;
    if ((r.inject == "neuron" && !r.neuron) || (r.inject == "coincidence" && !r.coincidence) ||
        (r.inject == "encoder" && !r.encoder))
      throw ConfigError(fmt::format("--rtl-inject: {} units are not in --rtl {}", r.inject, o.rtl));
  }
  return r;
}

int run(int argc, char** argv) {
  CLI::App app{"SSNN-BP cycle-accurate SystemC chip: train and test on IDX data, report hardware figures"};
  ssnn::ModelConfig cfg;
  ssnn::ModelOptionText text;
  ssnn::sc::ChipConfig chip;
  Options o;
  ssnn::one_line_errors(app, "ssnn_chip_tb");
  ssnn::sc::add_chip_tb_options(app, cfg, text, chip, o);
  if (const std::optional<int> exit_code = ssnn::parse_or_exit(app, argc, argv)) return *exit_code;
  const std::string command = ssnn::command_line(argc, argv);
  ssnn::finish_model_options(cfg, text);
  if (o.epochs < 0 || o.epochs > 10000) throw ConfigError(fmt::format("--epochs: {} is out of range 0..10000", o.epochs));
  ssnn::sc::EnergyTable energy = o.energy_table.empty() ? ssnn::sc::EnergyTable::builtin() : ssnn::sc::EnergyTable::load(o.energy_table);
  for (const auto& a : o.energy) energy.set(a);
  std::pair<uint64_t, uint64_t> window{0, 0};
  if (!o.trace.empty()) {
    window = ssnn::sc::parse_trace_window(o.trace_samples);
    const std::string ext = std::filesystem::path(o.trace).extension().string();
    if (ext != ".vcd" && ext != ".fst") throw ConfigError(fmt::format("--trace: '{}' must end in .vcd or .fst", o.trace));
  }

  const std::string resume_path = ssnn::sc::resume_path(app, o);
  if (app.count("--resume") > 0 && o.rtl != "none")
    throw ConfigError("--resume: not with --rtl (the co-simulation checks one uninterrupted run)");

  ssnn::sc::ChipTbInputs in = ssnn::sc::load_chip_tb_inputs(app, cfg, o);
  const ssnn::Checkpoint& ckpt = in.ckpt;
  const bool inference_only = in.inference_only;
  const ssnn::Dataset& test_set = in.test_set;
  const ssnn::TrainingSplit& split = in.split;
  const ssnn::Dataset& train_set = split.train;
  {
    // Every output (the --trace VCD, kept beside an FST until it is converted, included) is checked
    // before the run; the checkpoint is read back by --resume and rewritten, so it is an output only.
    std::vector<ssnn::RunPath> outputs{{"--report", o.report}, {"--save-weights", o.save_weights},
                                       {"--checkpoint", o.checkpoint}, {"--trace", o.trace}};
    if (!o.trace.empty() && !std::filesystem::path(o.trace).parent_path().empty()) {
      std::error_code ec;  // the waveform's folder is made for it; a failure is reported by the check below
      std::filesystem::create_directories(std::filesystem::path(o.trace).parent_path(), ec);
    }
    if (!o.trace.empty() && std::filesystem::path(o.trace).extension() == ".fst") {
      const std::filesystem::path p(o.trace);
      outputs.push_back({"--trace", ((p.parent_path() / p.stem()).string() + ".vcd")});
    }
    std::vector<ssnn::RunPath> inputs{{"--load-weights", o.load_weights},
                                      {"--dataset", test_set.images_file}, {"--dataset", test_set.labels_file},
                                      {"--dataset", train_set.images_file}, {"--dataset", train_set.labels_file}};
    if (resume_path != o.checkpoint) inputs.push_back({"--resume", resume_path});
    ssnn::check_run_paths(inputs, outputs);
  }
  ssnn::sc::finish_chip_options(app, cfg, chip);
  const ssnn::sc::CosimOptions rtl = parse_rtl(o);

  ssnn::sc::ChipHarness h("tb", cfg, chip);
  ssnn::sc::ssnn_chip& dut = h.chip();
  ssnn::sc::TraceSpec spec;
  if (!o.trace.empty()) spec = parse_blocks(o.trace_blocks, dut, o.trace_neuron, o.trace_xpoint);
  std::unique_ptr<ssnn::sc::RtlCosim> cosim;
  if (rtl.any()) {
    ssnn::sc::CosimOptions co = rtl;
    co.trace = !o.trace.empty();
    for (int l : spec.cores)
      if (l < cfg.layers()) {
        co.probe_layer = l;
        break;
      }
    co.probe_neuron = spec.neuron;
    co.probe_tile = spec.tiles.empty() ? -1 : spec.tiles.front();
    co.probe_row = spec.row;
    co.probe_col = spec.col;
    cosim = std::make_unique<ssnn::sc::RtlCosim>(h, co);
  }
  sc_core::sc_trace_file* tf = nullptr;
  std::string vcd_path;
  std::vector<std::string> rtl_waves;
  if (!o.trace.empty()) {
    std::filesystem::path p(o.trace);
    const std::string base = (p.parent_path() / p.stem()).string();
    vcd_path = base + ".vcd";
    if (!p.parent_path().empty()) std::filesystem::create_directories(p.parent_path());
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);  // the timescale note
    tf = sc_core::sc_create_vcd_trace_file(base.c_str());
    tf->set_time_unit(1, sc_core::SC_PS);
    dut.trace(tf, spec);
  }
  h.power_on();
  if (cosim && !o.trace.empty()) {
    const std::filesystem::path p(o.trace);
    rtl_waves = cosim->open_traces((p.parent_path() / p.stem()).string());
  }
  auto set_traced = [&](bool on) {
    dut.set_trace_enabled(on);
    if (cosim) cosim->set_trace_enabled(on);
  };
  dut.load_weights(inference_only ? ckpt.weights : ssnn::initial_weights(cfg));

  const bool progress = !o.no_progress;
  auto traced = [&](uint64_t i) { return tf != nullptr && i >= window.first && i < window.second; };
  ssnn::sc::ChipTrainOptions topt = ssnn::sc::chip_train_options(o);
  topt.before_sample = [&](uint64_t i) { set_traced(traced(i)); };
  // Validation after every epoch: the held-out images through the chip (their own streams), then the
  // chip's state (counters, arbitration) put back, so training and its hardware figures go on as
  // without it. The last pass's hardware figures are reported on their own.
  const ssnn::sc::ArrayPeriphery periphery = ssnn::sc::array_periphery(energy, dut);
  nlohmann::json hw_validation;
  if (o.validation > 0) {
    topt.split = ssnn::split_record(split);
    topt.validate = [&](int) {
      const ssnn::sc::ChipState before = dut.state();
      const ChipCounters v0 = dut.counters();
      set_traced(false);
      uint64_t hits = 0;
      for (size_t i = 0; i < split.validation.size(); ++i) {
        const ssnn::SampleSpec vspec{ssnn::Phase::kValidation, 0, i, /*learn=*/false};
        hits += h.run_sample(split.validation.image(i), -1, vspec).prediction == split.validation.label(i);
      }
      hw_validation = hardware_json(chip, energy, periphery, v0, dut.counters());
      dut.restore_state(before);
      return static_cast<double>(hits) / static_cast<double>(split.validation.size());
    };
  }
  ssnn::sc::ChipTrainer trainer(h, train_set, topt);
  // Counters of a fresh chip: the reports are differences from here, and a resumed run's restored
  // counters continue from the same start.
  const ChipCounters c0 = dut.counters();
  const nlohmann::json resumed_from = resume_path.empty() ? nlohmann::json() : trainer.resume_for_run(resume_path);
  // Simulation speed is of this launch alone.
  const double t0 = ssnn::now_seconds();
  const ChipCounters c_launch = dut.counters();
  if (!trainer.run_to_end()) return 0;
  const nlohmann::json& history = trainer.epochs();
  const double train_seconds = trainer.train_seconds();
  const ChipCounters c1 = dut.counters();
  uint64_t run_index = static_cast<uint64_t>(o.epochs) * train_set.size();  // test samples follow in run order
  ssnn::ProgressBar bar("chip test ", test_set.size(), progress);
  uint64_t correct = 0;
  const double s0 = ssnn::now_seconds();
  std::vector<std::vector<uint32_t>> confusion(static_cast<size_t>(cfg.classes), std::vector<uint32_t>(static_cast<size_t>(cfg.classes), 0));
  for (size_t i = 0; i < test_set.size(); ++i) {
    ssnn::SampleSpec spec;
    spec.phase = ssnn::Phase::kTest;
    spec.index = i;
    set_traced(traced(run_index++));
    const ssnn::SampleResult res = h.run_sample(test_set.image(i), -1, spec);
    const int label = test_set.label(i);
    confusion[static_cast<size_t>(label)][static_cast<size_t>(res.prediction)]++;
    if (res.prediction == label) ++correct;
    bar.update(i + 1, fmt::format("acc {:.2f}%", 100.0 * static_cast<double>(correct) / static_cast<double>(i + 1)));
  }
  const double test_seconds = ssnn::now_seconds() - s0;
  const double acc = test_set.size() ? static_cast<double>(correct) / static_cast<double>(test_set.size()) : 0.0;
  bar.finish(fmt::format("acc {:.2f}%", 100.0 * acc));
  const ChipCounters c2 = dut.counters();
  const double wall = ssnn::now_seconds() - t0;
  if (tf) sc_core::sc_close_vcd_trace_file(tf);
  nlohmann::json rtl_json;
  if (cosim) {
    // The cross-point pools run up to about a step behind the tiles: check their last pulses.
    cosim->drain();
    cosim->close_traces();
    const std::string missing = cosim->coverage_error();
    if (!missing.empty()) throw std::runtime_error("rtl co-simulation did not check every update: " + missing);
    rtl_json = ssnn::sc::cosim_json(*cosim, rtl_waves);
  }

  // Summary.
  const std::string net = fmt::format("{}-{}-{}", cfg.inputs, fmt::join(cfg.hidden, "-"), cfg.classes);
  std::printf("chip %s, T=%d, %s updates, WTA %s, %d tiles (%dx%d), %d lanes, %d events/cycle, FIFO %d\n", net.c_str(),
              cfg.timesteps, ssnn::to_string(cfg.update_mode), cfg.wta ? "on" : "off", dut.num_tiles(),
              chip.tile_span(cfg.inputs, true), chip.tile_span(cfg.hidden.front(), false), chip.lanes,
              chip.events_per_cycle, chip.fifo_depth);
  std::printf("test accuracy: %.2f %% (%llu / %zu)%s\n", 100.0 * acc, static_cast<unsigned long long>(correct),
              test_set.size(), inference_only ? " with loaded weights" : fmt::format(" after {} epochs", o.epochs).c_str());
  if (o.validation > 0 && !history.empty())
    std::printf("validation accuracy: %.2f %% (%zu held-out images) after the last epoch\n",
                100.0 * history.back().value("validation_accuracy", 0.0), split.validation.size());
  nlohmann::json hw_train, hw_test;
  if (o.epochs > 0 && train_set.size() > 0) {
    hw_train = hardware_json(chip, energy, periphery, c0, c1);
    print_hw("training", hw_train, chip.clock_mhz);
  }
  hw_test = hardware_json(chip, energy, periphery, c1, c2);
  print_hw("inference", hw_test, chip.clock_mhz);
  std::printf("  FIFO high-water marks (per AER block: encoder bands, then core bands):");
  for (uint32_t x : c2.router.fifo_high_water) std::printf(" %u", x);
  std::printf(" of %d\n", chip.fifo_depth);
  const double launch_cycles = static_cast<double>(c2.controller.cycles - c_launch.controller.cycles);
  const double launch_samples = static_cast<double>(c2.controller.samples - c_launch.controller.samples);
  const double train_rate = train_seconds > 0 ? static_cast<double>(train_set.size()) * o.epochs / train_seconds : 0.0;
  std::printf("simulation: %.1f s wall, %.0f cycles/s, %.1f samples/s (training %.1f, inference %.1f)\n", wall,
              per(launch_cycles, wall), per(launch_samples, wall), train_rate, per(static_cast<double>(test_set.size()), test_seconds));
  if (!rtl_json.is_null()) ssnn::sc::print_rtl(rtl_json);
  nlohmann::json rss_json;
  if (o.rss_every > 0) {
    std::vector<uint64_t> kib;
    for (const auto& s : trainer.rss()) kib.push_back(s.rss_kib);
    const uint64_t peak = ssnn::sc::peak_resident_kib();
    rss_json = {{"every_samples", o.rss_every}, {"first_kib", kib.front()}, {"last_kib", kib.back()},
                {"max_kib", *std::max_element(kib.begin(), kib.end())}, {"peak_kib", peak}, {"samples", nlohmann::json::array()}};
    for (const auto& s : trainer.rss()) rss_json["samples"].push_back({s.sample, s.rss_kib});
    std::printf("memory: resident %llu KiB after %llu samples, %llu KiB after %llu (largest %llu, peak %llu)\n",
                static_cast<unsigned long long>(kib.front()), static_cast<unsigned long long>(trainer.rss().front().sample),
                static_cast<unsigned long long>(kib.back()), static_cast<unsigned long long>(trainer.rss().back().sample),
                static_cast<unsigned long long>(rss_json["max_kib"].get<uint64_t>()), static_cast<unsigned long long>(peak));
  }

  if (!o.save_weights.empty()) {
    ssnn::Checkpoint out;
    out.config = cfg;
    out.epoch = o.epochs;
    out.weights = dut.read_weights();
    ssnn::save_checkpoint(o.save_weights, out);
  }
  if (!o.report.empty()) {
    nlohmann::json rec = ssnn::result_record(cfg, o.data.dataset, rtl_json.is_null() ? "systemc" : "rtl", o.epochs,
                                             inference_only ? 0 : train_set.size(), test_set.size(), acc, command);
    rec["history"] = history;
    if (o.validation > 0 && !history.empty()) {
      const ssnn::Selection chosen = ssnn::select_epoch(history, "last");
      rec["validation"] = ssnn::validation_json(split);
      rec["selection"] = ssnn::to_json(chosen);
      rec["validation_accuracy"] = chosen.validation_accuracy;
      rec["hardware_validation"] = hw_validation;
    }
    rec["chip"] = chip;
    rec["chip"]["tiles"] = dut.num_tiles();
    rec["chip"]["aer_blocks"] = dut.num_blocks();
    rec["energy_table_pj"] = energy.digital_flat();
    rec["energy_table"] = energy.to_json();
    rec["energy_table_file"] = energy.origin();
    if (!hw_train.is_null()) rec["hardware_train"] = hw_train;
    rec["hardware_test"] = hw_test;
    rec["confusion"] = confusion;
    rec["wall_seconds"] = wall;
    rec["sim_cycles"] = c2.controller.cycles - c0.controller.cycles;  // the whole run, resumed parts included
    rec["sim_cycles_per_s"] = per(launch_cycles, wall);
    rec["train_samples_per_s"] = train_rate;
    rec["test_samples_per_s"] = per(static_cast<double>(test_set.size()), test_seconds);
    if (!o.load_weights.empty()) rec["weights"] = o.load_weights;
    if (inference_only && cfg.seed != ckpt.config.seed) rec["weights_seed"] = ckpt.config.seed;  // as ssnn_golden eval
    if (!rtl_json.is_null()) rec["rtl"] = rtl_json;
    if (!rss_json.is_null()) rec["rss"] = rss_json;
    if (!resumed_from.is_null()) rec["resumed_from"] = resumed_from;
    ssnn::write_json(o.report, rec);
  }
  if (tf && std::filesystem::path(o.trace).extension() == ".fst") {
    // An argument vector, never a shell command: the path may hold any character.
    if (ssnn::run_program({"vcd2fst", vcd_path, o.trace}) != 0)
      throw ConfigError(fmt::format("--trace: vcd2fst could not convert {} (is gtkwave installed?)", vcd_path));
    std::filesystem::remove(vcd_path);
  }
  return 0;
}

}  // namespace

int sc_main(int argc, char** argv) {
  // LockstepError: the first RTL/behavioural disagreement, naming cycle, time, unit, index and signal.
  return ssnn::sc::chip_tb_main<ssnn::sc::LockstepError>("ssnn_chip_tb", [&] { return run(argc, argv); });
}
