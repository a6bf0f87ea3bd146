// RTL co-simulation of the SystemC chip (see rtl_cosim.hpp and docs/rtl.md).
//
// Timing.  The behavioural blocks take a command at a rising edge of the chip clock and call the
// observer there.  The driver below runs at the falling edge: it lowers the gated clocks, checks the
// results of the RTL commands of the previous cycle and writes the next commands' inputs, which the
// RTL units take at the next rising edge of their gated clock.  So an RTL command issued for the
// cycle after a behavioural command lands one edge later and is checked half a cycle after that;
// no process ever depends on the order of processes within one delta cycle.
// Why one file (1,477 lines): the unit banks share one scheduler and checker; the split into one file per bank on a shared base is under way and replaces this file.
#include "rtl_cosim.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <systemc>
#include <verilated.h>
#include <verilated_fst_sc.h>

#include "Vsc_coincidence.h"
#include "Vsc_neuron_hidden.h"
#include "Vsc_output_layer.h"
#include "Vsc_spike_source.h"
#include "ssnn/config.hpp"
#include "ssnn/seeding.hpp"
#include "ssnn/synapse.hpp"
#include "ssnn_chip.hpp"

namespace ssnn::sc {

namespace {

using sc_core::sc_signal;
using sc_core::sc_vector;

// The widths the --sc models were verilated with (rtl/CMakeLists.txt, ssnn_rtl_sc_models).
constexpr int kChargeBits = 24;
constexpr int kPotentialBits = 24;
constexpr int kInputBits = 31;
constexpr int kWeightBits = 16;
constexpr int kNoiseBits = 4;
constexpr int kOutputs = 10;

int64_t sext(uint64_t v, int bits) {
  const uint64_t sign = uint64_t{1} << (bits - 1);
  v &= (uint64_t{1} << bits) - 1;
  return static_cast<int64_t>((v ^ sign) - sign);
}
uint32_t field(int64_t v, int bits) { return static_cast<uint32_t>(static_cast<uint64_t>(v) & ((uint64_t{1} << bits) - 1)); }

template <int W>
int64_t slice(const sc_dt::sc_bv<W>& v, int k, int bits) {
  return sext(v.range(k * bits + bits - 1, k * bits).to_uint64(), bits);
}

// Where a command comes from, for the mismatch message.
struct Tag {
  int64_t sample = -1;  // run order since attach (training samples first, as --trace-samples)
  int step = -1;        // timestep, -1: sample start
  const char* phase = "";
  std::string text() const {
    std::string s = fmt::format("run sample {}", sample);
    if (step >= 0) s += fmt::format(", step {}", step);
    return s + ", " + phase;
  }
};

// A clock that ticks only in cycles with a command (clock gating): armed at a falling edge of the
// chip clock, it rises with the next rising edge and falls with the falling edge after it.
class GatedClock {
 public:
  explicit GatedClock(const std::string& name) : clk_(name.c_str(), false) {}
  sc_signal<bool>& signal() { return clk_; }
  void arm() { armed_ = true; }
  void rise() {
    if (!armed_) return;
    clk_.write(true);
    high_ = true;
    armed_ = false;
  }
  void fall() {
    if (!high_) return;
    clk_.write(false);
    high_ = false;
  }
  void reset() {
    armed_ = false;
    fall();
  }

 private:
  sc_signal<bool> clk_;
  bool armed_ = false;
  bool high_ = false;
};

}  // namespace

// ---------------------------------------------------------------------------------------------------
// Shared state: the checker, the fault injector, the statistics.
// ---------------------------------------------------------------------------------------------------
class CosimContext {
 public:
  CosimContext(const ModelConfig& cfg, const ChipConfig& chip, const CosimOptions& opt, sc_core::sc_time period)
      : cfg(cfg), chip(chip), opt(opt), period(period) {}

  // Compares one signal; on the first difference records the mismatch and pauses the kernel.
  bool eq(const std::string& unit, int index, const char* signal, int64_t expected, int64_t actual, const Tag& tag,
          const std::string& where = {}) {
    ++stats.checks;
    if (expected == actual) return true;
    if (!first) {
      rtl::Mismatch m;
      const double now_ps = sc_core::sc_time_stamp().to_seconds() * 1e12;
      m.cycle = static_cast<uint64_t>(sc_core::sc_time_stamp() / period);
      m.time = fmt::format("{:.1f} ns", now_ps / 1e3);
      m.unit = unit;
      m.index = index;
      m.signal = signal;
      m.expected = expected;
      m.actual = actual;
      m.context = tag.text() + (where.empty() ? "" : "; " + where);
      first = m;
      sc_core::sc_pause();
    }
    return false;
  }
  bool failed() const { return first.has_value(); }

  // A chip reset clears the chip's counters: the counts of RTL commands restart with them.
  void reset_counts() {
    const CosimStats keep = stats;
    stats = CosimStats{};
    stats.rtl_models = keep.rtl_models;
    stats.checks = keep.checks;
    stats.drain_cycles = keep.drain_cycles;
  }

  // True once: for the inject_at-th command of `kind`.
  bool inject(const char* kind) {
    if (injected || opt.inject != kind) return false;
    if (inject_seen++ != opt.inject_at) return false;
    injected = true;
    return true;
  }

  // Every block starts a sample in the same edge: the first call of an edge opens a new sample.
  void sample_begin() {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    if (sample < 0 || now != sample_time) ++sample;
    sample_time = now;
  }
  Tag tag(int step, const char* phase) const { return Tag{sample, step, phase}; }

