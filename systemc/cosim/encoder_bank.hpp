// Encoder: one ssnn_spike_source per pixel and one for the label, pixel lane group g in cycle g.
// A bank of the RTL co-simulation (rtl_cosim.cpp) on the shared base cosim_bank.hpp.
#pragma once

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "Vsc_spike_source.h"
#include "ssnn_rtl/spike_source_pins.hpp"
#include "ssnn/contract/encoder.hpp"
#include "ssnn/contract/seeding.hpp"
#include "cosim_bank.hpp"

namespace ssnn::sc::cosim {

class EncoderBank final : public Bank {
 public:
  EncoderBank(CosimContext& ctx, const spike_encoder& enc, sc_core::sc_signal_in_if<bool>& rst)
      : Bank(ctx, "spike_source"),
        enc_(enc),
        n_(ctx.cfg.inputs),
        lanes_(std::max(1, ctx.chip.encoder_lanes)),
        groups_(ChipConfig::ceil_div(n_, lanes_)),
        load_("rtl_enc_load", static_cast<size_t>(groups_)),
        step_("rtl_enc_step", static_cast<size_t>(n_)),
        spike_("rtl_enc_spike", static_cast<size_t>(n_)),
        seed_("rtl_enc_seed", static_cast<size_t>(n_)),
        pixel_("rtl_enc_pixel", static_cast<size_t>(n_)),
        prob_("rtl_enc_prob", static_cast<size_t>(n_)),
        state_("rtl_enc_state", static_cast<size_t>(n_)),
        ramp_("rtl_enc_ramp"),
        label_clock_("rtl_label_gclk"),
        label_load_("rtl_label_load"),
        label_step_("rtl_label_step"),
        label_spike_("rtl_label_spike"),
        label_seed_("rtl_label_seed"),
        label_pixel_("rtl_label_pixel"),
        label_ramp_("rtl_label_ramp"),
        label_prob_("rtl_label_prob"),
        label_state_("rtl_label_state") {
    for (int g = 0; g < groups_; ++g) clocks_.push_back(std::make_unique<GatedClock>(fmt::format("rtl_enc_gclk_{}", g)));
    for (int i = 0; i < n_; ++i) {
      const auto u = static_cast<size_t>(i);
      auto m = std::make_unique<Vsc_spike_source>(fmt::format("rtl_enc_src{}", i).c_str());
      const auto g = static_cast<size_t>(i / lanes_);
      ssnn::rtl::bind_spike_source(*m, clocks_[g]->signal(), rst, load_[g], seed_[u], step_[u], pixel_[u], ramp_, spike_[u],
                                   prob_[u], state_[u]);
      models_.push_back(std::move(m));
    }
    label_model_ = std::make_unique<Vsc_spike_source>("rtl_label_src");
    ssnn::rtl::bind_spike_source(*label_model_, label_clock_.signal(), rst, label_load_, label_seed_, label_step_, label_pixel_,
                                 label_ramp_, label_spike_, label_prob_, label_state_);
    label_pixel_.write(255);  // a full pixel: prob == ramp exactly
    label_ramp_.write(enc.label_rate_q16());
    ctx_.stats.rtl_models += static_cast<uint64_t>(n_) + 1;
  }

  void post_load(uint64_t key) {
    Job job = snapshot(kLoad, ctx_.tag(-1, "sample start (seed load)"));
    job.key = key;
    for (int i = 0; i < n_; ++i) job.pixel[static_cast<size_t>(i)] = enc_.pixel(i);
    jobs_.push(std::move(job));
  }
  void post_forward(int t, uint32_t ramp, bool label_drawn) {
    Job job = snapshot(kDraw, ctx_.tag(t, "encode"));
    job.ramp = ramp;
    job.label_drawn = label_drawn;
    const std::vector<uint8_t>& keep = enc_.keep_mask();
    for (int i = 0; i < n_; ++i) job.draw[static_cast<size_t>(i)] = enc_.pixel(i) != 0 && keep[static_cast<size_t>(i)] != 0;
    jobs_.push(std::move(job));
  }

  void rise() override {
    for (auto& c : clocks_) c->rise();
    label_clock_.rise();
  }

  void negedge() override {
    for (auto& c : clocks_) c->fall();
    label_clock_.fall();
    jobs_.negedge(
        ctx_, [this](const Job& job) { return cycles(job); },
        [this](Job& job, int c) {
          check_cycle(job, c);
          release_cycle(job, c);
        },
        [this](Job& job, int c) { drive_cycle(job, c); });
  }

  void reset() override {
    for (auto& c : clocks_) c->reset();
    label_clock_.reset();
    for (auto& s : load_) s.write(false);
    for (auto& s : step_) s.write(false);
    label_load_.write(false);
    label_step_.write(false);
    jobs_.clear();
  }

  bool idle() const override { return jobs_.empty(); }
  void final_models() override {
    for (auto& m : models_) m->final();
    label_model_->final();
  }

