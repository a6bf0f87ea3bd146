// The golden model: SSNN-BP in the chip's integer arithmetic, one sample at a time.
#pragma once

#include <cstdint>
#include <vector>

#include "ssnn/config.hpp"
#include "ssnn/contract/lfsr.hpp"
#include "ssnn/contract/sample.hpp"
#include "ssnn/contract/seeding.hpp"
#include "ssnn/contract/weights.hpp"

namespace ssnn {

// He-uniform initial weights from the init streams (seeding.hpp), on the device grid if it has one.
std::vector<WeightMatrix> initial_weights(const ModelConfig& cfg);

// Scratch state of one sample in flight; one per thread.
class Workspace {
 public:
  explicit Workspace(const ModelConfig& cfg);

 private:
  friend class GoldenModel;
  std::vector<std::vector<int32_t>> fwd_charge_, fwd_potential_, grad_charge_, grad_pos_, grad_neg_;
  std::vector<std::vector<uint8_t>> gate_, fwd_flag_, gate_open_, pos_flag_, neg_flag_, keep_;
  std::vector<std::vector<int32_t>> acc_, count_fwd_, count_pos_, count_neg_;
  std::vector<std::vector<int>> list_fwd_, list_pos_, list_neg_;
  std::vector<Lfsr> pixel_lfsr_;
  std::vector<int> active_pixels_;
  std::vector<int> grad_columns_;
  std::vector<uint32_t> ramp_;
  // Per-thread spike lists [thread][layer] and counters of a sample split across threads.
  std::vector<std::vector<std::vector<int>>> part_fwd_, part_pos_, part_neg_;
  std::vector<SampleCounters> thread_counters_;
  int label_spike_ = -1;
  std::vector<WeightMatrix> pending_;  // kStochasticSample: the sample's summed pulses per cross-point

 public:
  SampleCounters counters;
};

class GoldenModel {
 public:
  explicit GoldenModel(const ModelConfig& cfg);  // validates the config and initialises the weights

  const ModelConfig& config() const { return cfg_; }
  std::vector<WeightMatrix>& weights() { return weights_; }
  const std::vector<WeightMatrix>& weights() const { return weights_; }

  // Runs one sample (label < 0 when unknown; required when spec.learn).  Learning updates the weights;
  // inference only reads them, so several threads may infer at once, each with its own workspace.
  SampleResult run_sample(Workspace& ws, const uint8_t* pixels, int label, const SampleSpec& spec,
                          StepObserver* observer = nullptr);

  // Threads that share one training sample (hidden neurons split into ranges).  Results do not
  // depend on it.  Inference inside a parallel region always uses one.
  static constexpr int kMaxSampleThreads = 8;
  void set_threads(int threads) { threads_ = threads; }
  int sample_threads() const;

 private:
  void reset_sample(Workspace& ws, const uint8_t* pixels, const SampleSpec& spec) const;
  void end_of_sample_updates(Workspace& ws, const SampleSpec& spec);
  void run_steps(Workspace& ws, const uint8_t* pixels, int label, const SampleSpec& spec, StepObserver* observer,
                 int tid, int threads);

  ModelConfig cfg_;
  NeuronParams neuron_;
  std::vector<WeightMatrix> weights_;
  int threads_ = 1;
};

}  // namespace ssnn