  const ModelConfig& cfg;
  const ChipConfig& chip;
  const CosimOptions& opt;
  const sc_core::sc_time period;
  CosimStats stats;
  std::optional<rtl::Mismatch> first;
  int64_t sample = -1;
  sc_core::sc_time sample_time;
  uint64_t inject_seen = 0;
  bool injected = false;
};

namespace {

// One group of RTL units with its own command queue.
class Bank {
 public:
  virtual ~Bank() = default;
  virtual void rise() = 0;     // rising edge of the chip clock
  virtual void negedge() = 0;  // falling edge: check, then drive
  virtual void reset() = 0;    // chip reset: drop every pending command
  virtual bool idle() const = 0;
  virtual void final_models() = 0;
};

// ---------------------------------------------------------------------------------------------------
// Hidden neurons: one ssnn_composite_neuron per neuron, lane group g clocked in cycle g of a pass.
// ---------------------------------------------------------------------------------------------------
class HiddenNeuronBank final : public Bank {
 public:
  HiddenNeuronBank(CosimContext& ctx, const neuron_core& core, int probe, sc_core::sc_signal_in_if<bool>& rst)
      : ctx_(ctx),
        core_(core),
        n_(core.size()),
        lanes_(std::max(1, ctx.chip.lanes)),
        groups_(ChipConfig::ceil_div(core.size(), lanes_)),
        unit_(fmt::format("neuron_l{}", core.layer())),
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
    if (jobs_.empty()) return;
    if (driven_ >= 0) {
      Job& job = jobs_.front();
      check_group(job, driven_);
      command(job.kind, driven_).write(false);
      driven_ = -1;
      if (next_ == groups_) {
        jobs_.pop_front();
        next_ = 0;
      }
    }
    if (ctx_.failed() || jobs_.empty()) return;
    drive_group(jobs_.front(), next_);
    driven_ = next_++;
  }

  void reset() override {
    for (auto& c : clocks_) c->reset();
    for (int g = 0; g < groups_; ++g)
      for (Kind k : {kClear, kForward, kBackward}) command(k, g).write(false);
    jobs_.clear();
    driven_ = -1;
    next_ = 0;
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
    for (int j = 0; j < n_; ++j) {
      const auto u = static_cast<size_t>(j);
      job.charge[u] = core_.charge(j);
      job.potential[u] = core_.potential(j);
      job.grad_charge[u] = core_.grad_charge(j);
      job.pos[u] = core_.grad_pos(j);
      job.neg[u] = core_.grad_neg(j);
      job.spike[u] = core_.fired(j);
      job.dp[u] = core_.fired_pos(j);
      job.dn[u] = core_.fired_neg(j);
      job.gate[u] = core_.gate(j);
    }
    jobs_.push_back(std::move(job));
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
      const bool ok = ctx_.eq(unit_, j, "spike_o", job.spike[u], spike_[u].read(), job.tag) &&
                      ctx_.eq(unit_, j, "grad_pos_o", job.dp[u], grad_pos_[u].read(), job.tag) &&
                      ctx_.eq(unit_, j, "grad_neg_o", job.dn[u], grad_neg_[u].read(), job.tag) &&
                      ctx_.eq(unit_, j, "gate_o", job.gate[u], gate_[u].read(), job.tag) &&
                      ctx_.eq(unit_, j, "charge_o", job.charge[u], sext(charge_[u].read(), kChargeBits), job.tag) &&
                      ctx_.eq(unit_, j, "potential_o", job.potential[u], sext(potential_[u].read(), kPotentialBits), job.tag) &&
                      ctx_.eq(unit_, j, "grad_charge_o", job.grad_charge[u], sext(grad_charge_[u].read(), kChargeBits), job.tag) &&
                      ctx_.eq(unit_, j, "pos_potential_o", job.pos[u], sext(pos_[u].read(), kPotentialBits), job.tag) &&
                      ctx_.eq(unit_, j, "neg_potential_o", job.neg[u], sext(neg_[u].read(), kPotentialBits), job.tag) &&
                      ctx_.eq(unit_, j, "wta_eligible_o", 0, eligible_[u].read(), job.tag);
      if (!ok) return;
    }
  }

  CosimContext& ctx_;
  const neuron_core& core_;
  const int n_, lanes_, groups_;
  const std::string unit_, prefix_;
  std::vector<std::unique_ptr<GatedClock>> clocks_;
  sc_vector<sc_signal<bool>> clear_, fwd_en_, grad_en_;
  sc_vector<sc_signal<uint32_t>> in_;
  sc_vector<sc_signal<bool>> spike_, grad_pos_, grad_neg_, eligible_, gate_;
  sc_vector<sc_signal<uint32_t>> charge_, potential_, grad_charge_, pos_, neg_;
  sc_signal<uint32_t> beta_, theta_, theta_grad_, theta_gate_, zero32_;
  sc_signal<bool> zero_;
  std::vector<std::unique_ptr<Vsc_neuron_hidden>> models_;
  std::deque<Job> jobs_;
  int driven_ = -1;  // group whose command lands at the next rising edge
  int next_ = 0;     // next group of the front job
};

// ---------------------------------------------------------------------------------------------------
// Output core: one ssnn_output_layer (10 composite output neurons and the WTA resolver).
// ---------------------------------------------------------------------------------------------------
class OutputBank final : public Bank {
 public:
  OutputBank(CosimContext& ctx, const neuron_core& core, sc_core::sc_signal_in_if<bool>& rst)
      : ctx_(ctx),
        core_(core),
        unit_(fmt::format("output_l{}", core.layer())),
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
    std::copy(input, input + kOutputs, j.input.begin());
    std::copy(pre_wta, pre_wta + kOutputs, j.pre_wta.begin());
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
        const sc_dt::sc_bv<kOutputs * kChargeBits> charge = charge_.read();
        const sc_dt::sc_bv<kOutputs * kPotentialBits> potential = potential_.read();
        const std::string where = "after the integration, before the WTA";
        for (int k = 0; k < kOutputs && !ctx_.failed(); ++k) {
          const auto u = static_cast<size_t>(k);
          (void)(ctx_.eq(unit_, k, "charge_o", job.charge[u], slice(charge, k, kChargeBits), job.tag, where) &&
                 ctx_.eq(unit_, k, "potential_o", job.pre_wta[u], slice(potential, k, kPotentialBits), job.tag, where) &&
                 ctx_.eq(unit_, k, "spike_o", 0, (spike_.read() >> k) & 1u, job.tag, where));
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
        if (!ctx_.eq(unit_, 0, "wta_cycles", job.winners + 1, wta_cycles_, job.tag, "WTA resolver cycles (winners + 1)")) return;
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
    std::array<int32_t, kOutputs> input{}, pre_wta{};
    std::array<int32_t, kOutputs> charge{}, potential{}, grad_charge{}, pos{}, neg{};
    std::array<uint8_t, kOutputs> spike{}, dp{}, dn{}, gate{};
  };

