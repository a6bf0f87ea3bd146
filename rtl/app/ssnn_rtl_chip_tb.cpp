// ssnn_rtl_chip_tb: trains and tests the verilated RTL chip (ssnn_chip_top, plain C++) on IDX data sets
// with ssnn_chip_tb's options, and checks it sample by sample against the golden model and, with
// --check systemc, the SystemC chip run beside it: predictions, output spike counts, every counter
// and the trained weights bit for bit, and the cycles of every controller phase; with --check
// lockstep, at every clock edge (chip_lockstep.hpp).
#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "chip_harness.hpp"
#include "chip_lockstep.hpp"
#include "chip_state.hpp"
#include "chip_tb_options.hpp"
#include "counter_compare.hpp"
#include "rtl_chip.hpp"
#include "ssnn/augment.hpp"
#include "ssnn/checkpoint.hpp"
#include "ssnn/data_split.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/network.hpp"
#include "ssnn/output_path.hpp"
#include "ssnn/report.hpp"
#include "ssnn/run_limits.hpp"
#include "ssnn/trainer.hpp"

namespace {

using ssnn::ConfigError;
using ssnn::sc::ChipCounters;
using ssnn::sc::CtrlPhase;
using ssnn::sc::kPhaseNames;
using ssnn::rtl::Comparer;
using ssnn::rtl::MismatchError;
using ssnn::rtl::compare_counters;
using ssnn::rtl::compare_weights;
using ssnn::rtl::compared_chip_counters;

constexpr size_t kPhases = static_cast<size_t>(CtrlPhase::kCount);

struct Checks {
  bool golden = false, systemc = false, cycles = false, lockstep = false;
};

Checks parse_checks(const std::string& list) {
  Checks c;
  if (list == "none") return c;
  std::stringstream ss(list);
  for (std::string item; std::getline(ss, item, ',');) {
    if (item == "golden") c.golden = true;
    else if (item == "systemc") c.systemc = true;
    else if (item == "cycles") c.cycles = c.systemc = true;
    else if (item == "lockstep") c.lockstep = c.cycles = c.systemc = true;
    else throw ConfigError(fmt::format("--check: '{}' is not golden, systemc, cycles, lockstep or none", item));
  }
  return c;
}

// --rtl-inject KIND[:N] (parse_rtl_inject) corrupts what the RTL chip gets for the N-th sample in run
// order (tests that the checks fail): neuron (the hidden thresholds a quarter higher), coincidence
// (up pulse + 1 LSB), encoder (pixel 0's lowest bit flipped).
std::optional<ssnn::sc::RtlInject> parse_inject(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return ssnn::sc::parse_rtl_inject(s, "sample");
}

// Options of ssnn_chip_tb that name something this testbench does not have.
void refuse_unsupported(const CLI::App& app, const ssnn::sc::ChipTbOptions& o) {
  for (const char* name : {"--validation", "--checkpoint", "--checkpoint-every", "--resume", "--stop-after", "--rss-every",
                           "--energy", "--energy-table", "--rtl-xpoint-units"})
    if (app.count(name) > 0)
      throw ConfigError(fmt::format("{}: not offered by the RTL chip testbench (ssnn_chip_tb has it)", name));
  for (const char* name : {"--trace-blocks", "--trace-neuron", "--trace-xpoint"})
    if (app.count(name) > 0)
      throw ConfigError(fmt::format("{}: the RTL chip's trace holds every signal of the chip; the presets of rtl/gtkw/ "
                                    "pick them (docs/rtl.md, Waveforms)", name));
  if (!o.trace.empty() && std::filesystem::path(o.trace).extension() != ".fst")
    throw ConfigError(fmt::format("--trace: '{}' must end in .fst (the RTL chip writes FST)", o.trace));
  if (o.rtl != "none" && o.rtl != "all")
    throw ConfigError(fmt::format("--rtl {}: the RTL chip testbench runs every block in RTL (all)", o.rtl));
}

// Cycles of every phase but idle (the host's pixel and weight writes are idle cycles of the RTL chip,
// free in the SystemC model) between two snapshots.
std::array<uint64_t, kPhases> phase_delta(const ChipCounters& a, const ChipCounters& b) {
  std::array<uint64_t, kPhases> d{};
  for (size_t p = 1; p < kPhases; ++p) d[p] = b.controller.phase_cycles[p] - a.controller.phase_cycles[p];
  return d;
}

uint64_t busy_cycles(const std::array<uint64_t, kPhases>& d) {
  uint64_t s = 0;
  for (size_t p = 1; p < kPhases; ++p) s += d[p];
  return s;
}

nlohmann::json phases_json(const std::array<uint64_t, kPhases>& d) {
  nlohmann::json j = nlohmann::json::object();
  for (size_t p = 1; p < kPhases; ++p) j[kPhaseNames[p]] = d[p];
  return j;
}

int run(int argc, char** argv) {
  CLI::App app{"SSNN-BP RTL chip (verilated ssnn_chip_top, plain C++): train and test on IDX data, checked bit for bit "
               "against the golden model and the SystemC chip"};
  ssnn::ModelConfig cfg;
  ssnn::ModelOptionText text;
  ssnn::sc::ChipConfig chip;
  ssnn::sc::ChipTbOptions o;
  o.rtl = "all";
  std::string check_list = "golden";
  ssnn::one_line_errors(app, "ssnn_rtl_chip_tb");
  ssnn::sc::add_chip_tb_options(app, cfg, text, chip, o);
  app.add_option("--check", check_list,
                 "references run beside the RTL chip, compared after every sample: golden, systemc (the SystemC chip: "
                 "every counter, cycles per phase reported), cycles (systemc, and equal cycles per phase required), "
                 "lockstep (cycles, and both chips stepped one clock edge at a time and compared at every edge: the "
                 "first differing cycle, block and signal named), comma list or none")
      ->group("Run")->capture_default_str();
  if (const std::optional<int> exit_code = ssnn::parse_or_exit(app, argc, argv)) return *exit_code;
  const std::string command = ssnn::command_line(argc, argv);
  refuse_unsupported(app, o);
  const Checks checks = parse_checks(check_list);
  const std::pair<uint64_t, uint64_t> trace_window =
      o.trace.empty() ? std::pair<uint64_t, uint64_t>{0, 0} : ssnn::sc::parse_trace_window(o.trace_samples);
  const std::optional<ssnn::sc::RtlInject> inject = parse_inject(o.rtl_inject);
  ssnn::finish_model_options(cfg, text);
  if (o.epochs < 0 || o.epochs > 10000) throw ConfigError(fmt::format("--epochs: {} is out of range 0..10000", o.epochs));

  const ssnn::sc::ChipTbInputs in = ssnn::sc::load_chip_tb_inputs(app, cfg, o);
  const bool inference_only = in.inference_only;
  const ssnn::Dataset& test_set = in.test_set;
  const ssnn::Dataset& train_set = in.split.train;
  if (!o.trace.empty() && !std::filesystem::path(o.trace).parent_path().empty()) {
    std::error_code ec;  // the waveform's folder is made for it; a failure is reported by the check below
    std::filesystem::create_directories(std::filesystem::path(o.trace).parent_path(), ec);
  }
  ssnn::check_run_paths({{"--load-weights", o.load_weights}, {"--dataset", test_set.images_file},
                         {"--dataset", test_set.labels_file}, {"--dataset", train_set.images_file},
                         {"--dataset", train_set.labels_file}},
                        {{"--report", o.report}, {"--save-weights", o.save_weights}, {"--trace", o.trace}});
  ssnn::sc::finish_chip_options(app, cfg, chip);

  std::unique_ptr<ssnn::rtl::RtlChip> dut = ssnn::rtl::make_rtl_chip(cfg, chip);
  if (!o.trace.empty()) dut->open_trace(o.trace);
  const std::vector<ssnn::WeightMatrix> w0 = inference_only ? in.ckpt.weights : ssnn::initial_weights(cfg);
  dut->power_on();
  dut->load_weights(w0);
  std::unique_ptr<ssnn::GoldenModel> golden;
  std::unique_ptr<ssnn::Workspace> ws;
  if (checks.golden) {
    golden = std::make_unique<ssnn::GoldenModel>(cfg);
    golden->weights() = w0;
    ws = std::make_unique<ssnn::Workspace>(cfg);
  }
  std::unique_ptr<ssnn::sc::ChipHarness> sc_chip;
  if (checks.systemc) {
    sc_chip = std::make_unique<ssnn::sc::ChipHarness>("systemc", cfg, chip);
    sc_chip->power_on();
    sc_chip->chip().load_weights(w0);
  }

  std::unique_ptr<ssnn::rtl::ChipLockstep> lockstep;
  if (checks.lockstep) lockstep = std::make_unique<ssnn::rtl::ChipLockstep>(*dut, *sc_chip);

  // One sample through the RTL chip and every reference, compared.
  uint64_t run_index = 0;
  std::optional<uint64_t> trace_from_ps;  // the traced samples' times (ps)
  uint64_t trace_to_ps = 0;
  std::array<uint64_t, kPhases> sc_phases_train{}, sc_phases_test{};
  std::vector<uint8_t> corrupted;
  auto run_sample = [&](const uint8_t* image, int label, const ssnn::SampleSpec& spec, const std::string& where,
                        std::array<uint64_t, kPhases>* sc_phases) {
    const uint8_t* rtl_image = image;
    const bool injected = inject && inject->at == run_index;
    if (injected && inject->kind == "encoder") {
      corrupted.assign(image, image + cfg.inputs);
      corrupted[0] ^= 1u;
      rtl_image = corrupted.data();
    }
    const ChipCounters r0 = dut->counters();
    const ChipCounters s0 = sc_chip ? sc_chip->chip().counters() : ChipCounters{};
    if (injected && inject->kind != "encoder") dut->corrupt_next_sample(inject->kind);
    ssnn::SampleResult res, s;
    const bool traced = !o.trace.empty() && run_index >= trace_window.first && run_index < trace_window.second;
    if (traced && !trace_from_ps) trace_from_ps = dut->now_ps();
    dut->set_tracing(traced);
    if (lockstep) {
      const ssnn::rtl::LockstepResult both = lockstep->run_sample(rtl_image, image, label, spec, where);
      res = both.rtl;
      s = both.systemc;
    } else {
      res = dut->run_sample(rtl_image, label, spec);
      if (sc_chip) s = sc_chip->run_sample(image, label, spec);
    }
    dut->set_tracing(false);
    if (traced) trace_to_ps = dut->now_ps();
    const ChipCounters r1 = dut->counters();
    if (golden) {
      const ssnn::SampleResult g = golden->run_sample(*ws, image, label, spec);
      const Comparer eq{where, "golden"};
      eq("prediction", static_cast<uint64_t>(g.prediction), static_cast<uint64_t>(res.prediction));
      for (size_t k = 0; k < g.output_counts.size(); ++k)
        eq(fmt::format("output {} spike count", k), static_cast<uint64_t>(g.output_counts[k]),
           static_cast<uint64_t>(res.output_counts[k]));
      compare_counters(eq, ssnn::counters_to_json(ws->counters), ssnn::counters_to_json(ChipCounters::sample_delta(r0, r1)));
    }
    if (sc_chip) {
      const ChipCounters s1 = sc_chip->chip().counters();
      const Comparer eq{where, "SystemC"};
      eq("prediction", static_cast<uint64_t>(s.prediction), static_cast<uint64_t>(res.prediction));
      compare_counters(eq, compared_chip_counters(s1), compared_chip_counters(r1));
      const auto ds = phase_delta(s0, s1), dr = phase_delta(r0, r1);
      for (size_t p = 1; p < kPhases; ++p) (*sc_phases)[p] += ds[p];
      if (checks.cycles)
        for (size_t p = 1; p < kPhases; ++p) eq(fmt::format("cycles of phase {}", kPhaseNames[p]), ds[p], dr[p]);
    }
    ++run_index;
    return res;
  };

  // Training: the golden model's epoch order and sample specs (as ChipTrainer).
  const ChipCounters c0 = dut->counters();
  const double t0 = ssnn::now_seconds();
  const bool progress = !o.no_progress;
  nlohmann::json history = nlohmann::json::array();
  std::vector<uint8_t> augmented;
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    const size_t n = train_set.size();
    const std::vector<uint32_t> order = ssnn::epoch_order(cfg.seed, epoch, n);
    ssnn::ProgressBar bar(fmt::format("rtl chip epoch {}/{}", epoch + 1, o.epochs), n, progress);
    uint64_t correct = 0;
    const double e0 = ssnn::now_seconds();
    for (size_t pos = 0; pos < n; ++pos) {
      const uint32_t idx = order[pos];
      const ssnn::SampleSpec spec{ssnn::Phase::kTrain, static_cast<uint64_t>(epoch), pos, /*learn=*/true};
      const uint8_t* image = ssnn::training_image(cfg, train_set, idx, spec.epoch, pos, augmented);
      const std::string where = fmt::format("training sample {} of epoch {} (image {}, run order {})", pos, epoch + 1, idx, run_index);
      const ssnn::SampleResult res = run_sample(image, train_set.label(idx), spec, where, &sc_phases_train);
      correct += res.prediction == train_set.label(idx);
      bar.update(pos + 1, fmt::format("train acc {:.2f}%", 100.0 * static_cast<double>(correct) / static_cast<double>(pos + 1)));
    }
    const double acc = n ? static_cast<double>(correct) / static_cast<double>(n) : 0.0;
    bar.finish(fmt::format("train acc {:.2f}%", 100.0 * acc));
    history.push_back({{"epoch", epoch + 1}, {"train_accuracy", acc}, {"train_seconds", ssnn::now_seconds() - e0}});
  }
  const double train_seconds = ssnn::now_seconds() - t0;
  const ChipCounters c1 = dut->counters();

