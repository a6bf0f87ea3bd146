// What the lockstep benches of bin/rtl_block_tests share (sc_*_lockstep.cpp): a verilated model and
// its SystemC reference clocked edge by edge together, the controller's command bus bound to a
// block in one call (as the chip binds it, ssnn_chip.cpp), a source's AER channels (AerLinks) with
// random ready and their per-edge comparison, and the wait for both models to finish a command.
// Include it first: it includes the Verilator helpers before SystemC (see sc_tile_lockstep.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "rtl_sim.hpp"

#include <systemc>

#include "aer_links.hpp"
#include "aer_router_core.hpp"
#include "aer_source.hpp"
#include "chip_config.hpp"
#include "chip_types.hpp"
#include "command_block.hpp"
#include "ssnn/config.hpp"
#include "ssnn_rtl/lockstep.hpp"

namespace ssnn::rtl::test {

// The SystemC reference's clock and reset.
struct ScClock {
  sc_core::sc_signal<bool> clk{"clk"}, rst_n{"rst_n"};
};

// A verilated model beside its SystemC reference: one edge, one reset and one checker for both.
template <class Model>
class ScLockstep : public ScClock {
 public:
  Sim<Model> dut;
  Lockstep ls;

  Model& top() { return dut.top(); }
  uint64_t cycles() const { return dut.cycles(); }

  // Once the reference is bound: out of reset, clock high, elaborated.
  void elaborate() {
    rst_n.write(true);
    clk.write(true);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
  // One rising edge of both models with the inputs as set.
  void edge() {
    low_then_high(clk);
    dut.tick();
    ls.set_cycle(dut.cycles());
  }
  // An asynchronous reset pulse of both, between edges.
  void reset() {
    low_then_high(rst_n);
    dut.async_reset();
  }

  // sample() again and again until a mismatch or `cycles` edges; then the result's cycles and first
  // mismatch.
  template <class Sample>
  void run(uint64_t cycles, Sample&& sample) {
    while (ls.ok() && dut.cycles() < cycles) sample();
  }
  template <class Result>
  const Result& finish(Result& res) const {
    res.cycles = dut.cycles();
    res.mismatch = ls.first();
    return res;
  }

 private:
  static void low_then_high(sc_core::sc_signal<bool>& s) {
    s.write(false);
    sc_core::sc_start(1, sc_core::SC_NS);
    s.write(true);
    sc_core::sc_start(1, sc_core::SC_NS);
  }
};

// The controller's command bus as a bench drives it to one block.
struct CommandBus {
  sc_core::sc_signal<bool> start{"start"}, learn{"learn"}, busy{"busy"};
  sc_core::sc_signal<uint32_t> op{"op"}, step{"step"};
  sc_core::sc_signal<uint64_t> key{"key"};

  void bind(sc::command_block& b, ScClock& clock) {
    b.clk_i(clock.clk);
    b.rst_ni(clock.rst_n);
    b.start_i(start);
    b.op_i(op);
    b.step_i(step);
    b.learn_i(learn);
    b.sample_key_i(key);
    b.busy_o(busy);
  }
  // Starts op at the next edge (the RTL's start and op are set by the bench).
  void issue(sc::Op command, int t) {
    start.write(true);
    op.write(static_cast<uint32_t>(command));
    step.write(static_cast<uint32_t>(t));
  }
};

// A source's AER channels and its count of caused deliveries, against the RTL's valid_o, event_o,
// ready_i and tx_expected_o (channel k at bit k, event k at [k*kEventBits +: kEventBits]).
struct SourceLinks {
  static constexpr int kEventBits = sc::AerEvent::kPacketBits;

  sc::AerLinks links{"src_"};
  sc_core::sc_signal<uint64_t> tx{"tx"};

  void bind(sc::aer_source& s) {
    const auto n = static_cast<size_t>(s.num_channels());
    links.init(n);
    for (size_t k = 0; k < n; ++k) {
      s.valid_o[k](links.valid[k]);
      s.event_o[k](links.event[k]);
      s.ready_i[k](links.ready[k]);
    }
    s.tx_expected_o(tx);
  }
  int channels() const { return static_cast<int>(links.size()); }