  Job& post(Kind kind, const Tag& tag) {
    Job job;
    job.kind = kind;
    job.tag = tag;
    for (int k = 0; k < kOutputs; ++k) {
      const auto u = static_cast<size_t>(k);
      job.charge[u] = core_.charge(k);
      job.potential[u] = core_.potential(k);
      job.grad_charge[u] = core_.grad_charge(k);
      job.pos[u] = core_.grad_pos(k);
      job.neg[u] = core_.grad_neg(k);
      job.spike[u] = core_.fired(k);
      job.dp[u] = core_.fired_pos(k);
      job.dn[u] = core_.fired_neg(k);
      job.gate[u] = core_.gate(k);
    }
    jobs_.push_back(job);
    return jobs_.back();
  }

  void drive(const Job& job) {
    switch (job.kind) {
      case kClear:
        clear_.write(true);
        ctx_.stats.neuron_clears += kOutputs;
        break;
      case kForward: {
        sc_dt::sc_bv<kOutputs * kInputBits> bus;
        for (int k = 0; k < kOutputs; ++k)
          bus.range(k * kInputBits + kInputBits - 1, k * kInputBits) = field(job.input[static_cast<size_t>(k)], kInputBits);
        fwd_in_.write(bus);
        theta_.write(field(job.theta, kPotentialBits));
        inhibition_.write(field(job.inhibition, kPotentialBits));
        fwd_en_.write(true);
        ctx_.stats.neuron_forward += kOutputs;
        break;
      }
      case kError:
        label_.write(job.label >= 0 ? (1u << job.label) : 0u);
        theta_err_.write(field(job.theta, kPotentialBits));
        grad_en_.write(true);
        ctx_.stats.neuron_gradient += kOutputs;
        break;
    }
    clock_.arm();
  }

  void check_all(const Job& job) {
    const sc_dt::sc_bv<kOutputs * kChargeBits> charge = charge_.read(), grad_charge = grad_charge_.read();
    const sc_dt::sc_bv<kOutputs * kPotentialBits> potential = potential_.read(), pos = pos_.read(), neg = neg_.read();
    const uint32_t spike = spike_.read(), dp = grad_pos_.read(), dn = grad_neg_.read(), gate = gate_.read();
    for (int k = 0; k < kOutputs; ++k) {
      const auto u = static_cast<size_t>(k);
      const bool ok = ctx_.eq(unit_, k, "spike_o", job.spike[u], (spike >> k) & 1u, job.tag) &&
                      ctx_.eq(unit_, k, "grad_pos_o", job.dp[u], (dp >> k) & 1u, job.tag) &&
                      ctx_.eq(unit_, k, "grad_neg_o", job.dn[u], (dn >> k) & 1u, job.tag) &&
                      ctx_.eq(unit_, k, "gate_o", job.gate[u], (gate >> k) & 1u, job.tag) &&
                      ctx_.eq(unit_, k, "charge_o", job.charge[u], slice(charge, k, kChargeBits), job.tag) &&
                      ctx_.eq(unit_, k, "potential_o", job.potential[u], slice(potential, k, kPotentialBits), job.tag) &&
                      ctx_.eq(unit_, k, "grad_charge_o", job.grad_charge[u], slice(grad_charge, k, kChargeBits), job.tag) &&
                      ctx_.eq(unit_, k, "pos_potential_o", job.pos[u], slice(pos, k, kPotentialBits), job.tag) &&
                      ctx_.eq(unit_, k, "neg_potential_o", job.neg[u], slice(neg, k, kPotentialBits), job.tag);
      if (!ok) return;
    }
  }

  CosimContext& ctx_;
  const neuron_core& core_;
  const std::string unit_;
  GatedClock clock_;
  sc_signal<bool> clear_, fwd_en_, wta_start_, grad_en_, wta_busy_, wta_done_;
  sc_signal<uint32_t> label_, spike_, grad_pos_, grad_neg_, gate_, beta_, theta_, theta_err_, err_unit_, inhibition_;
  sc_signal<sc_dt::sc_bv<kOutputs * kInputBits>> fwd_in_;
  sc_signal<sc_dt::sc_bv<kOutputs * kChargeBits>> charge_;
  sc_signal<sc_dt::sc_bv<kOutputs * kPotentialBits>> potential_;
  sc_signal<sc_dt::sc_bv<kOutputs * kChargeBits>> grad_charge_;
  sc_signal<sc_dt::sc_bv<kOutputs * kPotentialBits>> pos_, neg_;
  std::unique_ptr<Vsc_output_layer> model_;
  std::deque<Job> jobs_;
  int stage_ = 0;       // 0: front job not started; 1: its first command lands next; 2: WTA running
  int wta_cycles_ = 0;  // WTA cycles of the current forward step so far
};

