// Training and evaluation loops.
#include "ssnn/trainer.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include <fmt/format.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "ssnn/augment.hpp"
#include "ssnn/json_checked.hpp"

namespace ssnn {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<uint32_t> epoch_order(uint64_t seed, int epoch, size_t n) {
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  uint64_t state = sample_key(seed, Phase::kShuffle, static_cast<uint64_t>(epoch), 0);
  for (size_t i = n; i > 1; --i) {
    state = splitmix64(state);
    const size_t j = static_cast<size_t>(state % i);
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

ProgressBar::ProgressBar(std::string label, uint64_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled), start_(now_seconds()) {}

void ProgressBar::update(uint64_t done, const std::string& extra) {
  if (!enabled_) return;
  const double now = now_seconds();
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  if (last_ >= 0 && now - last_ < (tty ? 0.25 : 15.0) && done < total_) return;
  last_ = now;
  const double elapsed = now - start_;
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0.0;
  constexpr int kWidth = 24;
  const int filled = total_ ? static_cast<int>(kWidth * done / total_) : kWidth;
  const std::string bar = std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(kWidth - filled), '.');
  const std::string line = fmt::format("{} [{}] {}/{} {:.0f} samples/s eta {:.0f}s {}", label_, bar, done, total_,
                                       rate, eta, extra);
  std::fprintf(stderr, tty ? "\r%s\033[K" : "%s\n", line.c_str());
  std::fflush(stderr);
}

void ProgressBar::finish(const std::string& extra) {
  if (!enabled_) return;
  last_ = -1;
  update(total_, extra);
  if (::isatty(STDERR_FILENO)) std::fprintf(stderr, "\n");
}

nlohmann::json counters_json(const SampleCounters& c, uint64_t samples) {
  const double n = samples ? static_cast<double>(samples) : 1.0;
  auto per = [&](const std::vector<uint64_t>& v) {
    std::vector<double> out;
    for (uint64_t x : v) out.push_back(static_cast<double>(x) / n);
    return out;
  };
  return nlohmann::json{{"samples", samples},
                        {"forward_spikes_per_sample", per(c.forward_spikes)},
                        {"grad_pos_spikes_per_sample", per(c.pos_spikes)},
                        {"grad_neg_spikes_per_sample", per(c.neg_spikes)},
                        {"synaptic_reads_per_sample", static_cast<double>(c.synaptic_reads) / n},
                        {"gradient_reads_per_sample", static_cast<double>(c.gradient_reads) / n},
                        {"pulses_up_per_sample", static_cast<double>(c.pulses_up) / n},
                        {"pulses_down_per_sample", static_cast<double>(c.pulses_down) / n},
                        {"rate_updates_per_sample", static_cast<double>(c.rate_updates) / n}};
}

// One key per counter, named as the member (the checkpoint format).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SampleCounters, forward_spikes, pos_spikes, neg_spikes, synaptic_reads,
                                   gradient_reads, pulses_up, pulses_down, rate_updates)

nlohmann::json counters_to_json(const SampleCounters& c) { return c; }

void counters_from_json(const nlohmann::json& j, SampleCounters& c) {
  if (!only_counts(j)) throw CheckpointError("activity counters: a count is negative, fractional or beyond 64 bits");
  j.get_to(c);
}

nlohmann::json to_json(const EpochRecord& r) {
  nlohmann::json j{{"epoch", r.epoch + 1},
                   {"train_accuracy", r.train_accuracy},
                   {"train_seconds", r.train_seconds},
                   {"train_samples_per_s", r.train_samples_per_s},
                   {"test_seconds", r.test_seconds}};
  if (r.test_accuracy >= 0) j["test_accuracy"] = r.test_accuracy;
  if (r.validation_accuracy >= 0) j["validation_accuracy"] = r.validation_accuracy;
  j["train_activity"] = counters_json(r.train_counters, r.train_samples);
  return j;
}

void check_data_fits(const Dataset& data, const ModelConfig& cfg, const std::string& option) {
  if (data.size() == 0) return;  // no image to read (the empty training set of an inference-only run)
  if (data.pixels_per_image() != static_cast<size_t>(cfg.inputs))
    throw ConfigError(fmt::format("{}: {}: images of {}x{} = {} pixels, the network has {} inputs", option,
                                  data.images_file.empty() ? data.name : data.images_file, data.rows, data.cols,
                                  data.pixels_per_image(), cfg.inputs));
  for (size_t i = 0; i < data.size(); ++i)
    if (data.label(i) >= cfg.classes)
      throw ConfigError(fmt::format("{}: {}: label {} at index {} is beyond the network's {} classes", option,
                                    data.labels_file.empty() ? data.name : data.labels_file, data.label(i), i,
                                    cfg.classes));
}

EvalResult evaluate(GoldenModel& model, const Dataset& data, [[maybe_unused]] int threads, bool progress, Phase phase) {
  const ModelConfig& cfg = model.config();
  check_data_fits(data, cfg, "--dataset");
  EvalResult result;
  result.total = data.size();
  result.confusion.assign(static_cast<size_t>(cfg.classes), std::vector<uint32_t>(static_cast<size_t>(cfg.classes), 0));
  result.counters.reset(cfg.layers());
  const double start = now_seconds();
  std::atomic<uint64_t> done{0};
  std::atomic<uint64_t> correct{0};
  ProgressBar bar(phase == Phase::kValidation ? "valid" : "test ", data.size(), progress);
  const auto n = static_cast<int64_t>(data.size());
#ifdef _OPENMP
  const int nthreads = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel num_threads(nthreads)
#endif
  {
    Workspace ws(cfg);
    SampleCounters local;
    local.reset(cfg.layers());
    std::vector<std::vector<uint32_t>> confusion(static_cast<size_t>(cfg.classes),
                                                 std::vector<uint32_t>(static_cast<size_t>(cfg.classes), 0));
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 8)
#endif
    for (int64_t i = 0; i < n; ++i) {
      SampleSpec spec;
      spec.phase = phase;
      spec.index = static_cast<uint64_t>(i);
      const SampleResult r = model.run_sample(ws, data.image(static_cast<size_t>(i)), -1, spec);
      const int label = data.label(static_cast<size_t>(i));
      confusion[static_cast<size_t>(label)][static_cast<size_t>(r.prediction)]++;
      if (r.prediction == label) correct.fetch_add(1, std::memory_order_relaxed);
      local.add(ws.counters);
      const uint64_t d = done.fetch_add(1, std::memory_order_relaxed) + 1;
#ifdef _OPENMP
      if (omp_get_thread_num() == 0)
#endif
        bar.update(d, fmt::format("acc {:.2f}%", 100.0 * static_cast<double>(correct.load()) / static_cast<double>(d)));
    }
#ifdef _OPENMP
#pragma omp critical
#endif
    {
      result.counters.add(local);
      for (size_t a = 0; a < confusion.size(); ++a)
        for (size_t b = 0; b < confusion.size(); ++b) result.confusion[a][b] += confusion[a][b];
    }
  }
  result.correct = correct.load();
  result.seconds = now_seconds() - start;
  bar.finish(fmt::format("acc {:.2f}%", 100.0 * result.accuracy()));
  return result;
}