  // Test.
  ssnn::ProgressBar bar("rtl chip test ", test_set.size(), progress);
  uint64_t correct = 0;
  std::vector<std::vector<uint32_t>> confusion(static_cast<size_t>(cfg.classes),
                                               std::vector<uint32_t>(static_cast<size_t>(cfg.classes), 0));
  const double s0 = ssnn::now_seconds();
  for (size_t i = 0; i < test_set.size(); ++i) {
    const ssnn::SampleSpec spec{ssnn::Phase::kTest, 0, i, /*learn=*/false};
    const ssnn::SampleResult res =
        run_sample(test_set.image(i), -1, spec, fmt::format("test sample {} (run order {})", i, run_index), &sc_phases_test);
    const int label = test_set.label(i);
    confusion[static_cast<size_t>(label)][static_cast<size_t>(res.prediction)]++;
    correct += res.prediction == label;
    bar.update(i + 1, fmt::format("acc {:.2f}%", 100.0 * static_cast<double>(correct) / static_cast<double>(i + 1)));
  }
  const double test_seconds = ssnn::now_seconds() - s0;
  const double acc = test_set.size() ? static_cast<double>(correct) / static_cast<double>(test_set.size()) : 0.0;
  bar.finish(fmt::format("acc {:.2f}%", 100.0 * acc));
  const ChipCounters c2 = dut->counters();
  const std::vector<ssnn::WeightMatrix> weights = dut->read_weights();
  if (golden) compare_weights(golden->weights(), weights, "golden");
  if (sc_chip) compare_weights(sc_chip->chip().read_weights(), weights, "SystemC");

