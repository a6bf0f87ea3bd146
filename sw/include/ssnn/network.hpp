// The golden model: SSNN-BP in the chip's integer arithmetic, one sample at a time.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "ssnn/config.hpp"
#include "ssnn/contract/lfsr.hpp"
#include "ssnn/contract/sample.hpp"
#include "ssnn/contract/seeding.hpp"
#include "ssnn/contract/synapse.hpp"
#include "ssnn/contract/weights.hpp"

namespace ssnn {

// Per weight layer, the device constants of every cross-point (row-major, drawn from the master
// seed); empty when the device's pulses are exact.
using DeviceArrays = std::vector<std::vector<DeviceCell>>;
DeviceArrays device_cells(const ModelConfig& cfg);

// He-uniform initial weights from the init streams (seeding.hpp), on the device grid if it has one,
// programmed into the devices (each within its own bounds, a stuck one at its bound).
std::vector<WeightMatrix> initial_weights(const ModelConfig& cfg);
std::vector<WeightMatrix> initial_weights(const ModelConfig& cfg, const DeviceArrays& cells);

// Spike indices of one layer and step, ascending.  Growing it leaves the new elements uninitialised
// (they are written before they are read), so the spike collection never clears memory.
template <class T>
struct NoInitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = NoInitAllocator<U>;
  };
  NoInitAllocator() = default;
  template <class U>
  NoInitAllocator(const NoInitAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
using SpikeList = std::vector<int, NoInitAllocator<int>>;
using SpikeParts = std::vector<std::vector<SpikeList>>;  // [thread][layer]

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
  // Encoders of the pixels that can spike (non-zero, kept), compacted: index, LFSR, value, draw.
  std::vector<int> active_pixels_;
  std::vector<Lfsr> active_lfsr_;
  std::vector<uint8_t> active_value_, active_fire_;
  SpikeList fired_;  // positions in active_pixels_ that fired this step
  std::vector<int> grad_columns_;
  // Rate updates: per column, pulse_up * n_pos - pulse_down * n_neg and whether it spiked.
  std::vector<int32_t> rate_drive_;
  std::vector<uint8_t> rate_active_;
  // Per thread: the previous layer's spikes of all threads, in ascending order.
  std::vector<SpikeList> merged_;
  std::vector<uint32_t> ramp_;
  // Per-thread spike lists [thread][layer] and counters of a sample split across threads.
  SpikeParts part_fwd_, part_pos_, part_neg_;
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
  // The weights between samples.  Changing them through the non-const form is allowed until the next
  // run_sample (which then copies them again into its 16-bit working copy, see narrow_).
  std::vector<WeightMatrix>& weights() {
    if (narrow_possible_) narrow_state_.store(kNarrowStale, std::memory_order_relaxed);
    return weights_;
  }
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

  // The constants of weight layer `layer`'s cross-points, row-major; empty when pulses are exact.
  const std::vector<DeviceCell>& device_cells(int layer) const {
    static const std::vector<DeviceCell> none;
    return cells_.empty() ? none : cells_[static_cast<size_t>(layer)];
  }

 private:
  void reset_sample(Workspace& ws, const uint8_t* pixels, const SampleSpec& spec) const;
  void end_of_sample_updates(Workspace& ws, const SampleSpec& spec);
  bool rate_update_vectorised(Workspace& ws, WeightMatrix& w, const SynapseParams& syn, size_t layer, int cols,
                              size_t active_columns) const;
  void run_steps(Workspace& ws, int label, const SampleSpec& spec, StepObserver* observer,
                 int tid, int threads);
  void prepare_narrow();
  void sync_narrow_rows(const Workspace& ws, bool narrow_to_wide);
  // Calls f with the start of weight layer `layer`: its 16-bit copy when narrow and the layer has one,
  // else its 32-bit values.
  template <class F>
  void with_layer(size_t layer, bool narrow, F&& f) {
    if (narrow && !narrow_[layer].empty())
      f(narrow_[layer].data());
    else
      f(weights_[layer].values.data());
  }

  ModelConfig cfg_;
  NeuronParams neuron_;
  std::vector<WeightMatrix> weights_;
  int threads_ = 1;
  // The device model: its rule, the state size and, when pulses are not exact, the constants of
  // every cross-point per weight layer (drawn once from the master seed).
  DeviceRule device_{};
  RoundingDivider per_state_{1};  // LSBs per finite state
  DeviceArrays cells_;
  // A 16-bit copy of the weights of every layer of at least 16 columns (one vector) when the weight
  // register is at most 16 bits wide (and the device model does not move the pulses): the step loop
  // reads it, half the memory traffic of the 32-bit
  // weights for the same integer sums.  Per-step stochastic training pulses the copy and writes the
  // rows that spiked back into weights_ at the end of the sample; the other update modes write
  // weights_ and copy those rows into it.  Stale after weights() was handed out for writing: the
  // next run_sample copies all of it again (thread-safe, so parallel inference may be the first).
  // A layer with a weight beyond its bounds keeps 32 bits (an empty copy).
  enum NarrowState : int { kNarrowOff, kNarrowStale, kNarrowInUse };
  bool narrow_possible_ = false;
  std::atomic<int> narrow_state_{kNarrowOff};
  std::mutex narrow_mutex_;
  std::vector<std::vector<int16_t>> narrow_;
  // The largest |weight| of each row of the copy, and of each layer, as of the last sample's end:
  // the forward read sums rows in 16 bits as far as these bounds allow (kernels::sum_rows).
  static constexpr int32_t kNarrowLimit = 32768;
  std::vector<std::vector<int32_t>> narrow_row_max_;
  std::vector<int32_t> narrow_max_;
};

}  // namespace ssnn