Trainer::Trainer(GoldenModel& model, const Dataset& train, const Dataset* test, TrainOptions options,
                 const Dataset* validation)
    : model_(model), train_(train), test_(test), validation_(validation), opt_(std::move(options)) {
  check_data_fits(train, model.config(), "--dataset");
  if (test) check_data_fits(*test, model.config(), "--dataset");
  if (validation) check_data_fits(*validation, model.config(), "--dataset");
}

// "timesteps (checkpoint 6, options 7), seed (...)": the keys whose values differ.
std::string config_differences(const nlohmann::json& saved, const nlohmann::json& current) {
  std::vector<std::string> diffs;
  for (const auto& [key, value] : current.items()) {
    const bool has = saved.contains(key);
    if (has && saved.at(key) == value) continue;
    diffs.push_back(fmt::format("{} (checkpoint {}, options {})", key, has ? saved.at(key).dump() : "absent", value.dump()));
  }
  for (const auto& [key, value] : saved.items())
    if (!current.contains(key)) diffs.push_back(fmt::format("{} (checkpoint {}, options absent)", key, value.dump()));
  constexpr size_t kShown = 3;
  std::string out;
  for (size_t i = 0; i < diffs.size() && i < kShown; ++i) out += (i ? ", " : "") + diffs[i];
  if (diffs.size() > kShown) out += fmt::format(" and {} more", diffs.size() - kShown);
  return out;
}

