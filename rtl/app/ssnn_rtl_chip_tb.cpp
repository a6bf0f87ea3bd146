// ssnn_rtl_chip_tb: trains and tests the verilated RTL chip (ssnn_chip_top, plain C++) on IDX data sets
// with ssnn_chip_tb's options, and checks it sample by sample against the golden model and, with
// --check systemc, the SystemC chip run beside it: predictions, output spike counts, every counter
// and the trained weights bit for bit, and the cycles of every controller phase; with --check
// lockstep, at every clock edge (chip_lockstep.hpp). Training goes through ssnn_chip_tb's loop
// (ChipTrainer): the same checkpoints, resume and stop, with the RTL chip's counters (and the SystemC
// reference's state, when it runs) as the chip state.
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
#include "chip_trainer.hpp"
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
using ssnn::sc::kPhaseNames;
using ssnn::rtl::compare_counters;

constexpr size_t kPhases = static_cast<size_t>(ssnn::sc::CtrlPhase::kCount);

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
  for (const char* name : {"--validation", "--rss-every", "--energy", "--energy-table", "--rtl-xpoint-units"})
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

// The RTL chip with the references of --check beside it, driven one sample at a time and compared
// after each (and at every clock edge with lockstep); ChipTrainer trains it as the "rtl" chip level,
// whose state is the RTL chip's counters and, when it runs, the SystemC chip's state.
class CheckedChip final : public ssnn::sc::TrainedChip {
 public:
  CheckedChip(ssnn::rtl::RtlChip& dut, ssnn::sc::ChipHarness* sc_chip, const ssnn::ModelConfig& cfg,
              const ssnn::sc::ChipConfig& chip, const Checks& checks, std::optional<ssnn::sc::RtlInject> inject)
      : dut_(dut), sc_(sc_chip), cfg_(cfg), chip_(chip), inject_(std::move(inject)) {
    if (checks.golden) {
      golden_ = std::make_unique<ssnn::GoldenModel>(cfg);
      ws_ = std::make_unique<ssnn::Workspace>(cfg);
    }
    if (checks.lockstep) lockstep_ = std::make_unique<ssnn::rtl::ChipLockstep>(dut, *sc_chip);
    compare_cycles_ = checks.cycles;
  }

  uint64_t run_index = 0;  // of the next sample in run order (training first): --trace-samples, --rtl-inject
  uint64_t samples_run = 0;
  std::pair<uint64_t, uint64_t> trace_window{0, 0};
  std::optional<uint64_t> trace_from_ps;  // the traced samples' times (ps)
  uint64_t trace_to_ps = 0;

  void load_weights(const std::vector<ssnn::WeightMatrix>& w) {
    dut_.load_weights(w);
    if (golden_) golden_->weights() = w;
    if (sc_) sc_->chip().load_weights(w);
  }