  // Summary.
  const std::string net = fmt::format("{}-{}-{}", cfg.inputs, fmt::join(cfg.hidden, "-"), cfg.classes);
  std::printf("rtl chip %s, T=%d, %s updates, WTA %s, %zu tiles (%dx%d), %d lanes, %d encoder lanes, %d events/cycle, "
              "FIFO %d\n",
              net.c_str(), cfg.timesteps, ssnn::to_string(cfg.update_mode), cfg.wta ? "on" : "off",
              ssnn::sc::ChipFloorplan(cfg, chip).tiles.size(),
              chip.tile_span(cfg.inputs, true), chip.tile_span(cfg.hidden.front(), false), chip.lanes, chip.encoder_lanes,
              chip.events_per_cycle, chip.fifo_depth);
  std::printf("test accuracy: %.2f %% (%llu / %zu)%s\n", 100.0 * acc, static_cast<unsigned long long>(correct),
              test_set.size(), inference_only ? " with loaded weights" : fmt::format(" after {} epochs", o.epochs).c_str());
  const uint64_t samples = c2.controller.samples - c0.controller.samples;
  std::printf("checked: %s\n", !checks.golden && !checks.systemc ? "nothing (--check none)"
                                : fmt::format("{} samples{}{}, weights after the run{}{}", samples,
                                              checks.golden ? ", golden model (predictions, spike counts, counters)" : "",
                                              checks.systemc ? ", SystemC chip (predictions, every counter)" : "",
                                              checks.cycles ? ", equal cycles per phase" : "",
                                              checks.lockstep ? ", lockstep at every clock edge" : "").c_str());
  const ssnn::sc::AerRouterCounters& router = c2.router;
  uint64_t head_stalls = 0, input_stalls = 0;
  for (size_t i = 0; i < router.head_stall_cycles.size(); ++i) {
    head_stalls += router.head_stall_cycles[i];
    input_stalls += router.input_stall_cycles[i];
  }
  std::printf("router: %llu events out, %llu stall cycles (%llu bandwidth, %llu output), %llu head-of-line and %llu "
              "backpressure (sender held) cycles\n",
              static_cast<unsigned long long>(router.total_events_out()),
              static_cast<unsigned long long>(router.stall_cycles), static_cast<unsigned long long>(router.bandwidth_stall_cycles),
              static_cast<unsigned long long>(router.output_stall_cycles), static_cast<unsigned long long>(head_stalls),
              static_cast<unsigned long long>(input_stalls));
  const auto rtl_train = phase_delta(c0, c1), rtl_test = phase_delta(c1, c2);
  nlohmann::json cycles_json;
  for (const auto& [what, rtl_d, sc_d] : {std::tuple{"training", rtl_train, sc_phases_train},
                                          std::tuple{"inference", rtl_test, sc_phases_test}}) {
    if (busy_cycles(rtl_d) == 0) continue;
    std::printf("%s cycles by phase (RTL%s):", what, sc_chip ? " / SystemC" : "");
    for (size_t p = 1; p < kPhases; ++p) {
      if (sc_chip)
        std::printf(" %s %llu/%llu", kPhaseNames[p], static_cast<unsigned long long>(rtl_d[p]),
                    static_cast<unsigned long long>(sc_d[p]));
      else
        std::printf(" %s %llu", kPhaseNames[p], static_cast<unsigned long long>(rtl_d[p]));
    }
    std::printf("\n");
    cycles_json[what] = {{"rtl", phases_json(rtl_d)}, {"rtl_busy", busy_cycles(rtl_d)}};
    if (sc_chip) cycles_json[what]["systemc"] = phases_json(sc_d), cycles_json[what]["systemc_busy"] = busy_cycles(sc_d);
  }
  const double wall = ssnn::now_seconds() - t0;
  const double train_rate = train_seconds > 0 ? static_cast<double>(train_set.size()) * o.epochs / train_seconds : 0.0;
  const double test_rate = test_seconds > 0 ? static_cast<double>(test_set.size()) / test_seconds : 0.0;
  std::printf("simulation: %.1f s wall, %llu clock edges (%.0f/s), training %.2f samples/s, inference %.2f samples/s%s\n", wall,
              static_cast<unsigned long long>(dut->edges()), static_cast<double>(dut->edges()) / wall, train_rate, test_rate,
              checks.golden || checks.systemc ? " (references included)" : "");
  if (!o.trace.empty()) {
    if (trace_from_ps)
      std::printf("trace: %s, samples %s, %llu..%llu ps\n", o.trace.c_str(), o.trace_samples.c_str(),
                  static_cast<unsigned long long>(*trace_from_ps), static_cast<unsigned long long>(trace_to_ps));
    else
      std::printf("trace: %s is empty (no sample of --trace-samples %s ran)\n", o.trace.c_str(), o.trace_samples.c_str());
  }