 private:
  enum Kind { kLoad, kDraw };
  struct Job {
    Kind kind = kLoad;
    Tag tag;
    uint64_t key = 0;
    uint32_t ramp = 0;
    bool label_drawn = false;
    std::vector<uint8_t> pixel, draw, spike;  // spike: per pixel, then the label
    std::vector<uint32_t> state;              // per pixel, then the label
  };

  Job snapshot(Kind kind, const Tag& tag) const {
    Job job;
    job.kind = kind;
    job.tag = tag;
    const auto n = static_cast<size_t>(n_);
    job.pixel.assign(n, 0);
    job.draw.assign(n, 0);
    job.spike.assign(n + 1, 0);
    job.state.assign(n + 1, 0);
    for (int i : enc_.spikes()) job.spike[static_cast<size_t>(i)] = 1;
    job.spike[n] = enc_.label_spike() >= 0;
    for (int i = 0; i < n_; ++i) job.state[static_cast<size_t>(i)] = enc_.lfsr_state(i);
    job.state[n] = enc_.label_lfsr_state();
    return job;
  }

  // Seed loads: inputs + 1 streams (the label is stream `inputs`), lanes per cycle, as the
  // behavioural seed-hash units; draws: the pixel lane groups, the label in the first cycle.
  int cycles(const Job& job) const { return job.kind == kLoad ? ChipConfig::ceil_div(n_ + 1, lanes_) : groups_; }
  bool label_in(const Job& job, int c) const { return job.kind == kLoad ? (n_ / lanes_ == c) : c == 0; }

  void drive_cycle(const Job& job, int c) {
    const int lo = c * lanes_, hi = std::min(n_, lo + lanes_);
    if (job.kind == kLoad) {
      for (int i = lo; i < hi; ++i) {
        const auto u = static_cast<size_t>(i);
        uint32_t seed = stream_seed(job.key, stream::kInputBase + static_cast<uint64_t>(i));
        if (ctx_.inject("encoder")) seed ^= 1u;
        seed_[u].write(seed);
        pixel_[u].write(job.pixel[u]);
      }
      if (lo < hi) {
        load_[static_cast<size_t>(c)].write(true);
        clocks_[static_cast<size_t>(c)]->arm();
        ctx_.stats.lfsr_loads += static_cast<uint64_t>(hi - lo);
      }
      if (label_in(job, c)) {
        label_seed_.write(stream_seed(job.key, stream::kLabel));
        label_load_.write(true);
        label_clock_.arm();
        ++ctx_.stats.lfsr_loads;
      }
      return;
    }
    if (c == 0) ramp_.write(job.ramp);
    bool any = false;
    for (int i = lo; i < hi; ++i) {
      if (!job.draw[static_cast<size_t>(i)]) continue;
      step_[static_cast<size_t>(i)].write(true);
      ++ctx_.stats.lfsr_draws;
      any = true;
    }
    if (any) clocks_[static_cast<size_t>(c)]->arm();
    if (label_in(job, c) && job.label_drawn) {
      label_step_.write(true);
      label_clock_.arm();
      ++ctx_.stats.lfsr_draws;
    }
  }

  void release_cycle(const Job& job, int c) {
    const int lo = c * lanes_, hi = std::min(n_, lo + lanes_);
    if (job.kind == kLoad) {
      if (lo < hi) load_[static_cast<size_t>(c)].write(false);
      if (label_in(job, c)) label_load_.write(false);
      return;
    }
    for (int i = lo; i < hi; ++i)
      if (job.draw[static_cast<size_t>(i)]) step_[static_cast<size_t>(i)].write(false);
    if (label_in(job, c)) label_step_.write(false);
  }

  void check_cycle(const Job& job, int c) {
    const int lo = c * lanes_, hi = std::min(n_, lo + lanes_);
    for (int i = lo; i < hi; ++i) {
      const auto u = static_cast<size_t>(i);
      if (!eq(i, "spike_o", job.spike[u], spike_[u].read(), job.tag) ||
          !eq(i, "state_o", job.state[u], state_[u].read(), job.tag))
        return;
    }
    if (label_in(job, c)) {
      const auto u = static_cast<size_t>(n_);
      (void)(ctx_.eq(label_unit_, 0, "spike_o", job.spike[u], label_spike_.read(), job.tag) &&
             ctx_.eq(label_unit_, 0, "state_o", job.state[u], label_state_.read(), job.tag));
    }
  }

  const spike_encoder& enc_;
  const int n_, lanes_, groups_;
  const std::string label_unit_ = "label_source";
  std::vector<std::unique_ptr<GatedClock>> clocks_;
  sc_vector<sc_signal<bool>> load_, step_, spike_;
  sc_vector<sc_signal<uint32_t>> seed_, pixel_, prob_, state_;
  sc_signal<uint32_t> ramp_;
  GatedClock label_clock_;
  sc_signal<bool> label_load_, label_step_, label_spike_;
  sc_signal<uint32_t> label_seed_, label_pixel_, label_ramp_, label_prob_, label_state_;
  std::vector<std::unique_ptr<Vsc_spike_source>> models_;
  std::unique_ptr<Vsc_spike_source> label_model_;
  JobQueue<Job> jobs_;
};

}  // namespace ssnn::sc::cosim
