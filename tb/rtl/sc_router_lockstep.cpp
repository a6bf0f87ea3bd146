// ssnn_aer_router (verilated C++) in lockstep with AerRouterCore, the SystemC router's per-edge
// behaviour: the same senders, consumers, routing table and resets at every edge; ready, valid,
// events, FIFO occupancies, the arbitration pointer and every counter must agree after each edge.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

// Verilator's C++ headers before SystemC's (see sc_tile_lockstep.cpp).
#include "Vrouter.h"
#include "Vrouter_chip.h"
#include "Vrouter_wide.h"
#include "rtl_sim.hpp"

#include "aer_router_core.hpp"
#include "ssnn_rtl/lockstep.hpp"

namespace ssnn::rtl::test {
namespace {

using ssnn::sc::AerEvent;
using ssnn::sc::AerRouterConfig;
using ssnn::sc::AerRouterCore;
using ssnn::sc::AerRouterCounters;
using ssnn::sc::SpikeKind;

constexpr int kEventBits = AerEvent::kPacketBits;
constexpr int kCountBits = 48;

constexpr int clog2(int n) {
  int b = 0;
  while ((1 << b) < n) ++b;
  return b;
}

// Verilated configurations (tb/rtl/CMakeLists.txt).
struct RouterSmall {  // depth-1-like throughput limits, one event per edge, multicast contention
  using Model = Vrouter;
  static constexpr int kIn = 4, kOut = 6, kDepth = 2, kEpc = 1, kBlocks = 8;
};
struct RouterChip {  // the chip's FIFO depth and bandwidth
  using Model = Vrouter_chip;
  static constexpr int kIn = 5, kOut = 8, kDepth = 16, kEpc = 2, kBlocks = 16;
};
struct RouterWide {  // depth 1 (one event every two edges per input), more bandwidth than inputs
  using Model = Vrouter_wide;
  static constexpr int kIn = 3, kOut = 3, kDepth = 1, kEpc = 3, kBlocks = 4;
};

struct Coverage {
  uint64_t accepted = 0, delivered = 0, multicast = 0, unrouted = 0, drops = 0, bw_stalls = 0, out_stalls = 0;
  uint64_t full_fifos = 0, resets = 0;
};

using Result = RunResult<Coverage>;

template <class P>
class RouterBench {
 public:
  static constexpr int N = P::kIn, M = P::kOut;
  static constexpr int kOcc = clog2(P::kDepth + 1);
  static constexpr int kInBits = N > 1 ? clog2(N) : 1;

  explicit RouterBench(uint64_t seed) : rng_(seed) {}

  // event_skew flips a neuron bit of every event the RTL gets on input 0: the checker must fail.
  Result run(uint64_t edges, bool event_skew = false) {
    AerRouterConfig cfg;
    cfg.num_inputs = N;
    cfg.num_outputs = M;
    cfg.fifo_depth = P::kDepth;
    cfg.events_per_cycle = P::kEpc;
    // A random multicast table over the configured blocks (some entries empty: unrouted events).
    auto& t = dut_.top();
    for (int b = 0; b < P::kBlocks; ++b) {
      for (int k = 0; k < 3; ++k) {
        std::vector<unsigned> outs;
        uint64_t mask = 0;
        const double p = rng_.pick({0.0, 0.15, 0.4, 0.9});
        for (int o = 0; o < M; ++o)
          if (rng_.chance(p)) {
            outs.push_back(static_cast<unsigned>(o));
            mask |= uint64_t{1} << o;
          }
        if (outs.empty() && rng_.chance(0.8)) {
          const int o = static_cast<int>(rng_.range(0, M - 1));
          outs.push_back(static_cast<unsigned>(o));
          mask = uint64_t{1} << o;
        }
        cfg.routes.add(static_cast<uint8_t>(b), static_cast<SpikeKind>(k), outs);
        t.route_we_i = 1;
        t.route_block_i = static_cast<uint32_t>(b);
        t.route_kind_i = static_cast<uint8_t>(k);
        set_field(t.route_mask_i, 0, M, static_cast<int64_t>(mask));
        dut_.tick();
      }
    }
    t.route_we_i = 0;
    dut_.async_reset();  // the table survives reset; counters start at 0 with the reference's
    core_.emplace(cfg);
    offering_.assign(N, 0);
    offer_.assign(N, AerEvent{});
    const uint64_t start = dut_.cycles();
    ls_.set_cycle(0);
    if (!compare()) return finish(start);
    while (dut_.cycles() - start < edges) {
      if (rng_.chance(0.0005)) new_phase();
      edge(event_skew);
      if (!compare()) break;
      if (rng_.chance(1e-4)) {
        core_->reset();
        dut_.async_reset();
        offering_.assign(N, 0);
        ++res_.cov.resets;
        if (!compare()) break;
      }
    }
    return finish(start);
  }