namespace {

// The training history a checkpoint carries must have the shape run() writes, for this network and
// this training set: anything else is refused before it is used.
void check_history(const nlohmann::json& h, int layers, uint64_t train_samples, uint64_t position) {
  auto fail = [](const std::string& what) { throw CheckpointError("training history: " + what); };
  if (h.is_array() && h.empty()) {
    if (position != 0) fail("the position is mid-epoch but there are no running statistics");
    return;  // written before any epoch ended
  }
  if (!h.is_object()) fail("not a JSON object");
  if (h.contains("epochs")) {
    if (!h.at("epochs").is_array()) fail("'epochs' is not an array");
    for (const auto& e : h.at("epochs")) {
      if (!e.is_object()) fail("an epoch record is not an object");
      for (const char* key : {"train_seconds", "train_accuracy", "test_accuracy", "test_seconds"})
        if (e.contains(key) && !e.at(key).is_number()) fail(fmt::format("an epoch record's '{}' is not a number", key));
      const auto samples = e.contains("train_activity") && e.at("train_activity").is_object()
                               ? e.at("train_activity").value("samples", nlohmann::json())
                               : nlohmann::json();
      if (samples.is_number_unsigned() && samples.get<uint64_t>() != train_samples)
        fail(fmt::format("epochs ran over {} training samples, this run has {} (resume with the same --train-samples)",
                         samples.get<uint64_t>(), train_samples));
    }
  }
  if (position == 0) return;
  if (!h.contains("partial") || !h.at("partial").is_object())
    fail("the position is mid-epoch but there are no running statistics");
  const nlohmann::json& p = h.at("partial");
  if (!p.contains("correct") || !p.at("correct").is_number_unsigned() || p.at("correct").get<uint64_t>() > position)
    fail("'partial.correct' is missing or larger than the position");
  if (!p.contains("seconds") || !p.at("seconds").is_number()) fail("'partial.seconds' is missing");
  if (p.contains("train_samples") && p.at("train_samples") != train_samples)
    fail(fmt::format("the epoch in progress runs over {} training samples, this run has {} (resume with the same "
                     "--train-samples)", p.at("train_samples").dump(), train_samples));
  SampleCounters c;
  try {
    if (!p.contains("counters")) fail("'partial.counters' is missing");
    counters_from_json(p.at("counters"), c);
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("'partial.counters': ") + json_error_text(e));
  } catch (const CheckpointError& e) {
    fail(std::string("'partial.counters': ") + e.what());
  }
  const auto n = static_cast<size_t>(layers) + 1;
  if (c.forward_spikes.size() != n || c.pos_spikes.size() != n || c.neg_spikes.size() != n)
    fail(fmt::format("'partial.counters' holds {}/{}/{} spike counts (forward/positive/negative), the network has {} "
                     "layers", c.forward_spikes.size(), c.pos_spikes.size(), c.neg_spikes.size(), n));
}

}  // namespace

void check_resumable(const Checkpoint& ckpt, const ModelConfig& cfg, uint64_t train_samples) {
  const nlohmann::json saved = ckpt.config, current = cfg;
  if (saved != current)
    throw CheckpointError("its configuration differs from this run's options in " + config_differences(saved, current) +
                          " (resume with the same options)");
  if (ckpt.position > train_samples)
    throw CheckpointError(fmt::format("it stopped at sample {} of an epoch, this run has only {} training samples "
                                      "(resume with the same --train-samples)", ckpt.position, train_samples));
  check_history(ckpt.history, cfg.layers(), train_samples, ckpt.position);
}

void Trainer::resume_from(const Checkpoint& ckpt) {
  check_resumable(ckpt, model_.config(), train_.size());
  const nlohmann::json saved_split =
      ckpt.history.is_object() && ckpt.history.contains("split") ? ckpt.history.at("split") : nlohmann::json();
  if (saved_split != opt_.split)
    throw CheckpointError(fmt::format("it trained with the validation split {}, this run has {} (resume with the same "
                                      "--validation)", saved_split.is_null() ? "none" : saved_split.dump(),
                                      opt_.split.is_null() ? "none" : opt_.split.dump()));
  model_.weights() = ckpt.weights;
  start_epoch_ = ckpt.epoch;
  start_position_ = ckpt.position;
  history_ = ckpt.history;
}

void Trainer::save(int epoch, uint64_t position, const nlohmann::json& history) const {
  if (opt_.checkpoint_path.empty()) return;
  save_checkpoint(opt_.checkpoint_path, Checkpoint{model_.config(), epoch, position, model_.weights(), history});
}

