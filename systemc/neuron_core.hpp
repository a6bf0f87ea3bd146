// neuron_core: the bank of composite neurons of one layer (forward neuron + gradient pair, or at
// the output: forward neuron + error pair + the WTA resolver), updated `lanes` neurons per cycle.
//
// Forward (kForward): gathers the column sums of the tiles below over the column-sum bus, runs
// ssnn::forward_step on every neuron (hidden) or ssnn::forward_integrate + ssnn::wta_fire
// (output) and sends the spikes as forward events to the tiles above, neuron j's spike leaving
// as soon as its lane group is through the pipeline.  Error (kError, output core): error neurons
// on (label - output) * err_unit.  Backward (kBackward, hidden cores): gradient neurons on the
// row sums W^T(dp - dn) of the tiles above.  Gradient spikes go to the tiles below as dp / dn
// events.  Cost of a pass over n neurons: ceil(n / lanes) + kNeuronPipeline cycles, plus one
// comparator pass per WTA winner and one to find there is none.
#pragma once

#include <cstdint>
#include <vector>

#include "aer_source.hpp"
#include "chip_config.hpp"
#include "chip_types.hpp"
#include "cosim_observer.hpp"
#include "ssnn/config.hpp"
#include "ssnn/contract/device.hpp"
#include "ssnn/contract/neuron.hpp"

namespace ssnn::sc {

struct CoreCounters {
  uint64_t forward_updates = 0;   // forward neuron updates (neurons x steps)
  uint64_t gradient_updates = 0;  // gradient-pair updates
  uint64_t forward_spikes = 0;
  uint64_t pos_spikes = 0;
  uint64_t neg_spikes = 0;
  uint64_t wta_iterations = 0;
  uint64_t column_sum_words = 0;  // words read over the column-sum bus
};

class neuron_core : public aer_source {
 public:
  sc_core::sc_in<bool> label_valid_i;  // output core: this step's target spike
  sc_core::sc_in<uint32_t> label_class_i;
  sc_core::sc_out<uint32_t> prediction_o;  // output core: argmax of the spike counts
  // Column-sum buses: tiles whose columns are this layer (below) and whose rows are (above).
  sc_core::sc_port<tile_sum_if, 0, sc_core::SC_ZERO_OR_MORE_BOUND> below_i;
  sc_core::sc_port<tile_sum_if, 0, sc_core::SC_ZERO_OR_MORE_BOUND> above_i;

  // layer: 1..L.  Forward events of neuron j leave on channel j / fwd_band (row bands of the
  // tiles above), gradient events on channel j / grad_band (column bands below); channel k
  // carries block first_block + k.
  neuron_core(const sc_core::sc_module_name& name, const ModelConfig& cfg, const ChipConfig& chip,
              const AerRoutingTable& routes, int layer, uint8_t first_block, int fwd_band, int grad_band);

  int layer() const { return layer_; }
  int size() const { return n_; }
  bool is_output() const { return layer_ == cfg_.layers(); }

  // This step's spikes (ascending neuron indices) and the sample's state, for checks and waveforms.
  const std::vector<int>& forward_spikes() const { return list_fwd_; }
  const std::vector<int>& pos_spikes() const { return list_pos_; }
  const std::vector<int>& neg_spikes() const { return list_neg_; }
  const std::vector<int32_t>& forward_counts() const { return count_fwd_; }
  int32_t charge(int j) const { return fwd_charge_[static_cast<size_t>(j)]; }
  int32_t potential(int j) const { return fwd_potential_[static_cast<size_t>(j)]; }
  int32_t grad_charge(int j) const { return grad_charge_[static_cast<size_t>(j)]; }
  int32_t grad_pos(int j) const { return grad_pos_[static_cast<size_t>(j)]; }
  int32_t grad_neg(int j) const { return grad_neg_[static_cast<size_t>(j)]; }
  bool gate(int j) const { return gate_[static_cast<size_t>(j)] != 0; }
  bool fired(int j) const { return fwd_flag_[static_cast<size_t>(j)] != 0; }
  bool fired_pos(int j) const { return pos_flag_[static_cast<size_t>(j)] != 0; }
  bool fired_neg(int j) const { return neg_flag_[static_cast<size_t>(j)] != 0; }
  bool kept(int j) const { return keep_[static_cast<size_t>(j)] != 0; }  // dropout mask of the sample
  const CoreCounters& counters() const { return cnt_; }
  // Test port for checkpoints (chip_state.hpp): sets the counters between samples.
  void restore_counters(const CoreCounters& c) { cnt_ = c; }
  int prediction() const { return prediction_; }
  const NeuronParams& neuron_params() const { return np_; }

  // RTL co-simulation: the observer sees every command with its inputs (nullptr: none).
  void set_cosim_observer(CosimObserver* observer) { cosim_ = observer; }

 private:
  void reset_state() override;
  void execute(Op op) override;
  int sample_begin();
  int forward();
  int error();
  int backward();
  // The step's spike flags (forward, gate events, gradient) and spike lists, cleared.
  void clear_spike_flags();
  // The line readout adds the device's read noise to the sums just taken (weight layer, direction).
  void add_read_noise(int weight_layer, bool transposed, uint32_t t);
  static int channels_for(const ModelConfig& cfg, int layer, int fwd_band, int grad_band);
  int pass_cycles(int neurons) const { return ChipConfig::ceil_div(neurons, chip_.lanes) + ChipConfig::kNeuronPipeline; }
  void queue_gradient_events(int t);
  // list = the indices j < n_ with flag[j] set, ascending.
  void collect(const std::vector<uint8_t>& flag, std::vector<int>& list);

  const ModelConfig& cfg_;
  const ChipConfig& chip_;
  const int layer_;
  const int n_;
  const uint8_t first_block_;
  const int fwd_band_;
  const int grad_band_;
  NeuronParams np_;
  DeviceRule device_;
  std::vector<int32_t> fwd_charge_, fwd_potential_, grad_charge_, grad_pos_, grad_neg_;
  std::vector<uint8_t> gate_, fwd_flag_, gate_open_, pos_flag_, neg_flag_, keep_;  // gate_open_: gate_event() of the step
  std::vector<int32_t> acc_, count_fwd_;
  std::vector<int> list_fwd_, list_pos_, list_neg_;
  std::vector<Outgoing> out_;
  std::vector<int> scratch_list_;  // collect_flags output (with its slack)
  std::vector<int32_t> count_pos_scratch_, count_neg_scratch_;  // gradient_layer's counts, unused
  int prediction_ = 0;
  CoreCounters cnt_;
  CosimObserver* cosim_ = nullptr;
  std::vector<int32_t> cosim_scratch_;  // the observer's copy of the step inputs / pre-WTA potentials
};

}  // namespace ssnn::sc
