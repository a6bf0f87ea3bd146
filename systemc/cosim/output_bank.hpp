// Output core: one ssnn_output_layer (10 composite output neurons and the WTA resolver).
// A bank of the RTL co-simulation (rtl_cosim.cpp) on the shared base cosim_bank.hpp.
#pragma once

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <vector>
#include <array>

#include "Vsc_output_layer.h"
#include "ssnn/contract/neuron.hpp"
#include "cosim_bank.hpp"

namespace ssnn::sc::cosim {

class OutputBank final : public Bank {
 public:
  OutputBank(CosimContext& ctx, const neuron_core& core, sc_core::sc_signal_in_if<bool>& rst)
      : Bank(ctx, fmt::format("output_l{}", core.layer())),
        core_(core),
        clock_("rtl_out_gclk"),
        clear_("rtl_out_clear"),
        fwd_en_("rtl_out_fwd_en"),
        wta_start_("rtl_out_wta_start"),
        grad_en_("rtl_out_grad_en"),
        wta_busy_("rtl_out_wta_busy"),
        wta_done_("rtl_out_wta_done"),
        label_("rtl_out_label"),
        spike_("rtl_out_spike"),
        grad_pos_("rtl_out_grad_pos"),
        grad_neg_("rtl_out_grad_neg"),
        gate_("rtl_out_gate"),
        beta_("rtl_out_beta"),
        theta_("rtl_out_theta"),
        theta_err_("rtl_out_theta_err"),
        err_unit_("rtl_out_err_unit"),
        inhibition_("rtl_out_inhibition"),
        fwd_in_("rtl_out_fwd_in"),
        charge_("rtl_out_charge"),
        potential_("rtl_out_potential"),
        grad_charge_("rtl_out_grad_charge"),
        pos_("rtl_out_pos"),
        neg_("rtl_out_neg"),
        model_(std::make_unique<Vsc_output_layer>("rtl_output_layer")) {
    Vsc_output_layer& m = *model_;
    m.clk_i(clock_.signal());
    m.rst_ni(rst);
    m.clear_i(clear_);
    m.fwd_en_i(fwd_en_);
    m.fwd_in_i(fwd_in_);
    m.wta_start_i(wta_start_);
    m.grad_en_i(grad_en_);
    m.label_i(label_);
    m.beta_i(beta_);
    m.theta_i(theta_);
    m.theta_err_i(theta_err_);
    m.err_unit_i(err_unit_);
    m.inhibition_i(inhibition_);
    m.spike_o(spike_);
    m.grad_pos_o(grad_pos_);
    m.grad_neg_o(grad_neg_);
    m.wta_busy_o(wta_busy_);
    m.wta_done_o(wta_done_);
    m.charge_o(charge_);
    m.potential_o(potential_);
    m.grad_charge_o(grad_charge_);
    m.pos_potential_o(pos_);
    m.neg_potential_o(neg_);
    m.gate_o(gate_);
    beta_.write(core.neuron_params().beta_q16);
    err_unit_.write(field(ctx.cfg.err_unit, kChargeBits));
    ctx_.stats.rtl_models += 1;
  }

  void post_clear() { post(kClear, ctx_.tag(-1, "sample start (clear)")); }
  void post_forward(int t, const int32_t* input, int32_t theta, const int32_t* pre_wta, int32_t inhibition, int winners) {
    Job& j = post(kForward, ctx_.tag(t, "forward"));
    j.theta = theta;
    j.inhibition = inhibition;
    j.winners = winners;
    std::copy(input, input + kNumOutputs, j.input.begin());
    std::copy(pre_wta, pre_wta + kNumOutputs, j.pre_wta.begin());
  }
  void post_error(int t, int label, int32_t theta_err) {
    Job& j = post(kError, ctx_.tag(t, "error"));
    j.label = label;
    j.theta = theta_err;
  }

  void rise() override { clock_.rise(); }

  void negedge() override {
    clock_.fall();
    while (!jobs_.empty() && !ctx_.failed()) {
      Job& job = jobs_.front();
      if (stage_ == 0) {
        drive(job);
        stage_ = 1;
        return;
      }
      if (stage_ == 1 && job.kind == kForward) {
        // Integration landed: the potentials before the WTA, no spike yet.
        const sc_dt::sc_bv<kNumOutputs * kChargeBits> charge = charge_.read();
        const sc_dt::sc_bv<kNumOutputs * kPotentialBits> potential = potential_.read();
        const std::string where = "after the integration, before the WTA";
        for (int k = 0; k < kNumOutputs && !ctx_.failed(); ++k) {
          const auto u = static_cast<size_t>(k);
          (void)(eq(k, "charge_o", job.charge[u], slice(charge, k, kChargeBits), job.tag, where) &&
                 eq(k, "potential_o", job.pre_wta[u], slice(potential, k, kPotentialBits), job.tag, where) &&
                 eq(k, "spike_o", 0, (spike_.read() >> k) & 1u, job.tag, where));
        }
        fwd_en_.write(false);
        wta_start_.write(true);
        clock_.arm();
        wta_cycles_ = 1;
        stage_ = 2;
        return;
      }
      if (stage_ == 2) {
        wta_start_.write(false);
        if (wta_busy_.read()) {  // a winner fired in the last cycle: the resolver runs another
          clock_.arm();
          ++wta_cycles_;
          return;
        }
        ctx_.stats.wta_cycles += static_cast<uint64_t>(wta_cycles_);
        if (!eq(0, "wta_cycles", job.winners + 1, wta_cycles_, job.tag, "WTA resolver cycles (winners + 1)")) return;
      }
      check_all(job);
      clear_.write(false);
      fwd_en_.write(false);
      grad_en_.write(false);
      jobs_.pop_front();
      stage_ = 0;
    }
  }