  if (!o.save_weights.empty()) {
    ssnn::Checkpoint out;
    out.config = cfg;
    out.epoch = o.epochs;
    out.weights = weights;
    ssnn::save_checkpoint(o.save_weights, out);
  }
  if (!o.report.empty()) {
    nlohmann::json rec = ssnn::result_record(cfg, o.data.dataset, "rtl", o.epochs, inference_only ? 0 : train_set.size(),
                                             test_set.size(), acc, command);
    rec["history"] = history;
    rec["chip"] = chip;
    rec["rtl_chip"] = {{"model", "ssnn_chip_top"},
                       {"checked", {{"golden", checks.golden}, {"systemc", checks.systemc}, {"cycles", checks.cycles}, {"lockstep", checks.lockstep}}},
                       {"cycles_by_phase", cycles_json},
                       {"clock_edges", dut->edges()}};
    rec["confusion"] = confusion;
    rec["wall_seconds"] = wall;
    rec["train_samples_per_s"] = train_rate;
    rec["test_samples_per_s"] = test_rate;
    if (!o.load_weights.empty()) rec["weights"] = o.load_weights;
    ssnn::write_json(o.report, rec);
  }
  return 0;
}

}  // namespace

int sc_main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const ssnn::rtl::LockstepMismatch& e) {
    std::fprintf(stderr, "ssnn_rtl_chip_tb: error: %s\n", e.what());
    return 3;
  } catch (const MismatchError& e) {
    std::fprintf(stderr, "ssnn_rtl_chip_tb: error: mismatch: %s\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ssnn_rtl_chip_tb: error: %s\n", e.what());
    return 2;
  }
}