 private:
  using Model = typename P::Model;

  Result finish(uint64_t start) {
    res_.cycles = dut_.cycles() - start;
    res_.mismatch = ls_.first();
    return res_;
  }

  // Traffic regime: offered load per input, consumer readiness, how often senders break the
  // valid/ready rule (withdraw or change an offer: a drop).
  void new_phase() {
    load_ = rng_.pick({0.05, 0.3, 0.7, 1.0});
    ready_p_ = rng_.pick({1.0, 0.9, 0.5, 0.1, 0.0});
    cheat_p_ = rng_.pick({0.0, 0.0, 0.01});
  }

  AerEvent random_event() {
    AerEvent ev;
    // Mostly configured blocks; a few past the table (unrouted).
    ev.block = static_cast<uint8_t>(rng_.chance(0.02) ? rng_.range(P::kBlocks, 255) : rng_.range(0, P::kBlocks - 1));
    ev.kind = static_cast<SpikeKind>(rng_.range(0, 2));
    ev.neuron = static_cast<uint16_t>(rng_.range(0, 65535));
    return ev;
  }

  void edge(bool event_skew) {
    std::vector<uint8_t> in_valid(N), out_ready(M);
    std::vector<AerEvent> in_event(N);
    auto& t = dut_.top();
    for (int i = 0; i < N; ++i) {
      const auto u = static_cast<size_t>(i);
      if (!offering_[u] && rng_.chance(load_)) {
        offer_[u] = random_event();
        offering_[u] = 1;
      } else if (offering_[u] && rng_.chance(cheat_p_)) {  // sender ignores ready
        if (rng_.chance(0.5)) offering_[u] = 0;
        else offer_[u] = random_event();
      }
      in_valid[u] = offering_[u];
      in_event[u] = offer_[u];
      set_field(t.in_valid_i, i, 1, in_valid[u]);
      uint32_t word = offer_[u].pack();
      if (event_skew && i == 0) word ^= 1u;
      set_field(t.in_event_i, i * kEventBits, kEventBits, word);
    }
    for (int o = 0; o < M; ++o) {
      out_ready[static_cast<size_t>(o)] = rng_.chance(ready_p_);
      set_field(t.out_ready_i, o, 1, out_ready[static_cast<size_t>(o)]);
    }
    // A sender's offer is taken at an edge where its valid meets the registered ready.
    std::vector<uint8_t> taken(N);
    for (int i = 0; i < N; ++i) taken[static_cast<size_t>(i)] = in_valid[static_cast<size_t>(i)] && core_->in_ready(static_cast<unsigned>(i));
    core_->clock_edge(in_valid.data(), in_event.data(), out_ready.data());
    dut_.tick();
    ls_.set_cycle(dut_.cycles());
    for (int i = 0; i < N; ++i)
      if (taken[static_cast<size_t>(i)]) offering_[static_cast<size_t>(i)] = 0;
  }

