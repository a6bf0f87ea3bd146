// Hidden neurons: one ssnn_composite_neuron per neuron, lane group g clocked in cycle g of a pass.
// A bank of the RTL co-simulation (rtl_cosim.cpp) on the shared base cosim_bank.hpp.
#pragma once

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "Vsc_neuron_hidden.h"
#include "ssnn/contract/neuron.hpp"
#include "cosim_bank.hpp"

namespace ssnn::sc::cosim {

class HiddenNeuronBank final : public Bank {
 public:
  HiddenNeuronBank(CosimContext& ctx, const neuron_core& core, int probe, sc_core::sc_signal_in_if<bool>& rst)
      : Bank(ctx, fmt::format("neuron_l{}", core.layer())),
        core_(core),
        n_(core.size()),
        lanes_(std::max(1, ctx.chip.lanes)),
        groups_(ChipConfig::ceil_div(core.size(), lanes_)),
        prefix_(fmt::format("rtl_core{}_", core.layer())),
        clear_((prefix_ + "clear").c_str(), static_cast<size_t>(groups_)),
        fwd_en_((prefix_ + "fwd_en").c_str(), static_cast<size_t>(groups_)),
        grad_en_((prefix_ + "grad_en").c_str(), static_cast<size_t>(groups_)),
        in_((prefix_ + "in").c_str(), static_cast<size_t>(n_)),
        spike_((prefix_ + "spike").c_str(), static_cast<size_t>(n_)),
        grad_pos_((prefix_ + "grad_pos").c_str(), static_cast<size_t>(n_)),
        grad_neg_((prefix_ + "grad_neg").c_str(), static_cast<size_t>(n_)),
        eligible_((prefix_ + "eligible").c_str(), static_cast<size_t>(n_)),
        gate_((prefix_ + "gate").c_str(), static_cast<size_t>(n_)),
        charge_((prefix_ + "charge").c_str(), static_cast<size_t>(n_)),
        potential_((prefix_ + "potential").c_str(), static_cast<size_t>(n_)),
        grad_charge_((prefix_ + "grad_charge").c_str(), static_cast<size_t>(n_)),
        pos_((prefix_ + "pos").c_str(), static_cast<size_t>(n_)),
        neg_((prefix_ + "neg").c_str(), static_cast<size_t>(n_)),
        beta_((prefix_ + "beta").c_str()),
        theta_((prefix_ + "theta").c_str()),
        theta_grad_((prefix_ + "theta_grad").c_str()),
        theta_gate_((prefix_ + "theta_gate").c_str()),
        zero32_((prefix_ + "zero32").c_str()),
        zero_((prefix_ + "zero").c_str()) {
    for (int g = 0; g < groups_; ++g) clocks_.push_back(std::make_unique<GatedClock>(fmt::format("{}gclk_{}", prefix_, g)));
    beta_.write(core.neuron_params().beta_q16);
    for (int j = 0; j < n_; ++j) {
      const auto u = static_cast<size_t>(j);
      const auto g = static_cast<size_t>(j / lanes_);
      const std::string name = j == probe ? std::string("neuron") : fmt::format("{}n{}", prefix_, j);
      auto m = std::make_unique<Vsc_neuron_hidden>(name.c_str());
      m->clk_i(clocks_[g]->signal());
      m->rst_ni(rst);
      m->clear_i(clear_[g]);
      m->fwd_en_i(fwd_en_[g]);
      m->fwd_in_i(in_[u]);
      m->grad_en_i(grad_en_[g]);
      m->grad_in_i(in_[u]);  // one command per cycle: the forward and gradient inputs share a wire
      m->label_i(zero_);
      m->wta_win_i(zero_);
      m->wta_inhibit_i(zero_);
      m->beta_i(beta_);
      m->theta_i(theta_);
      m->theta_grad_i(theta_grad_);
      m->theta_gate_i(theta_gate_);
      m->err_unit_i(zero32_);
      m->inhibition_i(zero32_);
      m->spike_o(spike_[u]);
      m->grad_pos_o(grad_pos_[u]);
      m->grad_neg_o(grad_neg_[u]);
      m->wta_eligible_o(eligible_[u]);
      m->charge_o(charge_[u]);
      m->potential_o(potential_[u]);
      m->grad_charge_o(grad_charge_[u]);
      m->pos_potential_o(pos_[u]);
      m->neg_potential_o(neg_[u]);
      m->gate_o(gate_[u]);
      models_.push_back(std::move(m));
    }
    ctx_.stats.rtl_models += static_cast<uint64_t>(n_);
  }

  Vsc_neuron_hidden& model(int j) { return *models_[static_cast<size_t>(j)]; }

  void post_clear() { post(kClear, ctx_.tag(-1, "sample start (clear)"), 0, nullptr); }
  void post_forward(int t, const int32_t* input, int32_t theta, int32_t theta_gate) {
    post(kForward, ctx_.tag(t, "forward"), theta, input, theta_gate);
  }
  void post_backward(int t, const int32_t* input, int32_t theta_grad) { post(kBackward, ctx_.tag(t, "backward"), theta_grad, input); }

  void rise() override {
    for (auto& c : clocks_) c->rise();
  }