nlohmann::json Trainer::run() {
  const ModelConfig& cfg = model_.config();
  const size_t n = train_.size();
  Workspace ws(cfg);
  std::vector<uint8_t> augmented;  // the presented image when augmentation transforms it
#ifdef _OPENMP
  model_.set_threads(opt_.train_threads > 0 ? opt_.train_threads : omp_get_max_threads());
#endif
  // history_ = {"epochs": [...], "partial": {...}} so a resumed epoch keeps its running statistics.
  if (!history_.is_object()) history_ = nlohmann::json{{"epochs", nlohmann::json::array()}};
  if (!opt_.split.is_null()) history_["split"] = opt_.split;
  uint64_t ran = 0;
  stopped_early_ = false;
  for (int epoch = start_epoch_; epoch < opt_.epochs; ++epoch) {
    const std::vector<uint32_t> order = epoch_order(cfg.seed, epoch, n);
    uint64_t pos = epoch == start_epoch_ ? start_position_ : 0;
    uint64_t correct = 0;
    double seconds = 0;
    SampleCounters counters;
    counters.reset(cfg.layers());
    if (pos > 0 && history_.contains("partial")) {
      correct = history_["partial"].value("correct", uint64_t{0});
      seconds = history_["partial"].value("seconds", 0.0);
      counters_from_json(history_["partial"].at("counters"), counters);
    }
    ProgressBar bar(fmt::format("epoch {}/{}", epoch + 1, opt_.epochs), n, opt_.progress);
    double t0 = now_seconds();
    auto partial = [&](uint64_t p) {
      nlohmann::json h = history_;
      h["partial"] = {{"correct", correct}, {"seconds", seconds + now_seconds() - t0}, {"position", p},
                      {"train_samples", n}, {"counters", counters_to_json(counters)}};
      return h;
    };
    for (; pos < n; ++pos) {
      const uint32_t idx = order[pos];
      SampleSpec spec;
      spec.phase = Phase::kTrain;
      spec.epoch = static_cast<uint64_t>(epoch);
      spec.index = pos;
      spec.learn = true;
      const int label = train_.label(idx);
      const uint8_t* image = training_image(cfg, train_, idx, spec.epoch, pos, augmented);
      const SampleResult r = model_.run_sample(ws, image, label, spec);
      if (r.prediction == label) ++correct;
      counters.add(ws.counters);
      bar.update(pos + 1, fmt::format("train acc {:.2f}%", 100.0 * static_cast<double>(correct) / static_cast<double>(pos + 1)));
      ++ran;
      const bool periodic = opt_.checkpoint_every && (pos + 1) % opt_.checkpoint_every == 0 && pos + 1 < n;
      const bool stopping = opt_.stop_after && ran >= opt_.stop_after;
      if (periodic || stopping) save(epoch, pos + 1, partial(pos + 1));
      if (stopping && pos + 1 < n) {
        bar.finish("stopped");
        stopped_early_ = true;
        return history_["epochs"];
      }
    }
    seconds += now_seconds() - t0;
    EpochRecord rec;
    rec.epoch = epoch;
    rec.train_accuracy = n ? static_cast<double>(correct) / static_cast<double>(n) : 0.0;
    rec.train_seconds = seconds;
    rec.train_samples_per_s = seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
    rec.train_counters = counters;
    rec.train_samples = n;
    bar.finish(fmt::format("train acc {:.2f}%", 100.0 * rec.train_accuracy));
    if (validation_ && validation_->size() > 0)
      rec.validation_accuracy = evaluate(model_, *validation_, opt_.threads, opt_.progress, Phase::kValidation).accuracy();
    if (test_ && opt_.evaluate_each_epoch) {
      const EvalResult e = evaluate(model_, *test_, opt_.threads, opt_.progress);
      rec.test_accuracy = e.accuracy();
      rec.test_seconds = e.seconds;
    }
    history_["epochs"].push_back(to_json(rec));
    history_.erase("partial");
    save(epoch + 1, 0, history_);
    if (!opt_.epoch_weights_dir.empty()) {
      std::filesystem::create_directories(opt_.epoch_weights_dir);
      save_checkpoint(fmt::format("{}/epoch-{:03d}.ckpt", opt_.epoch_weights_dir, epoch + 1),
                      Checkpoint{cfg, epoch + 1, 0, model_.weights(), history_});
    }
    if (opt_.stop_after && ran >= opt_.stop_after && epoch + 1 < opt_.epochs) {
      stopped_early_ = true;
      return history_["epochs"];
    }
  }
  start_epoch_ = opt_.epochs;
  start_position_ = 0;
  return history_["epochs"];
}

}  // namespace ssnn
