#include "chip_trainer.hpp"

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "ssnn/augment.hpp"
#include "ssnn/checkpoint.hpp"
#include "ssnn/json_checked.hpp"
#include "ssnn/trainer.hpp"

namespace ssnn::sc {

namespace {

// Version of the "chip" fields in a checkpoint's history; a reader refuses any other.
constexpr int kChipFieldsFormat = 1;

uint64_t status_field_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  const std::string key = std::string(field) + ":";
  for (std::string line; std::getline(in, line);)
    if (line.compare(0, key.size(), key) == 0) return std::stoull(line.substr(key.size()));  // "  1234 kB"
  return 0;
}

std::string level_name(const std::string& level) {
  return level == "rtl" ? "RTL" : level == "systemc" ? "SystemC" : level;
}

}  // namespace

uint64_t resident_kib() { return status_field_kib("VmRSS"); }
uint64_t peak_resident_kib() { return status_field_kib("VmHWM"); }

void SystemcTrainedChip::restore(const nlohmann::json& state, const std::vector<WeightMatrix>& weights) {
  ChipState s;
  state.get_to(s);
  // Shapes of the state against this chip are checked before anything changes; the weights' shapes
  // were checked against the configuration, which equals this chip's, so loading them cannot fail.
  h_.chip().restore_state(s);
  h_.chip().load_weights(weights);
}

ChipTrainer::ChipTrainer(TrainedChip& chip, const Dataset& train, ChipTrainOptions options)
    : chip_(chip), train_(train), opt_(std::move(options)) {
  check_data_fits(train, chip_.config(), "--dataset");  // the encoder reads config().inputs pixels per image
  resumed_activity_.reset(chip_.config().layers());
}

ChipTrainer::ChipTrainer(ChipHarness& harness, const Dataset& train, ChipTrainOptions options)
    : owned_(std::make_unique<SystemcTrainedChip>(harness)), chip_(*owned_), train_(train), opt_(std::move(options)) {
  check_data_fits(train, chip_.config(), "--dataset");
  resumed_activity_.reset(chip_.config().layers());
}

double ChipTrainer::train_seconds() const {
  double s = 0;
  for (const auto& e : epochs_) s += e.value("train_seconds", 0.0);
  return s;
}