// ---------------------------------------------------------------------------------------------------
// Encoder: one ssnn_spike_source per pixel and one for the label, pixel lane group g in cycle g.
// ---------------------------------------------------------------------------------------------------
class EncoderBank final : public Bank {
 public:
  EncoderBank(CosimContext& ctx, const spike_encoder& enc, sc_core::sc_signal_in_if<bool>& rst)
      : ctx_(ctx),
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
      bind(*m, rst, clocks_[static_cast<size_t>(i / lanes_)]->signal(), load_[static_cast<size_t>(i / lanes_)], seed_[u], step_[u],
           pixel_[u], ramp_, spike_[u], prob_[u], state_[u]);
      models_.push_back(std::move(m));
    }
    label_model_ = std::make_unique<Vsc_spike_source>("rtl_label_src");
    bind(*label_model_, rst, label_clock_.signal(), label_load_, label_seed_, label_step_, label_pixel_, label_ramp_, label_spike_,
         label_prob_, label_state_);
    label_pixel_.write(255);  // a full pixel: prob == ramp exactly
    label_ramp_.write(enc.label_rate_q16());
    ctx_.stats.rtl_models += static_cast<uint64_t>(n_) + 1;
  }

  void post_load(uint64_t key) {
    Job job = snapshot(kLoad, ctx_.tag(-1, "sample start (seed load)"));
    job.key = key;
    for (int i = 0; i < n_; ++i) job.pixel[static_cast<size_t>(i)] = enc_.pixel(i);
    jobs_.push_back(std::move(job));
  }
  void post_forward(int t, uint32_t ramp, bool label_drawn) {
    Job job = snapshot(kDraw, ctx_.tag(t, "encode"));
    job.ramp = ramp;
    job.label_drawn = label_drawn;
    const std::vector<uint8_t>& keep = enc_.keep_mask();
    for (int i = 0; i < n_; ++i) job.draw[static_cast<size_t>(i)] = enc_.pixel(i) != 0 && keep[static_cast<size_t>(i)] != 0;
    jobs_.push_back(std::move(job));
  }

  void rise() override {
    for (auto& c : clocks_) c->rise();
    label_clock_.rise();
  }

  void negedge() override {
    for (auto& c : clocks_) c->fall();
    label_clock_.fall();
    if (jobs_.empty()) return;
    if (driven_ >= 0) {
      check_cycle(jobs_.front(), driven_);
      release_cycle(jobs_.front(), driven_);
      driven_ = -1;
      if (next_ == cycles(jobs_.front())) {
        jobs_.pop_front();
        next_ = 0;
      }
    }
    if (ctx_.failed() || jobs_.empty()) return;
    drive_cycle(jobs_.front(), next_);
    driven_ = next_++;
  }

  void reset() override {
    for (auto& c : clocks_) c->reset();
    label_clock_.reset();
    for (auto& s : load_) s.write(false);
    for (auto& s : step_) s.write(false);
    label_load_.write(false);
    label_step_.write(false);
    jobs_.clear();
    driven_ = -1;
    next_ = 0;
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

  static void bind(Vsc_spike_source& m, sc_core::sc_signal_in_if<bool>& rst, sc_signal<bool>& clk, sc_signal<bool>& load, sc_signal<uint32_t>& seed, sc_signal<bool>& step,
                   sc_signal<uint32_t>& pixel, sc_signal<uint32_t>& ramp, sc_signal<bool>& spike, sc_signal<uint32_t>& prob,
                   sc_signal<uint32_t>& state) {
    m.clk_i(clk);
    m.rst_ni(rst);
    m.load_i(load);
    m.seed_i(seed);
    m.step_i(step);
    m.pixel_i(pixel);
    m.ramp_i(ramp);
    m.spike_o(spike);
    m.prob_o(prob);
    m.state_o(state);
  }

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
      if (!ctx_.eq(unit_, i, "spike_o", job.spike[u], spike_[u].read(), job.tag) ||
          !ctx_.eq(unit_, i, "state_o", job.state[u], state_[u].read(), job.tag))
        return;
    }
    if (label_in(job, c)) {
      const auto u = static_cast<size_t>(n_);
      (void)(ctx_.eq(label_unit_, 0, "spike_o", job.spike[u], label_spike_.read(), job.tag) &&
             ctx_.eq(label_unit_, 0, "state_o", job.state[u], label_state_.read(), job.tag));
    }
  }

  CosimContext& ctx_;
  const spike_encoder& enc_;
  const int n_, lanes_, groups_;
  const std::string unit_ = "spike_source", label_unit_ = "label_source";
  std::vector<std::unique_ptr<GatedClock>> clocks_;
  sc_vector<sc_signal<bool>> load_, step_, spike_;
  sc_vector<sc_signal<uint32_t>> seed_, pixel_, prob_, state_;
  sc_signal<uint32_t> ramp_;
  GatedClock label_clock_;
  sc_signal<bool> label_load_, label_step_, label_spike_;
  sc_signal<uint32_t> label_seed_, label_pixel_, label_ramp_, label_prob_, label_state_;
  std::vector<std::unique_ptr<Vsc_spike_source>> models_;
  std::unique_ptr<Vsc_spike_source> label_model_;
  std::deque<Job> jobs_;
  int driven_ = -1;
  int next_ = 0;
};

// ---------------------------------------------------------------------------------------------------
// Cross-points: the pins of one ssnn_coincidence_unit.
// ---------------------------------------------------------------------------------------------------
struct CrosspointPins {
  explicit CrosspointPins(const std::string& p)
      : load((p + "load").c_str()),
        update((p + "update").c_str()),
        row((p + "row").c_str()),
        col_pos((p + "col_pos").c_str()),
        col_neg((p + "col_neg").c_str()),
        up((p + "up").c_str()),
        down((p + "down").c_str()),
        load_weight((p + "load_weight").c_str()),
        w_min((p + "w_min").c_str()),
        w_max((p + "w_max").c_str()),
        pulse_up((p + "pulse_up").c_str()),
        pulse_down((p + "pulse_down").c_str()),
        pulse_noise((p + "pulse_noise").c_str()),
        noise_word((p + "noise_word").c_str()),
        weight((p + "weight").c_str()) {}

  void bind(Vsc_coincidence& m, sc_core::sc_signal_in_if<bool>& rst, sc_signal<bool>& clk) {
    m.clk_i(clk);
    m.rst_ni(rst);
    m.load_i(load);
    m.load_weight_i(load_weight);
    m.update_i(update);
    m.row_i(row);
    m.col_pos_i(col_pos);
    m.col_neg_i(col_neg);
    m.w_min_i(w_min);
    m.w_max_i(w_max);
    m.pulse_up_i(pulse_up);
    m.pulse_down_i(pulse_down);
    m.pulse_noise_i(pulse_noise);
    m.noise_word_i(noise_word);
    m.up_o(up);
    m.down_o(down);
    m.weight_o(weight);
  }

  // The device parameters of the sample; pulses above 2^(W+1) - 1 always end at a bound, so the
  // controller clamps them to the port (docs/rtl.md).
  void params(const SynapseParams& p) {
    const int32_t cap = (1 << (kWeightBits + 1)) - 1;
    w_min.write(field(p.w_min, kWeightBits));
    w_max.write(field(p.w_max, kWeightBits));
    pulse_up.write(static_cast<uint32_t>(std::min(p.pulse_up, cap)));
    pulse_down.write(static_cast<uint32_t>(std::min(p.pulse_down, cap)));
    pulse_noise.write(static_cast<uint32_t>(p.pulse_noise));
  }