  bool compare() {
    auto& t = dut_.top();
    const AerRouterCounters& c = core_->counters();
    for (int i = 0; i < N; ++i) {
      const auto u = static_cast<unsigned>(i);
      if (!ls_.check("router", i, "in_ready_o", core_->in_ready(u), static_cast<int64_t>(get_field(t.in_ready_o, i, 1))) ||
          !ls_.check("router", i, "fifo_count_o", core_->fifo_occupancy(u),
                     static_cast<int64_t>(get_field(t.fifo_count_o, i * kOcc, kOcc))) ||
          !ls_.check("router", i, "fifo_high_water_o", c.fifo_high_water[u],
                     static_cast<int64_t>(get_field(t.fifo_high_water_o, i * kOcc, kOcc))))
        return false;
    }
    // in_counters_o: counter k of input i at [(k*N + i)*kCountBits].
    const std::vector<uint64_t>* per_input[] = {&c.events_in, &c.grants, &c.head_stall_cycles, &c.input_stall_cycles, &c.drops};
    static constexpr const char* kInputCounters[] = {"in_counters_o (events in)", "in_counters_o (grants)",
                                                     "in_counters_o (head stall cycles)", "in_counters_o (input stall cycles)",
                                                     "in_counters_o (drops)"};
    for (int k = 0; k < 5; ++k)
      for (int i = 0; i < N; ++i)
        if (!ls_.check("router", i, kInputCounters[k], static_cast<int64_t>((*per_input[k])[static_cast<size_t>(i)]),
                       static_cast<int64_t>(get_field(t.in_counters_o, (k * N + i) * kCountBits, kCountBits))))
          return false;
    for (int o = 0; o < M; ++o) {
      const auto u = static_cast<unsigned>(o);
      const bool valid = core_->out_valid(u);
      if (!ls_.check("router", o, "out_valid_o", valid, static_cast<int64_t>(get_field(t.out_valid_o, o, 1))) ||
          (valid && !ls_.check("router", o, "out_event_o", core_->out_event(u).pack(),
                               static_cast<int64_t>(get_field(t.out_event_o, o * kEventBits, kEventBits)))) ||
          !ls_.check("router", o, "events_out_o", static_cast<int64_t>(c.events_out[u]),
                     static_cast<int64_t>(get_field(t.events_out_o, o * kCountBits, kCountBits))))
        return false;
    }
    if (!ls_.check("router", 0, "rr_pointer_o", core_->rr_pointer(), static_cast<int64_t>(t.rr_pointer_o))) return false;
    // counters_o: counter k at [k*kCountBits].
    const uint64_t router[] = {c.cycles, c.multicast_copies, c.unrouted, c.stall_cycles, c.bandwidth_stall_cycles,
                               c.output_stall_cycles};
    static constexpr const char* kRouterCounters[] = {"counters_o (cycles)", "counters_o (multicast copies)",
                                                      "counters_o (unrouted)", "counters_o (stall cycles)",
                                                      "counters_o (bandwidth stall cycles)", "counters_o (output stall cycles)"};
    for (int k = 0; k < 6; ++k)
      if (!ls_.check("router", 0, kRouterCounters[k], static_cast<int64_t>(router[k]),
                     static_cast<int64_t>(get_field(t.counters_o, k * kCountBits, kCountBits))))
        return false;
    // Coverage, cumulative over resets.
    res_.cov.accepted = std::max(res_.cov.accepted, c.total_events_in());
    for (int i = 0; i < N; ++i) res_.cov.full_fifos += core_->fifo_occupancy(static_cast<unsigned>(i)) == P::kDepth;
    if (c.cycles > 0) {
      accumulate(c);
    }
    return true;
  }

  // Per-edge increments of the counters (coverage survives resets).
  void accumulate(const AerRouterCounters& c) {
    if (c.cycles < last_.cycles) last_ = AerRouterCounters{};
    res_.cov.delivered += c.total_events_out() - last_.total_events_out();
    res_.cov.multicast += c.multicast_copies - last_.multicast_copies;
    res_.cov.unrouted += c.unrouted - last_.unrouted;
    res_.cov.drops += c.total_drops() - last_.total_drops();
    res_.cov.bw_stalls += c.bandwidth_stall_cycles - last_.bandwidth_stall_cycles;
    res_.cov.out_stalls += c.output_stall_cycles - last_.output_stall_cycles;
    last_ = c;
  }

  Rng rng_;
  Sim<Model> dut_;
  std::optional<AerRouterCore> core_;
  Lockstep ls_;
  Result res_;
  AerRouterCounters last_;
  std::vector<uint8_t> offering_;
  std::vector<AerEvent> offer_;
  double load_ = 0.7, ready_p_ = 0.9, cheat_p_ = 0.0;
};

template <class P>
void expect_clean_run(const char* name, uint64_t seed, uint64_t edges) {
  RouterBench<P> bench(seed);
  const Result r = bench.run(edges);
  const auto& c = r.cov;
  expect_corners(r, name, edges,
                 {{"events delivered", c.delivered, edges / 10},
                  {"multicast copies", c.multicast, 1000},
                  {"unrouted", c.unrouted, 10},
                  {"drops", c.drops, 10},
                  {"bandwidth stalls", c.bw_stalls, P::kEpc < P::kIn ? 1000u : 0u},
                  {"output stalls", c.out_stalls, 1000},
                  {"full-FIFO input-edges", c.full_fifos, 1000},
                  {"resets", c.resets, 2}});
}

TEST(RtlRouter, SmallRouterMatchesReferenceCore) { expect_clean_run<RouterSmall>("4x6 depth 2, 1 event/edge", 21, 200000); }
TEST(RtlRouter, ChipSizedRouterMatchesReferenceCore) {
  expect_clean_run<RouterChip>("5x8 depth 16, 2 events/edge", 22, 200000);
}
TEST(RtlRouter, DepthOneRouterMatchesReferenceCore) {
  expect_clean_run<RouterWide>("3x3 depth 1, 3 events/edge", 23, 200000);
}

TEST(RtlRouter, CheckerCatchesACorruptedEvent) {
  RouterBench<RouterSmall> bench(24);
  expect_caught(bench.run(20000, true), "out_event_o");
}

}  // namespace
}  // namespace ssnn::rtl::test