  // One sample through the RTL chip and every reference, compared; `where` names it in a mismatch.
  ssnn::SampleResult run(const uint8_t* image, int label, const ssnn::SampleSpec& spec, const std::string& where) {
    const uint8_t* rtl_image = image;
    const bool injected = inject_ && inject_->at == run_index;
    if (injected && inject_->kind == "encoder") {
      corrupted_.assign(image, image + cfg_.inputs);
      corrupted_[0] ^= 1u;
      rtl_image = corrupted_.data();
    }
    const ChipCounters r0 = dut_.counters();
    const ChipCounters s0 = sc_ ? sc_->chip().counters() : ChipCounters{};
    if (injected && inject_->kind != "encoder") dut_.corrupt_next_sample(inject_->kind);
    ssnn::SampleResult res, s;
    const bool traced = run_index >= trace_window.first && run_index < trace_window.second;
    if (traced && !trace_from_ps) trace_from_ps = dut_.now_ps();
    dut_.set_tracing(traced);
    if (lockstep_) {
      const ssnn::rtl::LockstepResult both = lockstep_->run_sample(rtl_image, image, label, spec, where);
      res = both.rtl;
      s = both.systemc;
    } else {
      res = dut_.run_sample(rtl_image, label, spec);
      if (sc_) s = sc_->run_sample(image, label, spec);
    }
    dut_.set_tracing(false);
    if (traced) trace_to_ps = dut_.now_ps();
    const ChipCounters r1 = dut_.counters();
    if (golden_) {
      const ssnn::SampleResult g = golden_->run_sample(*ws_, image, label, spec);
      const ssnn::rtl::Comparer eq{where, "golden"};
      eq("prediction", static_cast<uint64_t>(g.prediction), static_cast<uint64_t>(res.prediction));
      for (size_t k = 0; k < g.output_counts.size(); ++k)
        eq(fmt::format("output {} spike count", k), static_cast<uint64_t>(g.output_counts[k]),
           static_cast<uint64_t>(res.output_counts[k]));
      compare_counters(eq, ssnn::counters_to_json(ws_->counters), ssnn::counters_to_json(ChipCounters::sample_delta(r0, r1)));
    }
    if (sc_) {
      const ChipCounters s1 = sc_->chip().counters();
      const ssnn::rtl::Comparer eq{where, "SystemC"};
      eq("prediction", static_cast<uint64_t>(s.prediction), static_cast<uint64_t>(res.prediction));
      compare_counters(eq, ssnn::rtl::compared_chip_counters(s1), ssnn::rtl::compared_chip_counters(r1));
      if (compare_cycles_) {
        const auto ds = phase_delta(s0, s1), dr = phase_delta(r0, r1);
        for (size_t p = 1; p < kPhases; ++p) eq(fmt::format("cycles of phase {}", kPhaseNames[p]), ds[p], dr[p]);
      }
    }
    ++run_index;
    ++samples_run;
    return res;
  }

  // The weights after the run against every reference's.
  void compare_weights(const std::vector<ssnn::WeightMatrix>& rtl) {
    if (golden_) ssnn::rtl::compare_weights(golden_->weights(), rtl, "golden");
    if (sc_) ssnn::rtl::compare_weights(sc_->chip().read_weights(), rtl, "SystemC");
  }

  // TrainedChip.
  const ssnn::ModelConfig& config() const override { return cfg_; }
  nlohmann::json chip_config() const override { return chip_; }
  std::string level() const override { return "rtl"; }
  ssnn::SampleResult train_sample(const uint8_t* pixels, int label, const ssnn::SampleSpec& spec, uint32_t image) override {
    return run(pixels, label, spec, fmt::format("training sample {} of epoch {} (image {}, run order {})", spec.index,
                                                spec.epoch + 1, image, run_index));
  }
  ChipCounters counters() const override { return dut_.counters(); }
  std::vector<ssnn::WeightMatrix> read_weights() override {
    // The host's read-back cycles are not the workload's: the counters are put back as they were.
    const ssnn::sc::ChipState before = dut_.state();
    std::vector<ssnn::WeightMatrix> w = dut_.read_weights();
    dut_.restore_state(before);
    return w;
  }
  nlohmann::json state() const override {
    nlohmann::json j{{"rtl", dut_.state()}};
    if (sc_) j["systemc"] = sc_->chip().state();
    return j;
  }
  void restore(const nlohmann::json& state, const std::vector<ssnn::WeightMatrix>& weights) override {
    ssnn::sc::ChipState rtl, systemc;
    state.at("rtl").get_to(rtl);
    dut_.check_state(rtl);
    if (sc_) {
      if (!state.contains("systemc"))
        throw std::invalid_argument("it was written without the SystemC chip beside the RTL chip (resume with its --check)");
      state.at("systemc").get_to(systemc);
      sc_->chip().restore_state(systemc);  // checks its shapes first
    }
    load_weights(weights);
    dut_.restore_state(rtl);  // after the weights: their loading cycles are not the workload's
  }