  sc_signal<bool> load, update, row, col_pos, col_neg, up, down;
  sc_signal<uint32_t> load_weight, w_min, w_max, pulse_up, pulse_down, pulse_noise, noise_word, weight;
};

// A pool of coincidence units per tile, time-multiplexed over the tile's pulses (by default one
// unit per tile column): a free unit takes the next pulse, loads the cross-point's weight (1 cycle),
// applies the pulse (1 cycle) and is checked; it takes its next pulse in the cycle it checks the
// last one.  Each unit has its own gated clock, so idle units cost nothing.
class CrosspointPool final : public Bank {
 public:
  CrosspointPool(CosimContext& ctx, const crossbar_tile& tile, int index, int units, sc_core::sc_signal_in_if<bool>& rst)
      : ctx_(ctx),
        tile_(tile),
        index_(index),
        layer_cols_(ctx.cfg.layer_size(tile.geometry().layer + 1)),
        unit_(fmt::format("crosspoint_l{}", tile.geometry().layer)) {
    for (int u = 0; u < units; ++u) {
      auto s = std::make_unique<Slot>(fmt::format("rtl_tile{}_x{}_", index, u), u);
      s->model = std::make_unique<Vsc_coincidence>(fmt::format("rtl_tile{}_x{}", index, u).c_str());
      s->pins.bind(*s->model, rst, s->clock.signal());
      slots_.push_back(std::move(s));
    }
    for (auto& s : slots_) free_.push_back(s.get());
    ctx_.stats.rtl_models += static_cast<uint64_t>(units);
  }

  void post(int t, int row, int col, bool up, int32_t before, int32_t after, uint32_t word) {
    Pulse p;
    p.tag = ctx_.tag(t, "update");
    p.row = row;
    p.col = col;
    p.up = up;
    p.before = before;
    p.after = after;
    p.word = word;
    p.syn = tile_.synapse();
    queue_.push_back(p);
    ctx_.stats.xpoint_max_backlog = std::max<uint64_t>(ctx_.stats.xpoint_max_backlog, queue_.size());
  }

  void rise() override {
    for (Slot* s : busy_) s->clock.rise();
  }

  void negedge() override {
    size_t keep = 0;
    for (size_t i = 0; i < busy_.size(); ++i) {
      Slot& s = *busy_[i];
      s.clock.fall();
      if (!ctx_.failed() && step(s)) {
        busy_[keep++] = &s;
      } else {
        free_.push_back(&s);
      }
    }
    busy_.resize(keep);
    if (ctx_.failed()) return;
    while (!queue_.empty() && !free_.empty()) {
      Slot& s = *free_.front();
      free_.pop_front();
      s.pulse = queue_.front();
      queue_.pop_front();
      s.pins.load.write(true);
      s.pins.load_weight.write(field(s.pulse.before, kWeightBits));
      s.state = Slot::kLoaded;
      s.clock.arm();
      busy_.push_back(&s);
    }
  }

  void reset() override {
    for (auto& s : slots_) {
      s->clock.reset();
      for (auto* p : {&s->pins.load, &s->pins.update, &s->pins.row, &s->pins.col_pos, &s->pins.col_neg}) p->write(false);
      s->state = Slot::kIdle;
    }
    busy_.clear();
    free_.clear();
    for (auto& s : slots_) free_.push_back(s.get());
    queue_.clear();
  }

  bool idle() const override { return queue_.empty() && busy_.empty(); }
  void final_models() override {
    for (auto& s : slots_) s->model->final();
  }

 private:
  struct Pulse {
    Tag tag;
    int row = 0, col = 0;
    bool up = false;
    int32_t before = 0, after = 0;
    uint32_t word = 0;
    SynapseParams syn;
  };
  struct Slot {
    Slot(const std::string& prefix, int number) : number(number), clock(prefix + "gclk"), pins(prefix) {}
    enum State { kIdle, kLoaded, kUpdated } state = kIdle;
    int number;
    GatedClock clock;
    CrosspointPins pins;
    std::unique_ptr<Vsc_coincidence> model;
    Pulse pulse;
  };

  // Checks the command that landed and drives the next one; false when the unit is free again.
  bool step(Slot& s) {
    if (s.state == Slot::kLoaded) {
      if (!check(s, "weight_o", s.pulse.before, sext(s.pins.weight.read(), kWeightBits), "after loading the weight")) return true;
      s.pins.load.write(false);
      s.pins.update.write(true);
      s.pins.row.write(true);
      bool up = s.pulse.up;
      if (ctx_.inject("coincidence")) up = !up;
      s.pins.col_pos.write(up);
      s.pins.col_neg.write(!up);
      s.pins.noise_word.write(s.pulse.word);
      s.pins.params(s.pulse.syn);
      s.state = Slot::kUpdated;
      s.clock.arm();
      ++ctx_.stats.xpoint_pulses;
      return true;
    }
    const bool ok = check(s, "up_o", s.pulse.up, s.pins.up.read(), "the AND gates") &&
                    check(s, "down_o", !s.pulse.up, s.pins.down.read(), "the AND gates") &&
                    check(s, "weight_o", s.pulse.after, sext(s.pins.weight.read(), kWeightBits), "after the pulse");
    if (!ok) return true;
    s.pins.update.write(false);
    s.pins.row.write(false);
    s.pins.col_pos.write(false);
    s.pins.col_neg.write(false);
    s.state = Slot::kIdle;
    return false;
  }

  bool check(const Slot& s, const char* signal, int64_t expected, int64_t actual, const char* what) {
    if (expected == actual) {
      ++ctx_.stats.checks;
      return true;
    }
    const TileGeometry& g = tile_.geometry();
    const int row = g.row0 + s.pulse.row, col = g.col0 + s.pulse.col;
    return ctx_.eq(unit_, row * layer_cols_ + col, signal, expected, actual, s.pulse.tag,
                   fmt::format("row {} column {} ({} pulse), tile {}, pool unit {}, {}", row, col, s.pulse.up ? "up" : "down",
                               index_, s.number, what));
  }

  CosimContext& ctx_;
  const crossbar_tile& tile_;
  const int index_;
  const int layer_cols_;
  const std::string unit_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Slot*> busy_;  // units with a command in flight, in the order they took it
  std::deque<Slot*> free_;
  std::deque<Pulse> queue_;
};

