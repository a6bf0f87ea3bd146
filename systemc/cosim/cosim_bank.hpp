// The shared base of the RTL co-simulation's banks (rtl_cosim.cpp): bit-field helpers, the command
// tag of mismatch messages, the gated clock, the context every bank checks through (lockstep checker,
// fault injector, statistics) and the Bank interface the driver clocks.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <systemc>

#include "rtl_cosim.hpp"
#include "ssnn/config.hpp"
#include "ssnn/contract/widths.hpp"
#include "ssnn_chip.hpp"
#include "ssnn_rtl/bits.hpp"
#include "ssnn_rtl/lockstep.hpp"

namespace ssnn::sc::cosim {

using sc_core::sc_signal;
using sc_core::sc_vector;

// The --sc models are verilated at the chip's default widths (ssnn/contract/widths.hpp: kChargeBits,
// kPotentialBits, kInputBits, kWeightBits, kNoiseBits, kNumOutputs; rtl/CMakeLists.txt).

using rtl::field;
using rtl::sext;

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

// The command queue of a bank whose commands take several cycles each (one per lane group): at a
// falling edge the cycle driven at the previous one is finished (checked, its command released) and
// the next cycle of the front job is driven; a job leaves once its last cycle is finished.
template <class Job>
class JobQueue {
 public:
  void push(Job job) { jobs_.push_back(std::move(job)); }
  bool empty() const { return jobs_.empty(); }
  void clear() {
    jobs_.clear();
    driven_ = -1;
    next_ = 0;
  }
  // cycles(job): the cycles a job takes; finish(job, cycle) and drive(job, cycle).
  template <class Cycles, class Finish, class Drive>
  void negedge(const CosimContext& ctx, Cycles cycles, Finish finish, Drive drive) {
    if (jobs_.empty()) return;
    if (driven_ >= 0) {
      finish(jobs_.front(), driven_);
      driven_ = -1;
      if (next_ == cycles(jobs_.front())) {
        jobs_.pop_front();
        next_ = 0;
      }
    }
    if (ctx.failed() || jobs_.empty()) return;
    drive(jobs_.front(), next_);
    driven_ = next_++;
  }

 private:
  std::deque<Job> jobs_;
  int driven_ = -1;  // cycle whose command lands at the next rising edge
  int next_ = 0;     // next cycle of the front job
};

// The registers of neuron j of a behavioural core, into slot u of a bank job's arrays.
template <class Job>
void snapshot_neuron(Job& job, size_t u, const neuron_core& core, int j) {
  job.charge[u] = core.charge(j);
  job.potential[u] = core.potential(j);
  job.grad_charge[u] = core.grad_charge(j);
  job.pos[u] = core.grad_pos(j);
  job.neg[u] = core.grad_neg(j);
  job.spike[u] = core.fired(j);
  job.dp[u] = core.fired_pos(j);
  job.dn[u] = core.fired_neg(j);
  job.gate[u] = core.gate(j);
}

// One group of RTL units with its own command queue, checked through the context under the bank's
// unit name (the mismatch message's unit).
class Bank {
 public:
  Bank(CosimContext& ctx, std::string unit) : ctx_(ctx), unit_(std::move(unit)) {}
  virtual ~Bank() = default;
  virtual void rise() = 0;     // rising edge of the chip clock
  virtual void negedge() = 0;  // falling edge: check, then drive
  virtual void reset() = 0;    // chip reset: drop every pending command
  virtual bool idle() const = 0;
  virtual void final_models() = 0;

 protected:
  // Compares one signal of RTL unit `index` (CosimContext::eq under the bank's unit name).
  bool eq(int index, const char* signal, int64_t expected, int64_t actual, const Tag& tag, const std::string& where = {}) {
    return ctx_.eq(unit_, index, signal, expected, actual, tag, where);
  }

  CosimContext& ctx_;
  const std::string unit_;
};

}  // namespace ssnn::sc::cosim
