// spike_encoder: the input pixels' and the label's LFSR Bernoulli spike sources.
//
// Holds the sample's pixel memory (written by the host before the sample starts), one xorshift32
// LFSR per pixel and one for the label.  kSampleBegin loads every LFSR with its stream seed
// (stream_seed(sample key, stream id), encoder_lanes seed-hash units) and draws the input dropout
// mask; kForward draws step t's spikes, encoder_lanes pixels per cycle, and sends them as forward
// events, addressed by row band of the first weight layer.  The label spike of the step is a
// direct wire to the output core.
#pragma once

#include <cstdint>
#include <vector>

#include "aer_source.hpp"
#include "chip_config.hpp"
#include "chip_types.hpp"
#include "cosim_observer.hpp"
#include "ssnn/config.hpp"
#include "ssnn/contract/lfsr.hpp"

namespace ssnn::sc {

struct EncoderCounters {
  uint64_t lfsr_draws = 0;    // pixel and label Bernoulli draws
  uint64_t input_spikes = 0;  // forward events produced
  uint64_t label_spikes = 0;
  uint64_t seed_loads = 0;
};

class spike_encoder : public aer_source {
 public:
  sc_core::sc_out<bool> label_valid_o;     // the true class received a target spike this step
  sc_core::sc_out<uint32_t> label_class_o;

  // rows_per_band: rows of a tile of the first weight layer; pixel i leaves on channel
  // i / rows_per_band with block first_block + channel.
  spike_encoder(const sc_core::sc_module_name& name, const ModelConfig& cfg, const ChipConfig& chip,
                const AerRoutingTable& routes, uint8_t first_block, int rows_per_band);

  // Host port: the sample's pixels (cfg.inputs bytes) and label (ignored when not learning).
  void load_sample(const uint8_t* pixels, int label);

  // This step's spikes (pixel indices, ascending) and label spike (-1: none).
  const std::vector<int>& spikes() const { return spikes_; }
  int label_spike() const { return label_spike_; }
  const EncoderCounters& counters() const { return cnt_; }
  // Test port for checkpoints (chip_state.hpp): sets the counters between samples.
  void restore_counters(const EncoderCounters& c) { cnt_ = c; }
  const std::vector<uint8_t>& keep_mask() const { return keep_; }
  // Pixel memory, LFSR states and the label rate, for the RTL co-simulation and checkers.
  uint8_t pixel(int i) const { return pixels_[static_cast<size_t>(i)]; }
  uint32_t lfsr_state(int i) const { return lfsr_[static_cast<size_t>(i)].state; }
  uint32_t label_lfsr_state() const { return label_lfsr_.state; }
  uint32_t label_rate_q16() const { return label_q16_; }

  // RTL co-simulation: the observer sees every command with its inputs (nullptr: none).
  void set_cosim_observer(CosimObserver* observer) { cosim_ = observer; }

 private:
  void reset_state() override;
  void execute(Op op) override;
  int sample_begin();
  void forward(std::vector<Outgoing>& out);

  const ModelConfig& cfg_;
  const ChipConfig& chip_;
  uint8_t first_block_;
  int rows_per_band_;
  std::vector<uint8_t> pixels_;
  int label_ = -1;
  std::vector<uint8_t> keep_;
  std::vector<Lfsr> lfsr_;
  Lfsr label_lfsr_;
  uint32_t rate_q16_ = 0;
  uint32_t label_q16_ = 0;
  std::vector<int> spikes_;
  int label_spike_ = -1;
  EncoderCounters cnt_;
  std::vector<Outgoing> out_;
  CosimObserver* cosim_ = nullptr;
};

}  // namespace ssnn::sc