  void negedge() override {
    for (auto& c : clocks_) c->fall();
    jobs_.negedge(
        ctx_, [this](const Job&) { return groups_; },
        [this](Job& job, int g) {
          check_group(job, g);
          command(job.kind, g).write(false);
        },
        [this](Job& job, int g) { drive_group(job, g); });
  }

  void reset() override {
    for (auto& c : clocks_) c->reset();
    for (int g = 0; g < groups_; ++g)
      for (Kind k : {kClear, kForward, kBackward}) command(k, g).write(false);
    jobs_.clear();
  }

  bool idle() const override { return jobs_.empty(); }
  void final_models() override {
    for (auto& m : models_) m->final();
  }

 private:
  enum Kind { kClear, kForward, kBackward };
  struct Job {
    Kind kind = kClear;
    Tag tag;
    int32_t theta = 0;
    int32_t theta_gate = 0;  // forward jobs
    std::vector<int32_t> input;
    std::vector<int32_t> charge, potential, grad_charge, pos, neg;
    std::vector<uint8_t> spike, dp, dn, gate;
  };

  sc_signal<bool>& command(Kind k, int g) {
    const auto u = static_cast<size_t>(g);
    return k == kClear ? clear_[u] : (k == kForward ? fwd_en_[u] : grad_en_[u]);
  }

  void post(Kind kind, const Tag& tag, int32_t theta, const int32_t* input, int32_t theta_gate = 0) {
    Job job;
    job.kind = kind;
    job.tag = tag;
    job.theta = theta;
    job.theta_gate = theta_gate;
    if (input) job.input.assign(input, input + n_);
    const auto n = static_cast<size_t>(n_);
    for (auto* v : {&job.charge, &job.potential, &job.grad_charge, &job.pos, &job.neg}) v->resize(n);
    for (auto* v : {&job.spike, &job.dp, &job.dn, &job.gate}) v->resize(n);
    for (int j = 0; j < n_; ++j) snapshot_neuron(job, static_cast<size_t>(j), core_, j);
    jobs_.push(std::move(job));
  }

  void drive_group(const Job& job, int g) {
    const int lo = g * lanes_, hi = std::min(n_, lo + lanes_);
    if (job.kind == kForward) {
      theta_.write(field(job.theta, kPotentialBits));
      theta_gate_.write(field(job.theta_gate, kPotentialBits));
    }
    if (job.kind == kBackward) theta_grad_.write(field(job.theta, kPotentialBits));
    if (job.kind != kClear) {
      for (int j = lo; j < hi; ++j) {
        int64_t v = job.input[static_cast<size_t>(j)];
        if (job.kind == kForward && ctx_.inject("neuron")) v += int64_t{1} << 20;
        in_[static_cast<size_t>(j)].write(field(v, kInputBits));
      }
    }
    command(job.kind, g).write(true);
    clocks_[static_cast<size_t>(g)]->arm();
    const auto count = static_cast<uint64_t>(hi - lo);
    if (job.kind == kClear) ctx_.stats.neuron_clears += count;
    if (job.kind == kForward) ctx_.stats.neuron_forward += count;
    if (job.kind == kBackward) ctx_.stats.neuron_gradient += count;
  }

  void check_group(const Job& job, int g) {
    const int lo = g * lanes_, hi = std::min(n_, lo + lanes_);
    for (int j = lo; j < hi; ++j) {
      const auto u = static_cast<size_t>(j);
      const bool ok = eq(j, "spike_o", job.spike[u], spike_[u].read(), job.tag) &&
                      eq(j, "grad_pos_o", job.dp[u], grad_pos_[u].read(), job.tag) &&
                      eq(j, "grad_neg_o", job.dn[u], grad_neg_[u].read(), job.tag) &&
                      eq(j, "gate_o", job.gate[u], gate_[u].read(), job.tag) &&
                      eq(j, "charge_o", job.charge[u], sext(charge_[u].read(), kChargeBits), job.tag) &&
                      eq(j, "potential_o", job.potential[u], sext(potential_[u].read(), kPotentialBits), job.tag) &&
                      eq(j, "grad_charge_o", job.grad_charge[u], sext(grad_charge_[u].read(), kChargeBits), job.tag) &&
                      eq(j, "pos_potential_o", job.pos[u], sext(pos_[u].read(), kPotentialBits), job.tag) &&
                      eq(j, "neg_potential_o", job.neg[u], sext(neg_[u].read(), kPotentialBits), job.tag) &&
                      eq(j, "wta_eligible_o", 0, eligible_[u].read(), job.tag);
      if (!ok) return;
    }
  }

  const neuron_core& core_;
  const int n_, lanes_, groups_;
  const std::string prefix_;
  std::vector<std::unique_ptr<GatedClock>> clocks_;
  sc_vector<sc_signal<bool>> clear_, fwd_en_, grad_en_;
  sc_vector<sc_signal<uint32_t>> in_;
  sc_vector<sc_signal<bool>> spike_, grad_pos_, grad_neg_, eligible_, gate_;
  sc_vector<sc_signal<uint32_t>> charge_, potential_, grad_charge_, pos_, neg_;
  sc_signal<uint32_t> beta_, theta_, theta_grad_, theta_gate_, zero32_;
  sc_signal<bool> zero_;
  std::vector<std::unique_ptr<Vsc_neuron_hidden>> models_;
  JobQueue<Job> jobs_;
};

}  // namespace ssnn::sc::cosim