// The probed cross-point: a dedicated coincidence unit that carries that cross-point's weight
// through the run (loaded once), takes the row and column lines at every step end and is checked
// against the tile's weight (the waveform of rtl/gtkw/rtl_crosspoint.gtkw).
class CrosspointProbe final : public Bank {
 public:
  CrosspointProbe(CosimContext& ctx, const crossbar_tile& tile, int row, int col, sc_core::sc_signal_in_if<bool>& rst)
      : ctx_(ctx),
        tile_(tile),
        row_(row),
        col_(col),
        index_((tile.geometry().row0 + row) * ctx.cfg.layer_size(tile.geometry().layer + 1) + tile.geometry().col0 + col),
        unit_(fmt::format("crosspoint_probe_l{}", tile.geometry().layer)),
        clock_("rtl_probe_gclk"),
        pins_("rtl_probe_"),
        model_(std::make_unique<Vsc_coincidence>("crosspoint")) {
    pins_.bind(*model_, rst, clock_.signal());
    ctx_.stats.rtl_models += 1;
  }

  Vsc_coincidence& model() { return *model_; }

  void post_sample_begin() {
    if (loaded_) return;
    loaded_ = true;
    Job j;
    j.kind = Job::kLoad;
    j.tag = ctx_.tag(-1, "sample start (probe weight load)");
    j.weight = tile_.weight(row_, col_);
    jobs_.push_back(j);
  }
  void post_step_end(int t) {
    if (!loaded_) return;
    Job j;
    j.kind = Job::kUpdate;
    j.tag = ctx_.tag(t, "update");
    j.row = tile_.row_latch(row_);
    j.pos = tile_.col_pos_latch(col_);
    j.neg = tile_.col_neg_latch(col_);
    const SynapseParams& p = tile_.synapse();
    const TileGeometry& g = tile_.geometry();
    j.word = p.pulse_noise ? device_noise_word(tile_.device_key(), static_cast<uint32_t>(t), static_cast<uint32_t>(g.row0 + row_),
                                               static_cast<uint32_t>(g.col0 + col_))
                           : 0u;
    j.syn = p;
    j.weight = tile_.weight(row_, col_);
    jobs_.push_back(j);
  }

  void rise() override { clock_.rise(); }

  void negedge() override {
    clock_.fall();
    if (jobs_.empty()) return;
    if (driving_) {
      const Job& j = jobs_.front();
      const std::string where = fmt::format("probe cross-point row {} column {}", tile_.geometry().row0 + row_, tile_.geometry().col0 + col_);
      const bool ok = (j.kind == Job::kLoad || (ctx_.eq(unit_, index_, "up_o", j.row && j.pos, pins_.up.read(), j.tag, where) &&
                                                ctx_.eq(unit_, index_, "down_o", j.row && j.neg, pins_.down.read(), j.tag, where))) &&
                      ctx_.eq(unit_, index_, "weight_o", j.weight, sext(pins_.weight.read(), kWeightBits), j.tag, where);
      // The lines are driven for the update cycle only: row and column pulses in the waveform.
      for (auto* p : {&pins_.load, &pins_.update, &pins_.row, &pins_.col_pos, &pins_.col_neg}) p->write(false);
      jobs_.pop_front();
      driving_ = false;
      if (!ok) return;
    }
    if (jobs_.empty() || ctx_.failed()) return;
    const Job& j = jobs_.front();
    if (j.kind == Job::kLoad) {
      pins_.load.write(true);
      pins_.load_weight.write(field(j.weight, kWeightBits));
    } else {
      pins_.update.write(true);
      pins_.row.write(j.row);
      pins_.col_pos.write(j.pos);
      pins_.col_neg.write(j.neg);
      pins_.noise_word.write(j.word);
      pins_.params(j.syn);
      ++ctx_.stats.probe_updates;
    }
    clock_.arm();
    driving_ = true;
  }

  void reset() override {
    clock_.reset();
    pins_.load.write(false);
    pins_.update.write(false);
    jobs_.clear();
    driving_ = false;
    loaded_ = false;  // the unit's weight register was reset: load again at the next sample
  }

  bool idle() const override { return jobs_.empty(); }
  void final_models() override { model_->final(); }

 private:
  struct Job {
    enum Kind { kLoad, kUpdate } kind = kLoad;
    Tag tag;
    bool row = false, pos = false, neg = false;
    uint32_t word = 0;
    SynapseParams syn;
    int32_t weight = 0;  // to load, or expected after the update
  };

  CosimContext& ctx_;
  const crossbar_tile& tile_;
  const int row_, col_, index_;
  const std::string unit_;
  GatedClock clock_;
  CrosspointPins pins_;
  std::unique_ptr<Vsc_coincidence> model_;
  std::deque<Job> jobs_;
  bool loaded_ = false;
  bool driving_ = false;
};

// The clocked process of the co-simulation: rising and falling edges of the chip clock and reset.
class CosimDriver : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> clk_i{"clk_i"};
  sc_core::sc_in<bool> rst_ni{"rst_ni"};

  SC_HAS_PROCESS(CosimDriver);
  CosimDriver(const sc_core::sc_module_name& name, CosimContext& ctx, std::vector<Bank*>& banks)
      : sc_core::sc_module(name), ctx_(ctx), banks_(banks) {
    SC_METHOD(on_edge);
    sensitive << clk_i << rst_ni;
    dont_initialize();
  }

 private:
  void on_edge() {
    if (!rst_ni.read()) {
      for (Bank* b : banks_) b->reset();
      ctx_.reset_counts();
      return;
    }
    if (!clk_i.event()) return;
    if (clk_i.read()) {
      for (Bank* b : banks_) b->rise();
    } else {
      for (Bank* b : banks_) b->negedge();
    }
  }

  CosimContext& ctx_;
  std::vector<Bank*>& banks_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------------