void ChipTrainer::resume_from(const std::string& path) {
  const Checkpoint ckpt = load_checkpoint(path);  // the file itself: CRC, sizes, config, weight ranges
  auto refuse = [&](const std::string& what) { throw CheckpointError(fmt::format("{}: {}", path, what)); };
  try {
    check_resumable(ckpt, chip_.config(), train_.size());  // the golden model's checks: config, position, history
  } catch (const CheckpointError& e) {
    refuse(e.what());
  }
  if (ckpt.epoch > opt_.epochs || (ckpt.epoch == opt_.epochs && ckpt.position > 0))
    refuse(fmt::format("it is in epoch {}, this run has only --epochs {}", ckpt.epoch + 1, opt_.epochs));
  const nlohmann::json& history = ckpt.history;
  if (!history.is_object() || !history.contains("chip") || !history.at("chip").is_object())
    refuse("it holds no chip state (a weights file or golden-model checkpoint: its weights load with --load-weights)");
  const nlohmann::json& fields = history.at("chip");
  nlohmann::json epochs;
  try {
    if (fields.at("format") != kChipFieldsFormat)
      refuse(fmt::format("chip fields of format {}, this tool reads {}", fields.at("format").dump(), kChipFieldsFormat));
    // Another tool resuming this file (the golden model) keeps the chip fields but moves on.
    if (fields.at("epoch") != ckpt.epoch || fields.at("position") != ckpt.position)
      refuse(fmt::format("its chip state belongs to epoch {}, sample {}, the checkpoint to epoch {}, sample {} (written "
                         "by another tool after the chip)", fields.at("epoch").dump(), fields.at("position").dump(),
                         ckpt.epoch, ckpt.position));
    const std::string level = fields.value("level", "systemc");
    if (level != chip_.level())
      refuse(fmt::format("it holds the state of the {} chip, this is the {} chip (its weights load with --load-weights)",
                         level_name(level), level_name(chip_.level())));
    if (fields.at("dataset") != opt_.dataset)
      refuse(fmt::format("it trained on data set {}, this run on {} (resume with the same --dataset)",
                         fields.at("dataset").get<std::string>(), opt_.dataset));
    const nlohmann::json saved_split = history.contains("split") ? history.at("split") : nlohmann::json();
    if (saved_split != opt_.split)
      refuse(fmt::format("it trained with the validation split {}, this run has {} (resume with the same --validation)",
                         saved_split.is_null() ? "none" : saved_split.dump(), opt_.split.is_null() ? "none" : opt_.split.dump()));
    if (fields.at("train_samples") != train_.size())
      refuse(fmt::format("it trained on {} samples, this run has {} (resume with the same --train-samples)",
                         fields.at("train_samples").dump(), train_.size()));
    const nlohmann::json saved_chip = fields.at("chip_config"), current_chip = chip_.chip_config();
    if (saved_chip != current_chip)
      refuse("its chip configuration differs from this run's options in " +
             config_differences(saved_chip, current_chip) + " (resume with the same options)");
    epochs = history.contains("epochs") ? history.at("epochs") : nlohmann::json::array();
    if (!epochs.is_array() || epochs.size() != static_cast<size_t>(ckpt.epoch))
      refuse(fmt::format("its history holds {} epoch records for {} finished epochs",
                         epochs.is_array() ? epochs.size() : 0, ckpt.epoch));
    for (const auto& e : epochs)
      if (!e.is_object() || !e.value("train_accuracy", nlohmann::json()).is_number() ||
          !e.value("train_seconds", nlohmann::json()).is_number())
        refuse("an epoch record lacks train_accuracy or train_seconds");
    try {
      chip_.restore(fields.at("state"), ckpt.weights);
    } catch (const std::invalid_argument& e) {
      refuse(e.what());
    }
  } catch (const nlohmann::json::exception& e) {
    refuse(fmt::format("chip fields: {}", json_error_text(e)));
  }
  start_epoch_ = ckpt.epoch;
  start_position_ = ckpt.position;
  epochs_ = epochs;
  resumed_correct_ = 0;
  resumed_seconds_ = 0;
  resumed_activity_.reset(chip_.config().layers());
  if (ckpt.position > 0) {  // check_resumable made sure these are there and sound
    const nlohmann::json& p = history.at("partial");
    resumed_correct_ = p.at("correct").get<uint64_t>();
    resumed_seconds_ = p.at("seconds").get<double>();
    counters_from_json(p.at("counters"), resumed_activity_);
  }
}

nlohmann::json ChipTrainer::resume_for_run(const std::string& path) {
  try {
    resume_from(path);
  } catch (const CheckpointError& e) {
    throw CheckpointError(fmt::format("--resume: {}", e.what()));
  }
  std::fprintf(stderr, "resumed from %s at epoch %d, sample %llu\n", path.c_str(), start_epoch_ + 1,
               static_cast<unsigned long long>(start_position_));
  return {{"file", path}, {"epochs_done", start_epoch_}, {"position", start_position_}};
}

bool ChipTrainer::run_to_end() {
  run();
  if (stopped_early_)
    std::printf("stopped after %llu samples; resume with --resume\n", static_cast<unsigned long long>(opt_.stop_after));
  return !stopped_early_;
}

void ChipTrainer::save(int epoch, uint64_t position, uint64_t correct, double seconds, const SampleCounters& activity) {
  if (opt_.checkpoint_path.empty()) return;
  Checkpoint c;
  c.config = chip_.config();
  c.epoch = epoch;
  c.position = position;
  c.weights = chip_.read_weights();
  c.history = nlohmann::json{{"epochs", epochs_}};
  if (!opt_.split.is_null()) c.history["split"] = opt_.split;
  if (position > 0)  // the golden model's running statistics, so it could go on from here as well
    c.history["partial"] = {{"correct", correct}, {"seconds", seconds}, {"position", position},
                            {"train_samples", train_.size()}, {"counters", counters_to_json(activity)}};
  c.history["chip"] = {{"format", kChipFieldsFormat},
                       {"level", chip_.level()},
                       {"epoch", epoch},
                       {"position", position},
                       {"dataset", opt_.dataset},
                       {"train_samples", train_.size()},
                       {"chip_config", chip_.chip_config()},
                       {"state", chip_.state()}};
  save_checkpoint(opt_.checkpoint_path, c);
}

