// Training and evaluation loops over a data set: shuffling, progress, checkpoints, reports.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ssnn/checkpoint.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/network.hpp"

namespace ssnn {

// The order of epoch e: a Fisher-Yates shuffle driven by the shuffle stream of (seed, e).
std::vector<uint32_t> epoch_order(uint64_t seed, int epoch, size_t n);

struct EvalResult {
  size_t total = 0;
  size_t correct = 0;
  double seconds = 0;
  SampleCounters counters;
  std::vector<std::vector<uint32_t>> confusion;  // [label][prediction]
  double accuracy() const { return total ? static_cast<double>(correct) / static_cast<double>(total) : 0.0; }
};

// A data set must fit the network it is run through: images of `cfg.inputs` pixels, labels below
// `cfg.classes`.  Throws ConfigError naming `option` and the data file.  evaluate() and Trainer
// check it themselves, so no image is ever read past its end.
void check_data_fits(const Dataset& data, const ModelConfig& cfg, const std::string& option);

// Inference over a data set (the streams of `phase`, sample i uses index i), spread over `threads`
// (0 = all cores).  The result does not depend on the thread count.  The test set uses the test
// phase, held-out validation images the validation phase (their own streams).
EvalResult evaluate(GoldenModel& model, const Dataset& data, int threads, bool progress,
                    Phase phase = Phase::kTest);

struct TrainOptions {
  int epochs = 1;
  std::string checkpoint_path;     // empty: no checkpoints
  uint64_t checkpoint_every = 0;   // samples between checkpoints (0: only at epoch ends)
  bool progress = true;
  int threads = 0;                 // evaluation threads (0 = all cores)
  int train_threads = 1;           // threads sharing each training sample (0 = all cores); spinning
                                   // barriers make this slow on a loaded machine, so 1 by default
  bool evaluate_each_epoch = true;  // the test set after every epoch (off when validating: the test
                                    // set then scores only the chosen model, once)
  nlohmann::json split;             // the training split's record (data_split.hpp), kept in checkpoints
  std::string epoch_weights_dir;   // non-empty: each epoch's end weights also go to <dir>/epoch-NNN.ckpt
  uint64_t stop_after = 0;         // stop (after checkpointing) once this many samples ran: for tests
};

struct EpochRecord {
  int epoch = 0;
  uint64_t train_samples = 0;
  double train_accuracy = 0;  // of the predictions made while training (with dropout)
  double test_accuracy = -1;
  double validation_accuracy = -1;  // on the held-out validation images, after the epoch
  double train_seconds = 0;
  double train_samples_per_s = 0;
  double test_seconds = 0;
  SampleCounters train_counters;
};

nlohmann::json to_json(const EpochRecord& r);
// Per-sample averages, for reports.
nlohmann::json counters_json(const SampleCounters& c, uint64_t samples);
// Exact totals, for checkpoints.
nlohmann::json counters_to_json(const SampleCounters& c);
void counters_from_json(const nlohmann::json& j, SampleCounters& c);

// What Trainer::resume_from checks before a checkpoint takes over a run: its configuration equals
// `cfg`, its position lies within `train_samples`, and its training history has the shape run()
// writes. Throws CheckpointError (one line, without the file name). The chip testbench resumes
// from the same checkpoints and shares these checks.
void check_resumable(const Checkpoint& ckpt, const ModelConfig& cfg, uint64_t train_samples);

// "timesteps (checkpoint 6, options 7), seed (...)": the keys whose values differ between a saved
// and a current JSON object (the first three, then how many more).
std::string config_differences(const nlohmann::json& saved, const nlohmann::json& current);

class Trainer {
 public:
  // `validation` (may be null): held-out images scored after every epoch.
  Trainer(GoldenModel& model, const Dataset& train, const Dataset* test, TrainOptions options,
          const Dataset* validation = nullptr);

  // Continue from a checkpoint (its config must equal the model's; its weights replace the model's).
  void resume_from(const Checkpoint& ckpt);

  // Runs the remaining epochs; returns the history of all epochs (including resumed ones).
  // Returns early (after a checkpoint) when stop_after samples have run in this call.
  nlohmann::json run();
  bool stopped_early() const { return stopped_early_; }

 private:
  void save(int epoch, uint64_t position, const nlohmann::json& history) const;

  GoldenModel& model_;
  const Dataset& train_;
  const Dataset* test_;
  const Dataset* validation_;
  TrainOptions opt_;
  int start_epoch_ = 0;
  uint64_t start_position_ = 0;
  nlohmann::json history_ = nlohmann::json::array();
  // Running statistics of the epoch in progress (restored on resume).
  bool stopped_early_ = false;
};

// One-line progress display on stderr.
class ProgressBar {
 public:
  ProgressBar(std::string label, uint64_t total, bool enabled);
  void update(uint64_t done, const std::string& extra = "");
  void finish(const std::string& extra = "");

 private:
  std::string label_;
  uint64_t total_;
  bool enabled_;
  double start_;
  double last_ = -1;
};

double now_seconds();

}  // namespace ssnn