  // The router's ready for the next edge, random per channel, on both models.
  template <class Model>
  void drive_ready(Rng& rng, double p_ready, Model& t) {
    for (int k = 0; k < channels(); ++k) {
      const bool r = rng.chance(p_ready);
      links.ready[static_cast<size_t>(k)].write(r);
      set_field(t.ready_i, k, 1, r);
    }
  }
  // After an edge: tx_expected_o, every channel's valid_o and the events offered; returns the
  // offers waiting for ready.
  template <class Model>
  uint64_t compare(Lockstep& ls, const char* unit, const Model& t) const {
    ls.check(unit, 0, "tx_expected_o", static_cast<int64_t>(tx.read()), static_cast<int64_t>(t.tx_expected_o));
    uint64_t waiting = 0;
    for (int k = 0; k < channels() && ls.ok(); ++k) {
      const auto u = static_cast<size_t>(k);
      const bool v = links.valid[u].read();
      ls.check(unit, k, "valid_o", v, static_cast<int64_t>(get_field(t.valid_o, k, 1)));
      if (v) {
        ls.check(unit, k, "event_o (kind, block, neuron)", links.event[u].read().pack(),
                 static_cast<int64_t>(get_field(t.event_o, k * kEventBits, kEventBits)));
        waiting += !links.ready[u].read();
      }
    }
    return waiting;
  }
};

// The counters every source keeps (SourceCounters) against the RTL's.
template <class Model>
void compare_source_counters(Lockstep& ls, const char* unit, const sc::SourceCounters& s, const Model& t) {
  ls.check(unit, 0, "events_o", static_cast<int64_t>(s.events), static_cast<int64_t>(t.events_o));
  ls.check(unit, 0, "stall_cycles_o", static_cast<int64_t>(s.stall_cycles), static_cast<int64_t>(t.stall_cycles_o));
  ls.check(unit, 0, "busy_cycles_o", static_cast<int64_t>(s.busy_cycles), static_cast<int64_t>(t.busy_cycles_o));
}

// After a command's first edge: edge() (the bench's, which clocks both models) until neither is
// busy. A model still busy after `limit` edges is a mismatch.
template <class Model, class Edge>
void until_idle(ScLockstep<Model>& lk, const CommandBus& bus, const char* unit, Edge&& edge, int limit = 100000) {
  for (int n = 0; (bus.busy.read() || lk.top().busy_o) && lk.ls.ok(); ++n) {
    if (n == limit) {
      lk.ls.check(unit, 0, "busy_o (never drops)", 0, 1);
      return;
    }
    edge();
  }
}

// The bench of one AER source on the command bus (a neuron core, the spike encoder): the test plays
// the controller (commands with random gaps) and the router (random ready per channel). Derived
// (CRTP) binds its block and supplies
//   void idle_inputs();                 its RTL inputs back to idle after an edge
//   void drive_command(sc::Op, int t);  its RTL inputs of a command beside start_i and op_i
//   void check_outputs();               its own outputs, after every edge
//   void run_sample();                  one sample's commands
// Coverage counts commands, stalls (offers waiting for ready) and resets.
template <class Derived, class Model, class Coverage>
class SourceBench {
 public:
  // Samples until a mismatch or `cycles` edges. A skew perturbs one input the RTL gets (each bench
  // says which): the checker must then fail.
  const RunResult<Coverage>& run(uint64_t cycles, int skew = 0) {
    skew_ = skew;
    lk_.run(cycles, [this] { self().run_sample(); });
    return lk_.finish(res_);
  }

 protected:
  SourceBench(uint64_t seed, const char* unit) : rng_(seed), unit_(unit) {}

  // Once the block is bound: both models elaborated, their inputs idle.
  void elaborate() {
    lk_.elaborate();
    lk_.top().start_i = 0;
    self().idle_inputs();
  }

  // One rising edge of both models; the router's ready is random per channel.
  void edge() {
    auto& t = lk_.top();
    src_.drive_ready(rng_, p_ready_, t);
    lk_.edge();
    bus_.start.write(false);
    t.start_i = 0;
    self().idle_inputs();
    lk_.ls.check(unit_, 0, "busy_o", bus_.busy.read(), t.busy_o);
    self().check_outputs();
    res_.cov.stalls += src_.compare(lk_.ls, unit_, t);
  }

  // A command on both models after a random gap; returns, once both are idle, whether they agree.
  bool command(sc::Op op, int step) {
    while (rng_.chance(0.3) && lk_.ls.ok()) edge();
    auto& t = lk_.top();
    bus_.issue(op, step);
    t.start_i = 1;
    t.op_i = static_cast<uint8_t>(op);
    self().drive_command(op, step);
    edge();
    ++res_.cov.commands;
    until_idle(lk_, bus_, unit_, [this] { edge(); });
    return lk_.ls.ok();
  }

  // The state read-back while idle of a block that keeps its state in memory words of `lanes` items
  // (neurons, pixels): group g on dbg_state_o the cycle after its request (dbg_req_i, dbg_group_i);
  // then check(item, lane) for each item of the group.
  template <class Check>
  void read_back(int items, int lanes, Check&& check) {
    auto& t = lk_.top();
    const int groups = (items + lanes - 1) / lanes;
    for (int g = 0; g < groups && lk_.ls.ok(); ++g) {
      t.dbg_req_i = 1;
      t.dbg_group_i = static_cast<uint32_t>(g);
      edge();
      for (int l = 0; l < lanes && g * lanes + l < items; ++l) check(g * lanes + l, l);
    }
  }

  // A routing-table entry (block, kind) reaching 0..3 random tiles of 8; the RTL gets the fan-out.
  void random_route(int block, sc::SpikeKind kind) {
    std::vector<unsigned> outs;
    const int fan = static_cast<int>(rng_.range(0, 3));
    for (int k = 0; k < fan; ++k) outs.push_back(static_cast<unsigned>(rng_.range(0, 7)));
    routes_.add(static_cast<uint8_t>(block), kind, outs);
  }
  int64_t fanout(int block, sc::SpikeKind kind) const {
    return static_cast<int64_t>(routes_.destinations(static_cast<uint8_t>(block), kind).size());
  }

  // An asynchronous reset of both; the coverage kept before it is in base_ (the counters restart).
  void reset_both() {
    base_ = res_.cov;
    lk_.reset();
    ++res_.cov.resets;
  }

  Rng rng_;
  ssnn::ModelConfig cfg_;
  sc::ChipConfig chip_;
  sc::AerRoutingTable routes_;
  ScLockstep<Model> lk_;
  CommandBus bus_;
  SourceLinks src_;
  RunResult<Coverage> res_;
  Coverage base_;  // coverage at the last reset
  double p_ready_ = 1.0;
  int skew_ = 0;

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
  const char* unit_;
};

}  // namespace ssnn::rtl::test