  void reset() override {
    clock_.reset();
    for (auto* s : {&clear_, &fwd_en_, &wta_start_, &grad_en_}) s->write(false);
    jobs_.clear();
    stage_ = 0;
  }

  bool idle() const override { return jobs_.empty(); }
  void final_models() override { model_->final(); }

 private:
  enum Kind { kClear, kForward, kError };
  struct Job {
    Kind kind = kClear;
    Tag tag;
    int32_t theta = 0, inhibition = 0;
    int label = -1, winners = 0;
    std::array<int32_t, kNumOutputs> input{}, pre_wta{};
    std::array<int32_t, kNumOutputs> charge{}, potential{}, grad_charge{}, pos{}, neg{};
    std::array<uint8_t, kNumOutputs> spike{}, dp{}, dn{}, gate{};
  };

  Job& post(Kind kind, const Tag& tag) {
    Job job;
    job.kind = kind;
    job.tag = tag;
    for (int k = 0; k < kNumOutputs; ++k) snapshot_neuron(job, static_cast<size_t>(k), core_, k);
    jobs_.push_back(job);
    return jobs_.back();
  }

  void drive(const Job& job) {
    switch (job.kind) {
      case kClear:
        clear_.write(true);
        ctx_.stats.neuron_clears += kNumOutputs;
        break;
      case kForward: {
        sc_dt::sc_bv<kNumOutputs * kInputBits> bus;
        for (int k = 0; k < kNumOutputs; ++k)
          bus.range(k * kInputBits + kInputBits - 1, k * kInputBits) = field(job.input[static_cast<size_t>(k)], kInputBits);
        fwd_in_.write(bus);
        theta_.write(field(job.theta, kPotentialBits));
        inhibition_.write(field(job.inhibition, kPotentialBits));
        fwd_en_.write(true);
        ctx_.stats.neuron_forward += kNumOutputs;
        break;
      }
      case kError:
        label_.write(job.label >= 0 ? (1u << job.label) : 0u);
        theta_err_.write(field(job.theta, kPotentialBits));
        grad_en_.write(true);
        ctx_.stats.neuron_gradient += kNumOutputs;
        break;
    }
    clock_.arm();
  }

  void check_all(const Job& job) {
    const sc_dt::sc_bv<kNumOutputs * kChargeBits> charge = charge_.read(), grad_charge = grad_charge_.read();
    const sc_dt::sc_bv<kNumOutputs * kPotentialBits> potential = potential_.read(), pos = pos_.read(), neg = neg_.read();
    const uint32_t spike = spike_.read(), dp = grad_pos_.read(), dn = grad_neg_.read(), gate = gate_.read();
    for (int k = 0; k < kNumOutputs; ++k) {
      const auto u = static_cast<size_t>(k);
      const bool ok = eq(k, "spike_o", job.spike[u], (spike >> k) & 1u, job.tag) &&
                      eq(k, "grad_pos_o", job.dp[u], (dp >> k) & 1u, job.tag) &&
                      eq(k, "grad_neg_o", job.dn[u], (dn >> k) & 1u, job.tag) &&
                      eq(k, "gate_o", job.gate[u], (gate >> k) & 1u, job.tag) &&
                      eq(k, "charge_o", job.charge[u], slice(charge, k, kChargeBits), job.tag) &&
                      eq(k, "potential_o", job.potential[u], slice(potential, k, kPotentialBits), job.tag) &&
                      eq(k, "grad_charge_o", job.grad_charge[u], slice(grad_charge, k, kChargeBits), job.tag) &&
                      eq(k, "pos_potential_o", job.pos[u], slice(pos, k, kPotentialBits), job.tag) &&
                      eq(k, "neg_potential_o", job.neg[u], slice(neg, k, kPotentialBits), job.tag);
      if (!ok) return;
    }
  }

  const neuron_core& core_;
  GatedClock clock_;
  sc_signal<bool> clear_, fwd_en_, wta_start_, grad_en_, wta_busy_, wta_done_;
  sc_signal<uint32_t> label_, spike_, grad_pos_, grad_neg_, gate_, beta_, theta_, theta_err_, err_unit_, inhibition_;
  sc_signal<sc_dt::sc_bv<kNumOutputs * kInputBits>> fwd_in_;
  sc_signal<sc_dt::sc_bv<kNumOutputs * kChargeBits>> charge_;
  sc_signal<sc_dt::sc_bv<kNumOutputs * kPotentialBits>> potential_;
  sc_signal<sc_dt::sc_bv<kNumOutputs * kChargeBits>> grad_charge_;
  sc_signal<sc_dt::sc_bv<kNumOutputs * kPotentialBits>> pos_, neg_;
  std::unique_ptr<Vsc_output_layer> model_;
  std::deque<Job> jobs_;
  int stage_ = 0;       // 0: front job not started; 1: its first command lands next; 2: WTA running
  int wta_cycles_ = 0;  // WTA cycles of the current forward step so far
};

}  // namespace ssnn::sc::cosim
