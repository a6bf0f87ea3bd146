// ChipTrainer: the chip's training loop over a data set, with checkpoints and resume (used by
// ssnn_chip_tb and the tests).
//
// The loop is the golden model's (ssnn::Trainer): the same epoch order, sample specs, running
// statistics and checkpoint moments, so the chip trains bit for bit as the golden model does.
// Checkpoints are the golden model's files (ssnn/checkpoint.hpp, written atomically by the same
// code: temporary file, fsync, rename), so chip and golden weights are interchangeable; the history
// object they carry adds the chip's own fields under "chip":
//   {"epochs": [...], "partial": {...} (mid-epoch, as the golden model writes it),
//    "chip": {"format", "epoch", "position", "dataset", "train_samples", "chip_config", "state"}}
// where "state" is what the chip level carries between samples (TrainedChip::state: for the SystemC
// chip the ssnn::sc::ChipState, counters and router arbitration pointer, at the sample boundary),
// and "level" the chip level that wrote it ("systemc" when absent; a checkpoint resumes on its own
// level). A run resumed from a checkpoint ends with the weights, predictions and counters of a run
// that never stopped.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chip_harness.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/network.hpp"

namespace ssnn::sc {

// One chip level as ChipTrainer drives it: the SystemC chip (SystemcTrainedChip below) or the RTL
// chip with its references (ssnn_rtl_chip_tb).
class TrainedChip {
 public:
  virtual ~TrainedChip() = default;
  virtual const ModelConfig& config() const = 0;
  virtual nlohmann::json chip_config() const = 0;
  virtual std::string level() const = 0;  // "systemc", "rtl": recorded in checkpoints
  // One training sample; `image` is its index in the training set.
  virtual SampleResult train_sample(const uint8_t* pixels, int label, const SampleSpec& spec, uint32_t image) = 0;
  virtual ChipCounters counters() const = 0;
  // Between samples; reading the weights back leaves the counters as they were.
  virtual std::vector<WeightMatrix> read_weights() = 0;
  virtual nlohmann::json state() const = 0;
  // Checks `state` against this chip (std::invalid_argument or a nlohmann::json exception, nothing
  // changed), then loads the weights and the state.
  virtual void restore(const nlohmann::json& state, const std::vector<WeightMatrix>& weights) = 0;
};

class SystemcTrainedChip final : public TrainedChip {
 public:
  explicit SystemcTrainedChip(ChipHarness& h) : h_(h) {}
  const ModelConfig& config() const override { return h_.chip().config(); }
  nlohmann::json chip_config() const override { return h_.chip().chip_config(); }
  std::string level() const override { return "systemc"; }
  SampleResult train_sample(const uint8_t* pixels, int label, const SampleSpec& spec, uint32_t) override {
    return h_.run_sample(pixels, label, spec);
  }
  ChipCounters counters() const override { return h_.chip().counters(); }
  std::vector<WeightMatrix> read_weights() override { return h_.chip().read_weights(); }
  nlohmann::json state() const override { return h_.chip().state(); }
  void restore(const nlohmann::json& state, const std::vector<WeightMatrix>& weights) override;

 private:
  ChipHarness& h_;
};

struct ChipTrainOptions {
  int epochs = 1;
  std::string dataset;            // recorded in checkpoints; a resumed run must name the same
  std::string checkpoint_path;    // empty: no checkpoints
  uint64_t checkpoint_every = 0;  // training samples between checkpoints (0: only at epoch ends)
  uint64_t stop_after = 0;        // stop, after a checkpoint, once this launch ran this many samples (tests)
  uint64_t rss_every = 0;         // sample the resident set size every N training samples (0: never)
  bool progress = true;
  std::string name = "chip";  // of the progress bar
  // Called before every training sample with its number in run order (epoch x samples + position),
  // e.g. to trace a window of samples.
  std::function<void(uint64_t)> before_sample;
  // Called after every epoch (before its checkpoint) with the epoch (0-based); returns the accuracy
  // on the held-out validation images, recorded as the epoch's "validation_accuracy". It must leave
  // the chip as it found it (weights, counters, state), so training goes on as without it.
  std::function<double(int)> validate;
  nlohmann::json split;  // the training split's record (ssnn/data_split.hpp); a resumed run must match
};

struct RssSample {
  uint64_t sample = 0;   // training samples done in run order (all epochs), when it was taken
  uint64_t rss_kib = 0;  // VmRSS
};

class ChipTrainer {
 public:
  // The chip's weights are the starting point: load them (initial or trained) before run().
  ChipTrainer(TrainedChip& chip, const Dataset& train, ChipTrainOptions options);
  ChipTrainer(ChipHarness& harness, const Dataset& train, ChipTrainOptions options);

  // Takes over the run saved at `path`. Everything is checked first: the file itself, the model
  // and chip configurations, data set, training-set size, position, history and the chip state's
  // shape; only then are the weights and the chip state loaded. Throws CheckpointError
  // ("path: what", one line) and changes nothing when a check fails.
  void resume_from(const std::string& path);
  // The testbenches' --resume: resume_from with "--resume: " before its error, a "resumed from" line
  // on stderr; returns the report's "resumed_from" record.
  nlohmann::json resume_for_run(const std::string& path);

  // Trains the remaining epochs; returns early, after a checkpoint, once stop_after samples ran.
  void run();
  // The testbenches' run: run(); false, after a line on stdout saying so, when it stopped early.
  bool run_to_end();
  bool stopped_early() const { return stopped_early_; }
  int start_epoch() const { return start_epoch_; }
  uint64_t start_position() const { return start_position_; }

  // Per-epoch records {"epoch" (1-based), "train_accuracy", "train_seconds"[, "validation_accuracy"]},
  // resumed ones included.
  const nlohmann::json& epochs() const { return epochs_; }
  double train_seconds() const;  // over all epochs, resumed ones included
  // Resident memory over this launch: one sample before its first training sample, then every
  // rss_every samples.
  const std::vector<RssSample>& rss() const { return rss_; }

 private:
  void save(int epoch, uint64_t position, uint64_t correct, double seconds, const SampleCounters& activity);
  void sample_rss(uint64_t samples_done);

  std::unique_ptr<TrainedChip> owned_;  // the SystemC chip's, when made from a harness
  TrainedChip& chip_;
  const Dataset& train_;
  ChipTrainOptions opt_;
  int start_epoch_ = 0;
  uint64_t start_position_ = 0;
  nlohmann::json epochs_ = nlohmann::json::array();
  // Running statistics of the epoch in progress, as a resumed checkpoint left them.
  uint64_t resumed_correct_ = 0;
  double resumed_seconds_ = 0;
  SampleCounters resumed_activity_;
  bool stopped_early_ = false;
  std::vector<RssSample> rss_;
};

// This process's resident set size and its peak in KiB (/proc/self/status VmRSS and VmHWM; 0
// where the file or the field is missing).
uint64_t resident_kib();
uint64_t peak_resident_kib();

}  // namespace ssnn::sc