 private:
  ssnn::rtl::RtlChip& dut_;
  ssnn::sc::ChipHarness* sc_;
  ssnn::ModelConfig cfg_;
  ssnn::sc::ChipConfig chip_;
  std::optional<ssnn::sc::RtlInject> inject_;
  std::unique_ptr<ssnn::GoldenModel> golden_;
  std::unique_ptr<ssnn::Workspace> ws_;
  std::unique_ptr<ssnn::rtl::ChipLockstep> lockstep_;
  bool compare_cycles_ = false;
  std::vector<uint8_t> corrupted_;
};

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
  const std::string resume_path = ssnn::sc::resume_path(app, o);

  const ssnn::sc::ChipTbInputs in = ssnn::sc::load_chip_tb_inputs(app, cfg, o);
  const bool inference_only = in.inference_only;
  const ssnn::Dataset& test_set = in.test_set;
  const ssnn::Dataset& train_set = in.split.train;
  if (!o.trace.empty() && !std::filesystem::path(o.trace).parent_path().empty()) {
    std::error_code ec;  // the waveform's folder is made for it; a failure is reported by the check below
    std::filesystem::create_directories(std::filesystem::path(o.trace).parent_path(), ec);
  }
  // The checkpoint is read back by --resume and rewritten, so it is an output only.
  std::vector<ssnn::RunPath> inputs{{"--load-weights", o.load_weights}, {"--dataset", test_set.images_file},
                                    {"--dataset", test_set.labels_file}, {"--dataset", train_set.images_file},
                                    {"--dataset", train_set.labels_file}};
  if (resume_path != o.checkpoint) inputs.push_back({"--resume", resume_path});
  ssnn::check_run_paths(inputs, {{"--report", o.report}, {"--save-weights", o.save_weights},
                                 {"--checkpoint", o.checkpoint}, {"--trace", o.trace}});
  ssnn::sc::finish_chip_options(app, cfg, chip);

  std::unique_ptr<ssnn::rtl::RtlChip> dut = ssnn::rtl::make_rtl_chip(cfg, chip);
  if (!o.trace.empty()) dut->open_trace(o.trace);
  dut->power_on();
  std::unique_ptr<ssnn::sc::ChipHarness> sc_chip;
  if (checks.systemc) {
    sc_chip = std::make_unique<ssnn::sc::ChipHarness>("systemc", cfg, chip);
    sc_chip->power_on();
  }
  CheckedChip checked(*dut, sc_chip.get(), cfg, chip, checks, inject);
  checked.load_weights(inference_only ? in.ckpt.weights : ssnn::initial_weights(cfg));
  checked.trace_window = trace_window;

  // Training: ssnn_chip_tb's loop, checkpoints and resume. Counters of a fresh chip: the reports are
  // differences from here, and a resumed run's restored counters continue from the same start.
  const bool progress = !o.no_progress;
  ssnn::sc::ChipTrainOptions topt = ssnn::sc::chip_train_options(o);
  topt.name = "rtl chip";
  topt.before_sample = [&](uint64_t i) { checked.run_index = i; };
  ssnn::sc::ChipTrainer trainer(checked, train_set, topt);
  const ChipCounters c0 = dut->counters();
  const ChipCounters sc0 = sc_chip ? sc_chip->chip().counters() : ChipCounters{};
  const nlohmann::json resumed_from = resume_path.empty() ? nlohmann::json() : trainer.resume_for_run(resume_path);
  const double t0 = ssnn::now_seconds();
  const uint64_t edges0 = dut->edges();
  if (!trainer.run_to_end()) return 0;
  const nlohmann::json& history = trainer.epochs();
  const double train_seconds = trainer.train_seconds();
  const ChipCounters c1 = dut->counters();
  const ChipCounters sc1 = sc_chip ? sc_chip->chip().counters() : ChipCounters{};

  // Test.
  ssnn::ProgressBar bar("rtl chip test ", test_set.size(), progress);
  uint64_t correct = 0;
  std::vector<std::vector<uint32_t>> confusion(static_cast<size_t>(cfg.classes),
                                               std::vector<uint32_t>(static_cast<size_t>(cfg.classes), 0));
  nlohmann::json predictions = nlohmann::json::array();
  const double s0 = ssnn::now_seconds();
  for (size_t i = 0; i < test_set.size(); ++i) {
    const ssnn::SampleSpec spec{ssnn::Phase::kTest, 0, i, /*learn=*/false};
    checked.run_index = static_cast<uint64_t>(o.epochs) * train_set.size() + i;  // test samples follow in run order
    const ssnn::SampleResult res =
        checked.run(test_set.image(i), -1, spec, fmt::format("test sample {} (run order {})", i, checked.run_index));
    predictions.push_back(res.prediction);
    const int label = test_set.label(i);
    confusion[static_cast<size_t>(label)][static_cast<size_t>(res.prediction)]++;
    correct += res.prediction == label;
    bar.update(i + 1, fmt::format("acc {:.2f}%", 100.0 * static_cast<double>(correct) / static_cast<double>(i + 1)));
  }
  const double test_seconds = ssnn::now_seconds() - s0;
  const double acc = test_set.size() ? static_cast<double>(correct) / static_cast<double>(test_set.size()) : 0.0;
  bar.finish(fmt::format("acc {:.2f}%", 100.0 * acc));
  const ChipCounters c2 = dut->counters();
  const ChipCounters sc2 = sc_chip ? sc_chip->chip().counters() : ChipCounters{};
  const ssnn::sc::ChipState final_state = dut->state();
  const std::vector<ssnn::WeightMatrix> weights = checked.read_weights();
  checked.compare_weights(weights);

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
  std::printf("checked: %s\n", !checks.golden && !checks.systemc ? "nothing (--check none)"
                                : fmt::format("{} samples{}{}, weights after the run{}{}", checked.samples_run,
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
  nlohmann::json cycles_json;
  for (const auto& [what, rtl_d, sc_d] : {std::tuple{"training", phase_delta(c0, c1), phase_delta(sc0, sc1)},
                                          std::tuple{"inference", phase_delta(c1, c2), phase_delta(sc1, sc2)}}) {
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
  const uint64_t edges = dut->edges() - edges0;  // of this launch
  std::printf("simulation: %.1f s wall, %llu clock edges (%.0f/s), training %.2f samples/s, inference %.2f samples/s%s\n", wall,
              static_cast<unsigned long long>(edges), static_cast<double>(edges) / wall, train_rate, test_rate,
              checks.golden || checks.systemc ? " (references included)" : "");
  if (!o.trace.empty()) {
    if (checked.trace_from_ps)
      std::printf("trace: %s, samples %s, %llu..%llu ps\n", o.trace.c_str(), o.trace_samples.c_str(),
                  static_cast<unsigned long long>(*checked.trace_from_ps), static_cast<unsigned long long>(checked.trace_to_ps));
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
                       {"clock_edges", edges},
                       {"state", final_state}};
    rec["predictions"] = predictions;
    rec["confusion"] = confusion;
    rec["wall_seconds"] = wall;
    rec["train_samples_per_s"] = train_rate;
    rec["test_samples_per_s"] = test_rate;
    if (!o.load_weights.empty()) rec["weights"] = o.load_weights;
    if (!resumed_from.is_null()) rec["resumed_from"] = resumed_from;
    ssnn::write_json(o.report, rec);
  }
  return 0;
}

}  // namespace

int sc_main(int argc, char** argv) {
  return ssnn::sc::chip_tb_main<ssnn::rtl::MismatchError>("ssnn_rtl_chip_tb", [&] { return run(argc, argv); });
}