void ChipTrainer::sample_rss(uint64_t samples_done) { rss_.push_back({samples_done, resident_kib()}); }

void ChipTrainer::run() {
  const ModelConfig& cfg = chip_.config();
  const size_t n = train_.size();
  uint64_t ran = 0;
  std::vector<uint8_t> augmented;  // the presented image when augmentation transforms it
  stopped_early_ = false;
  if (opt_.rss_every > 0) sample_rss(static_cast<uint64_t>(start_epoch_) * n + start_position_);
  for (int epoch = start_epoch_; epoch < opt_.epochs; ++epoch) {
    const std::vector<uint32_t> order = epoch_order(cfg.seed, epoch, n);
    const bool resumed = epoch == start_epoch_ && start_position_ > 0;
    uint64_t pos = resumed ? start_position_ : 0;
    uint64_t correct = resumed ? resumed_correct_ : 0;
    double seconds = resumed ? resumed_seconds_ : 0.0;
    SampleCounters activity = resumed_activity_;
    if (!resumed) activity.reset(cfg.layers());
    // The epoch's activity so far: what a resumed checkpoint brought plus the counters since here.
    const ChipCounters at_start = chip_.counters();
    auto activity_now = [&] {
      SampleCounters a = activity;
      a.add(ChipCounters::sample_delta(at_start, chip_.counters()));
      return a;
    };
    ProgressBar bar(fmt::format("{} epoch {}/{}", opt_.name, epoch + 1, opt_.epochs), n, opt_.progress);
    const double t0 = now_seconds();
    for (; pos < n; ++pos) {
      const uint32_t idx = order[pos];
      const SampleSpec spec{Phase::kTrain, static_cast<uint64_t>(epoch), pos, /*learn=*/true};
      const uint64_t run_index = static_cast<uint64_t>(epoch) * n + pos;
      if (opt_.before_sample) opt_.before_sample(run_index);
      const uint8_t* image = training_image(cfg, train_, idx, spec.epoch, pos, augmented);
      const SampleResult res = chip_.train_sample(image, train_.label(idx), spec, idx);
      if (res.prediction == train_.label(idx)) ++correct;
      bar.update(pos + 1, fmt::format("train acc {:.2f}%", 100.0 * static_cast<double>(correct) / static_cast<double>(pos + 1)));
      ++ran;
      if (opt_.rss_every > 0 && (run_index + 1) % opt_.rss_every == 0) sample_rss(run_index + 1);
      const bool periodic = opt_.checkpoint_every && (pos + 1) % opt_.checkpoint_every == 0 && pos + 1 < n;
      const bool stopping = opt_.stop_after && ran >= opt_.stop_after;
      if (periodic || stopping) save(epoch, pos + 1, correct, seconds + now_seconds() - t0, activity_now());
      if (stopping && pos + 1 < n) {
        bar.finish("stopped");
        stopped_early_ = true;
        return;
      }
    }
    seconds += now_seconds() - t0;
    const double acc = n ? static_cast<double>(correct) / static_cast<double>(n) : 0.0;
    bar.finish(fmt::format("train acc {:.2f}%", 100.0 * acc));
    nlohmann::json record{{"epoch", epoch + 1}, {"train_accuracy", acc}, {"train_seconds", seconds}};
    if (opt_.validate) record["validation_accuracy"] = opt_.validate(epoch);
    epochs_.push_back(record);
    save(epoch + 1, 0, 0, 0.0, activity);
    if (opt_.stop_after && ran >= opt_.stop_after && epoch + 1 < opt_.epochs) {
      stopped_early_ = true;
      return;
    }
  }
  start_epoch_ = opt_.epochs;
  start_position_ = 0;
}

}  // namespace ssnn::sc