// The observer: dispatches the behavioural commands to the banks.
// ---------------------------------------------------------------------------------------------------
class RtlCosim::Impl : public CosimObserver {
 public:
  Impl(ChipHarness& h, const CosimOptions& opt)
      : harness_(h), chip_(h.chip()), opt_(opt), ctx_(chip_.config(), chip_.chip_config(), opt_, h.period()) {
    validate();
    Verilated::threadContextp()->threads(1);
    if (opt_.trace) Verilated::traceEverOn(true);
    sc_core::sc_signal_in_if<bool>& rst = h.reset_n();
    const ModelConfig& cfg = chip_.config();
    const int L = cfg.layers();
    if (opt_.encoder) {
      encoder_ = std::make_unique<EncoderBank>(ctx_, chip_.encoder(), rst);
      banks_.push_back(encoder_.get());
    }
    if (opt_.neuron) {
      for (int l = 1; l < L; ++l) {
        const int probe = opt_.trace && opt_.probe_layer == l ? std::clamp(opt_.probe_neuron, 0, cfg.layer_size(l) - 1) : -1;
        hidden_.push_back(std::make_unique<HiddenNeuronBank>(ctx_, chip_.core(l), probe, rst));
        banks_.push_back(hidden_.back().get());
        if (probe >= 0) probe_neuron_ = &hidden_.back()->model(probe);
      }
      output_ = std::make_unique<OutputBank>(ctx_, chip_.core(L), rst);
      banks_.push_back(output_.get());
    }
    if (opt_.coincidence) {
      for (int k = 0; k < chip_.num_tiles(); ++k) {
        tile_index_[&chip_.tile(k)] = k;
        const int units = opt_.xpoint_units > 0 ? opt_.xpoint_units : chip_.tile(k).geometry().cols;
        pools_.push_back(std::make_unique<CrosspointPool>(ctx_, chip_.tile(k), k, units, rst));
        banks_.push_back(pools_.back().get());
      }
      if (opt_.trace && opt_.probe_tile >= 0 && opt_.probe_tile < chip_.num_tiles()) {
        const crossbar_tile& t = chip_.tile(opt_.probe_tile);
        const int r = std::clamp(opt_.probe_row, 0, t.geometry().rows - 1);
        const int c = std::clamp(opt_.probe_col, 0, t.geometry().cols - 1);
        probe_ = std::make_unique<CrosspointProbe>(ctx_, t, r, c, rst);
        banks_.push_back(probe_.get());
      }
    }
    driver_ = std::make_unique<CosimDriver>("rtl_cosim", ctx_, banks_);
    driver_->clk_i(h.clock());
    driver_->rst_ni(h.reset_n());
    chip_.set_cosim_observer(this);
    harness_.set_after_run([this] { check(); });
  }

  ~Impl() override {
    chip_.set_cosim_observer(nullptr);
    harness_.set_after_run(nullptr);
    close_traces();
    for (Bank* b : banks_) b->final_models();
  }

  // ---- CosimObserver --------------------------------------------------------------------------
  void encoder_sample_begin(const spike_encoder&, uint64_t key) override {
    ctx_.sample_begin();
    if (encoder_) encoder_->post_load(key);
  }
  void encoder_forward(const spike_encoder&, int t, uint32_t ramp, bool label_drawn) override {
    if (encoder_) encoder_->post_forward(t, ramp, label_drawn);
  }
  void core_sample_begin(const neuron_core& core) override {
    ctx_.sample_begin();
    if (!opt_.neuron) return;
    if (core.is_output())
      output_->post_clear();
    else
      hidden_[static_cast<size_t>(core.layer() - 1)]->post_clear();
  }
  void core_forward(const neuron_core& core, const int32_t* input, int32_t theta, int32_t theta_gate, const int32_t* pre_wta, int32_t inhibition,
                    int winners) override {
    if (!opt_.neuron) return;
    const int t = static_cast<int>(core.step_i.read());
    if (core.is_output())
      output_->post_forward(t, input, theta, pre_wta, inhibition, winners);
    else
      hidden_[static_cast<size_t>(core.layer() - 1)]->post_forward(t, input, theta, theta_gate);
  }
  void core_error(const neuron_core& core, int label, int32_t theta_err) override {
    if (opt_.neuron) output_->post_error(static_cast<int>(core.step_i.read()), label, theta_err);
  }
  void core_backward(const neuron_core& core, const int32_t* input, int32_t theta_grad) override {
    if (opt_.neuron) hidden_[static_cast<size_t>(core.layer() - 1)]->post_backward(static_cast<int>(core.step_i.read()), input, theta_grad);
  }
  void tile_sample_begin(const crossbar_tile& tile) override {
    ctx_.sample_begin();
    if (probe_ && &tile == &chip_.tile(opt_.probe_tile)) probe_->post_sample_begin();
  }
  void tile_pulse(const crossbar_tile& tile, int t, int row, int col, bool up, int32_t before, int32_t after, uint32_t word) override {
    if (!opt_.coincidence) return;
    pools_[static_cast<size_t>(tile_index_.at(&tile))]->post(t, row, col, up, before, after, word);
  }
  void tile_step_end(const crossbar_tile& tile, int t, bool) override {
    if (probe_ && &tile == &chip_.tile(opt_.probe_tile)) probe_->post_step_end(t);
  }

  // ---- Control ----------------------------------------------------------------------------------
  std::vector<std::string> open_traces(const std::string& stem) {
    std::vector<std::string> paths;
    if (!opt_.trace) return paths;
    if (probe_neuron_) {
      neuron_fst_ = std::make_unique<VerilatedFstSc>();
      probe_neuron_->trace(neuron_fst_.get(), 99);
      neuron_path_ = stem + "_rtl_neuron.fst";
      paths.push_back(neuron_path_);
    }
    if (probe_) {
      xpoint_fst_ = std::make_unique<VerilatedFstSc>();
      probe_->model().trace(xpoint_fst_.get(), 99);
      xpoint_path_ = stem + "_rtl_crosspoint.fst";
      paths.push_back(xpoint_path_);
    }
    return paths;
  }
  void set_trace_enabled(bool on) {
    if (on && !trace_opened_) {
      trace_opened_ = true;
      if (neuron_fst_) neuron_fst_->open(neuron_path_.c_str());
      if (xpoint_fst_) xpoint_fst_->open(xpoint_path_.c_str());
    } else if (!on && trace_opened_) {
      close_traces();
    }
  }
  void close_traces() {
    if (neuron_fst_ && neuron_fst_->isOpen()) neuron_fst_->close();
    if (xpoint_fst_ && xpoint_fst_->isOpen()) xpoint_fst_->close();
  }

