#include "spike_encoder.hpp"

#include <algorithm>
#include <stdexcept>

#include "ssnn/contract/dropout.hpp"
#include "ssnn/contract/encoder.hpp"
#include "ssnn/contract/seeding.hpp"

namespace ssnn::sc {

spike_encoder::spike_encoder(const sc_core::sc_module_name& name, const ModelConfig& cfg, const ChipConfig& chip,
                             const AerRoutingTable& routes, uint8_t first_block, int rows_per_band)
    : aer_source(name, routes, ChipConfig::ceil_div(cfg.inputs, rows_per_band)),
      label_valid_o("label_valid_o"),
      label_class_o("label_class_o"),
      cfg_(cfg),
      chip_(chip),
      first_block_(first_block),
      rows_per_band_(rows_per_band),
      pixels_(static_cast<size_t>(cfg.inputs), 0),
      keep_(static_cast<size_t>(cfg.inputs), 1),
      lfsr_(static_cast<size_t>(cfg.inputs)),
      rate_q16_(prob_to_q16(cfg.input_rate)),
      label_q16_(prob_to_q16(cfg.label_rate)) {
  spikes_.reserve(static_cast<size_t>(cfg.inputs));
  out_.reserve(static_cast<size_t>(cfg.inputs));
}

void spike_encoder::load_sample(const uint8_t* pixels, int label) {
  std::copy(pixels, pixels + cfg_.inputs, pixels_.begin());
  label_ = label;
}

void spike_encoder::reset_state() {
  reset_source();
  label_valid_o.write(false);
  label_class_o.write(0);
  spikes_.clear();
  label_spike_ = -1;
  cnt_ = EncoderCounters{};
}

int spike_encoder::sample_begin() {
  const uint64_t key = sample_key_i.read();
  const bool learn = learn_i.read();
  if (learn && (label_ < 0 || label_ >= cfg_.classes))
    SC_REPORT_ERROR(name(), "a learning sample needs a label in range");
  // Seed-hash units, encoder_lanes per cycle; the dropout generator runs alongside.
  for (int i = 0; i < cfg_.inputs; ++i) lfsr_[static_cast<size_t>(i)].load(stream_seed(key, stream::kInputBase + static_cast<uint64_t>(i)));
  label_lfsr_.load(stream_seed(key, stream::kLabel));
  dropout_mask(key, 0, learn ? cfg_.dropout_input : 0.0, cfg_.inputs, keep_.data());
  cnt_.seed_loads += static_cast<uint64_t>(cfg_.inputs) + 1;
  spikes_.clear();
  label_spike_ = -1;
  label_valid_o.write(false);
  if (cosim_) cosim_->encoder_sample_begin(*this, key);
  return ChipConfig::ceil_div(cfg_.inputs + 1, chip_.encoder_lanes) + ChipConfig::kSeedHashLatency;
}

void spike_encoder::forward(std::vector<Outgoing>& out) {
  const int t = static_cast<int>(step_i.read());
  const uint32_t ramp = input_ramp_q16(rate_q16_, t, cfg_.timesteps, cfg_.input_profile);
  spikes_.clear();
  out.clear();
  const int lanes = chip_.encoder_lanes;
  for (int i = 0; i < cfg_.inputs; ++i) {
    const uint8_t p = pixels_[static_cast<size_t>(i)];
    // A dark or dropped pixel's LFSR is clock-gated (its draws could never spike).
    if (p == 0 || !keep_[static_cast<size_t>(i)]) continue;
    ++cnt_.lfsr_draws;
    if (bernoulli(lfsr_[static_cast<size_t>(i)], pixel_prob_q16(p, ramp))) {
      spikes_.push_back(i);
      AerEvent ev;
      const int ch = i / rows_per_band_;
      ev.block = static_cast<uint8_t>(first_block_ + ch);
      ev.neuron = static_cast<uint16_t>(i);
      ev.kind = SpikeKind::kForward;
      ev.tag = static_cast<uint32_t>(t);
      out.push_back(Outgoing{ev, ch, i / lanes + 1});
    }
  }
  cnt_.input_spikes += spikes_.size();
  label_spike_ = -1;
  const bool learn = learn_i.read();
  if (learn) {
    ++cnt_.lfsr_draws;
    if (bernoulli(label_lfsr_, label_q16_)) {
      label_spike_ = label_;
      ++cnt_.label_spikes;
    }
  }
  label_valid_o.write(label_spike_ >= 0);
  label_class_o.write(label_spike_ >= 0 ? static_cast<uint32_t>(label_spike_) : 0u);
  if (cosim_) cosim_->encoder_forward(*this, t, ramp, learn);
}

void spike_encoder::execute(Op op) {
  if (op == Op::kSampleBegin) {
    busy_for(sample_begin());
  } else if (op == Op::kForward) {
    forward(out_);
    send(out_, ChipConfig::ceil_div(cfg_.inputs, chip_.encoder_lanes));
  } else {
    wait();
  }
}

}  // namespace ssnn::sc