  bool idle() const {
    for (const Bank* b : banks_)
      if (!b->idle()) return false;
    return true;
  }

  void drain() {
    const sc_core::sc_time p = harness_.period();
    // The pools take 2 cycles per pulse: far less than this bound unless a unit hangs.
    const uint64_t limit = 1000 + 4 * ctx_.stats.xpoint_max_backlog;
    uint64_t n = 0;
    while (!idle()) {
      if (n++ > limit) throw std::runtime_error("rtl co-simulation: RTL command queues not empty after " + std::to_string(limit) + " idle cycles");
      sc_core::sc_start(p);
      check();
    }
    ctx_.stats.drain_cycles += n;
  }

  void check() const {
    if (ctx_.first) throw LockstepError(*ctx_.first);
  }

  std::string coverage_error() const {
    const ChipCounters c = chip_.counters();
    const CosimStats& s = ctx_.stats;
    auto differ = [](const char* what, uint64_t rtl, uint64_t chip) {
      return rtl == chip ? std::string() : fmt::format("{}: RTL {}, chip {}", what, rtl, chip);
    };
    std::vector<std::string> errs;
    if (opt_.neuron) {
      uint64_t fwd = 0, grad = 0;
      for (const CoreCounters& k : c.cores) {
        fwd += k.forward_updates;
        grad += k.gradient_updates;
      }
      errs.push_back(differ("forward-neuron updates", s.neuron_forward, fwd));
      errs.push_back(differ("gradient-pair updates", s.neuron_gradient, grad));
      errs.push_back(differ("WTA cycles", s.wta_cycles, c.cores.back().wta_iterations));
    }
    if (opt_.coincidence) {
      uint64_t pulses = 0;
      for (const TileCounters& t : c.layer_tiles) pulses += t.pulses_up + t.pulses_down;
      errs.push_back(differ("cross-point pulses", s.xpoint_pulses, pulses));
    }
    if (opt_.encoder) {
      errs.push_back(differ("LFSR draws", s.lfsr_draws, c.encoder.lfsr_draws));
      errs.push_back(differ("LFSR seed loads", s.lfsr_loads, c.encoder.seed_loads));
    }
    std::string out;
    for (const std::string& e : errs)
      if (!e.empty()) out += (out.empty() ? "" : "; ") + e;
    return out;
  }

  const CosimStats& stats() const { return ctx_.stats; }
  const CosimOptions& options() const { return opt_; }
  bool failed() const { return ctx_.failed(); }

 private:
  void validate() const {
    const ModelConfig& cfg = chip_.config();
    if (opt_.neuron) {
      if (cfg.charge_bits != kChargeBits || cfg.potential_bits != kPotentialBits)
        throw ConfigError(fmt::format("--rtl neuron: the RTL neurons are verilated with {}-bit charge and {}-bit potential registers; "
                                      "this run has --charge-bits {} --potential-bits {}",
                                      kChargeBits, kPotentialBits, cfg.charge_bits, cfg.potential_bits));
      if (cfg.classes != kOutputs)
        throw ConfigError(fmt::format("--rtl neuron: the RTL output layer is verilated with {} outputs; this run has --classes {}",
                                      kOutputs, cfg.classes));
    }
    if (opt_.coincidence) {
      if (cfg.update_mode != UpdateMode::kStochastic)
        throw ConfigError(fmt::format("--rtl coincidence: --mode {} has no RTL unit (the coincidence unit is the chip's "
                                      "stochastic update, --mode stochastic)",
                                      to_string(cfg.update_mode)));
      if (cfg.weight_bits != kWeightBits)
        throw ConfigError(fmt::format("--rtl coincidence: the RTL coincidence unit is verilated with {}-bit weights; this run has "
                                      "--weight-bits {}",
                                      kWeightBits, cfg.weight_bits));
      if (cfg.pulse_noise >= (1 << kNoiseBits))
        throw ConfigError(fmt::format("--rtl coincidence: the RTL coincidence unit takes pulse noise below {} ({} noise bits); "
                                      "this run has --pulse-noise {}",
                                      1 << kNoiseBits, kNoiseBits, cfg.pulse_noise));
    }
  }

  ChipHarness& harness_;
  ssnn_chip& chip_;
  const CosimOptions opt_;
  CosimContext ctx_;
  std::vector<Bank*> banks_;
  std::unique_ptr<EncoderBank> encoder_;
  std::vector<std::unique_ptr<HiddenNeuronBank>> hidden_;
  std::unique_ptr<OutputBank> output_;
  std::vector<std::unique_ptr<CrosspointPool>> pools_;
  std::unique_ptr<CrosspointProbe> probe_;
  std::unordered_map<const crossbar_tile*, int> tile_index_;
  std::unique_ptr<CosimDriver> driver_;
  Vsc_neuron_hidden* probe_neuron_ = nullptr;
  std::unique_ptr<VerilatedFstSc> neuron_fst_, xpoint_fst_;
  std::string neuron_path_, xpoint_path_;
  bool trace_opened_ = false;
};

// ---------------------------------------------------------------------------------------------------
// Public interface.
// ---------------------------------------------------------------------------------------------------
bool RtlCosim::available() { return true; }

RtlCosim::RtlCosim(ChipHarness& h, const CosimOptions& options) : impl_(std::make_unique<Impl>(h, options)) {}
RtlCosim::~RtlCosim() = default;
std::vector<std::string> RtlCosim::open_traces(const std::string& stem) { return impl_->open_traces(stem); }
void RtlCosim::set_trace_enabled(bool on) { impl_->set_trace_enabled(on); }
void RtlCosim::close_traces() { impl_->close_traces(); }
void RtlCosim::drain() { impl_->drain(); }
void RtlCosim::check() const { impl_->check(); }
bool RtlCosim::failed() const { return impl_->failed(); }
std::string RtlCosim::coverage_error() const { return impl_->coverage_error(); }
const CosimStats& RtlCosim::stats() const { return impl_->stats(); }
const CosimOptions& RtlCosim::options() const { return impl_->options(); }

}  // namespace ssnn::sc
