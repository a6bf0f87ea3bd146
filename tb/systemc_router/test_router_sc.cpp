// The aer_router SC_MODULE at signal level: stress with tiny FIFOs and random backpressure,
// bandwidth, fairness, asynchronous reset in mid-traffic, high-water marks, drops, tracing, and
// cycle-for-cycle equality with the fast path. Each test elaborates its own design (one process
// per test, see CMakeLists.txt).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <systemc>

#include "router_harness.hpp"
#include "test_common.hpp"
#include "traffic.hpp"

namespace ssnn::sc::test {
namespace {

struct StressParams {
  unsigned inputs, outputs, depth, bandwidth, ready_percent, fanout;  // fanout 0: random 1..outputs
  unsigned events_per_input;
};

std::ostream& operator<<(std::ostream& os, const StressParams& p) {
  return os << p.inputs << "in_" << p.outputs << "out_d" << p.depth << "_bw" << p.bandwidth << "_r"
            << p.ready_percent << "_f" << p.fanout;
}

AerRouterConfig make_config(const StressParams& p, uint64_t seed) {
  return random_router_config(p.inputs, p.outputs, p.depth, p.bandwidth, 2, p.fanout, seed);
}

// The harness's senders get random_sources(seed) and its consumers RandomReady(seed + 1).
void drive_randomly(router_harness& h, const StressParams& p, uint64_t seed) {
  h.sources = random_sources(p.inputs, p.events_per_input, 2, seed);
  h.ready_fn = RandomReady{seed + 1, p.ready_percent};
}

class RouterStress : public ::testing::TestWithParam<StressParams> {};

// Full load (every sender always has an event), tiny FIFOs, random backpressure: nothing lost,
// duplicated, reordered or misrouted; counters balance; bandwidth holds at every edge; the
// high-water marks equal the largest occupancy seen.
TEST_P(RouterStress, NoLossNoDuplicateNoReorderCountersBalance) {
  const StressParams p = GetParam();
  const AerRouterConfig cfg = make_config(p, 100 + p.inputs);
  router_harness h("h", cfg);
  h.sources = random_sources(p.inputs, p.events_per_input, 2, 200 + p.outputs);
  h.ready_fn = RandomReady{300 + p.depth, p.ready_percent};
  h.start();
  h.run_until_drained();

  const AerRouterCounters& c = h.dut.counters();
  expect_clean(check_traffic(h.accepted, h.deliveries, cfg.routes, p.outputs));
  expect_balanced(c, h.accepted, h.deliveries);
  for (unsigned i = 0; i < p.inputs; ++i) EXPECT_EQ(h.accepted[i].size(), p.events_per_input);
  if (p.fanout != 0) {
    EXPECT_EQ(c.total_events_in() * p.fanout, c.total_events_out());
  }

  ASSERT_EQ(h.core_grants.size(), c.cycles);
  ASSERT_EQ(h.port_loads.size() + 1, c.cycles);  // the last edge's loads would show one edge later
  for (size_t e = 0; e < h.port_loads.size(); ++e) {
    ASSERT_LE(h.core_grants[e], p.bandwidth) << "edge " << e;
    ASSERT_EQ(h.port_loads[e], h.core_grants[e]) << "edge " << e << ": ports disagree with the core";
  }
  EXPECT_EQ(h.invariant_violations, 0u) << "events_in = grants + occupancy must hold at every edge";
  for (unsigned i = 0; i < p.inputs; ++i) {
    EXPECT_EQ(c.fifo_high_water[i], h.max_occupancy[i]) << "input " << i;
    EXPECT_EQ(c.fifo_high_water[i], p.depth) << "input " << i << ": full load must fill the FIFO";
  }
  // Under full load the inputs felt backpressure and heads waited.
  EXPECT_GT(c.stall_cycles, 0u);
  EXPECT_GT(c.total_events_in(), 0u);
  uint64_t input_stalls = 0;
  for (auto s : c.input_stall_cycles) input_stalls += s;
  EXPECT_GT(input_stalls, 0u);
  EXPECT_LE(c.stall_cycles, c.cycles);
  EXPECT_GE(c.stall_cycles, std::max(c.bandwidth_stall_cycles, c.output_stall_cycles));
}

// The fast path must reproduce the signal-level run edge for edge: same deliveries at the same
// edges, same counters, same number of edges to drain.
TEST_P(RouterStress, SignalPathMatchesFastPathCycleForCycle) {
  const StressParams p = GetParam();
  const AerRouterConfig cfg = make_config(p, 400 + p.inputs);
  const auto src = random_sources(p.inputs, p.events_per_input, 2, 500 + p.outputs);
  const RandomReady ready{600 + p.depth, p.ready_percent};

  router_harness h("h", cfg);
  h.sources = src;
  h.ready_fn = ready;
  h.start();
  const uint64_t sc_edges = h.run_until_drained();

  AerRouterCore core(cfg);
  std::vector<Delivery> fast;
  const uint64_t fast_edges = core.run_until_drained(
      src, [&](uint64_t e, unsigned o, const AerEvent& ev) { fast.push_back({e, o, ev}); }, ready);

  EXPECT_EQ(sc_edges, fast_edges);
  ASSERT_EQ(h.deliveries.size(), fast.size());
  for (size_t k = 0; k < fast.size(); ++k)
    ASSERT_EQ(h.deliveries[k], fast[k]) << "first difference at delivery " << k << ": signal path edge "
                                        << h.deliveries[k].edge << " output " << h.deliveries[k].output << ' '
                                        << h.deliveries[k].ev << ", fast path edge " << fast[k].edge << " output "
                                        << fast[k].output << ' ' << fast[k].ev;
  EXPECT_TRUE(h.dut.counters() == core.counters());
  EXPECT_EQ(h.dut.counters().stall_cycles, core.counters().stall_cycles);
}

INSTANTIATE_TEST_SUITE_P(
    Configs, RouterStress,
    ::testing::Values(StressParams{4, 4, 1, 1, 50, 0, 2000}, StressParams{4, 4, 2, 1, 50, 0, 2000},
                      StressParams{6, 5, 1, 2, 60, 0, 2000}, StressParams{8, 8, 2, 3, 30, 0, 1500},
                      StressParams{3, 6, 1, 1, 80, 6, 2000}, StressParams{5, 7, 2, 2, 50, 3, 2000},
                      StressParams{16, 4, 1, 1, 90, 0, 500}),
    [](const ::testing::TestParamInfo<StressParams>& info) {
      std::ostringstream s;
      s << info.param;
      return s.str();
    });

// Unicast traffic with always-ready consumers: bandwidth is the only limit, so the router moves
// exactly events_per_cycle events per edge while all inputs are busy, never more.
class RouterBandwidth : public ::testing::TestWithParam<unsigned> {};

TEST_P(RouterBandwidth, LimitHeldEveryEdgeAndReached) {
  const unsigned bw = GetParam();
  constexpr unsigned kN = 6, kEvents = 200;
  AerRouterConfig cfg = router_config(kN, kN, 2, bw);
  for (unsigned i = 0; i < kN; ++i) cfg.routes.add_all_kinds(static_cast<uint8_t>(2 * i), {i}).add_all_kinds(static_cast<uint8_t>(2 * i + 1), {i});
  router_harness h("h", cfg);
  h.sources = random_sources(kN, kEvents, 2, 7);
  h.start();
  const uint64_t edges = h.run_until_drained();
  expect_clean(check_traffic(h.accepted, h.deliveries, cfg.routes, kN));
  expect_balanced(h.dut.counters(), h.accepted, h.deliveries);
  for (size_t e = 0; e < h.core_grants.size(); ++e) ASSERT_LE(h.core_grants[e], bw) << "edge " << e;
  const unsigned peak = std::min(bw, kN);
  const size_t full = static_cast<size_t>(std::count(h.core_grants.begin(), h.core_grants.end(), peak));
  const uint64_t ideal = (kN * kEvents + peak - 1) / peak;
  EXPECT_GE(full, ideal - 2) << "the router should run at its bandwidth while inputs are saturated";
  EXPECT_LE(edges, ideal + 6);
  if (bw < kN) {
    EXPECT_GT(h.dut.counters().bandwidth_stall_cycles, 0u);
  } else {
    EXPECT_EQ(h.dut.counters().bandwidth_stall_cycles, 0u);
  }
  EXPECT_EQ(h.dut.counters().output_stall_cycles, 0u);
}

INSTANTIATE_TEST_SUITE_P(Bandwidths, RouterBandwidth, ::testing::Values(1u, 2u, 6u));

// All inputs saturated and contending for one output: every input's share of the grants is
// within 1/sqrt(G) of 1/N over G grants.
TEST(RouterSc, FairUnderSaturationWithBackpressure) {
  constexpr unsigned kN = 5;
  AerRouterConfig cfg = router_config(kN, 2, 1, 1);
  // Every block multicasts to both outputs, so each grant needs both registers.
  for (unsigned b = 0; b < 2 * kN; ++b) cfg.routes.add_all_kinds(static_cast<uint8_t>(b), {0, 1});
  router_harness h("h", cfg);
  h.sources = random_sources(kN, 100000, 2, 8);
  h.ready_fn = RandomReady{9, 70};
  h.start();
  h.run_edges(5000);
  ASSERT_FALSE(h.sources_done()) << "inputs must stay saturated for the whole window";
  const auto& g = h.dut.counters().grants;
  uint64_t total = 0;
  for (auto x : g) total += x;
  ASSERT_GT(total, 1000u);
  const double bound = 1.0 / std::sqrt(static_cast<double>(total));
  for (unsigned i = 0; i < kN; ++i)
    EXPECT_NEAR(static_cast<double>(g[i]) / static_cast<double>(total), 1.0 / kN, bound) << "input " << i;
}

// Reset asserted between clock edges while FIFOs and output registers are full: it acts at once
// (asynchronous), empties everything and clears the counters; traffic after the release is
// delivered completely and in order, and nothing accepted before the reset shows up after it.
TEST(RouterSc, AsyncResetInMidTraffic) {
  const StressParams p{4, 4, 2, 1, 50, 0, 400};
  const AerRouterConfig cfg = make_config(p, 31);
  router_harness h("h", cfg);
  drive_randomly(h, p, 32);
  h.start();
  h.run_edges(157);  // stops 2.5 ns before a rising edge
  ASSERT_FALSE(h.sources_done());
  uint32_t occupied = 0;
  for (unsigned i = 0; i < p.inputs; ++i) occupied += h.dut.core().fifo_occupancy(i);
  ASSERT_GT(occupied, 0u) << "the reset must hit a loaded router";
  ASSERT_GT(h.dut.counters().total_events_in(), 0u);

  h.rst_n.write(false);
  sc_core::sc_start(1, sc_core::SC_NS);  // no clock edge in this window
  EXPECT_TRUE(h.dut.core().idle());
  for (unsigned i = 0; i < p.inputs; ++i) {
    EXPECT_FALSE(h.in.ready[i].read()) << "ready_o must drop during reset";
    EXPECT_EQ(h.dut.core().fifo_occupancy(i), 0u);
  }
  for (unsigned o = 0; o < p.outputs; ++o) EXPECT_FALSE(h.out.valid[o].read());
  AerRouterCore fresh(cfg);
  EXPECT_TRUE(h.dut.counters() == fresh.counters()) << "reset clears every counter";

  sc_core::sc_start(29, sc_core::SC_NS);  // three rising edges with reset held
  EXPECT_TRUE(h.dut.core().idle());
  EXPECT_EQ(h.dut.counters().cycles, 0u);
  std::vector<size_t> mark(p.inputs);
  for (unsigned i = 0; i < p.inputs; ++i) mark[i] = h.accepted[i].size();
  const size_t delivered_before = h.deliveries.size();
  h.rst_n.write(true);
  h.run_until_drained();

  std::vector<std::vector<AerEvent>> after(p.inputs);
  for (unsigned i = 0; i < p.inputs; ++i)
    after[i].assign(h.accepted[i].begin() + static_cast<long>(mark[i]), h.accepted[i].end());
  const std::vector<Delivery> delivered_after(h.deliveries.begin() + static_cast<long>(delivered_before),
                                              h.deliveries.end());
  expect_clean(check_traffic(after, delivered_after, cfg.routes, p.outputs));
  expect_balanced(h.dut.counters(), after, delivered_after);
  for (unsigned i = 0; i < p.inputs; ++i) EXPECT_EQ(h.pos[i], p.events_per_input);
}

// Directed high-water marks: output 0 refuses for 20 edges; input 0 has 10 events for it, input 1
// has 2. Input 0's FIFO fills to its depth (4), input 1's to 2; the marks stay after draining.
TEST(RouterSc, HighWaterMarks) {
  AerRouterConfig cfg = router_config(2, 1, 4, 1);
  cfg.routes.add_all_kinds(0, {0}).add_all_kinds(1, {0});
  router_harness h("h", cfg);
  h.sources = {std::vector<AerEvent>(10), std::vector<AerEvent>(2)};
  for (unsigned i = 0; i < 2; ++i)
    for (uint32_t s = 0; s < h.sources[i].size(); ++s)
      h.sources[i][s] = AerEvent{static_cast<uint8_t>(i), static_cast<uint16_t>(s), SpikeKind::kForward, make_tag(i, s)};
  h.ready_fn = [](unsigned, uint64_t e) { return e >= 20; };
  h.start();
  h.run_edges(19);
  EXPECT_EQ(h.dut.counters().fifo_high_water, (std::vector<uint32_t>{4, 2}));
  EXPECT_EQ(h.dut.core().fifo_occupancy(0), 4u);
  EXPECT_FALSE(h.in.ready[0].read()) << "a full FIFO refuses";
  EXPECT_TRUE(h.in.ready[1].read());
  EXPECT_GT(h.dut.counters().input_stall_cycles[0], 0u);
  h.run_until_drained();
  EXPECT_EQ(h.dut.counters().fifo_high_water, (std::vector<uint32_t>{4, 2}));
  expect_clean(check_traffic(h.accepted, h.deliveries, cfg.routes, 1));
  expect_balanced(h.dut.counters(), h.accepted, h.deliveries);
}

// A sender that ignores ready and moves on loses events: the drop counter must count each one
// (and only that sender's). This is the failure the counter exists to expose.
TEST(RouterSc, DropCounterSeesASenderThatIgnoresReady) {
  const StressParams p{3, 2, 1, 1, 40, 0, 200};
  const AerRouterConfig cfg = make_config(p, 41);
  router_harness h("h", cfg);
  drive_randomly(h, p, 42);
  h.rude_input = 1;
  h.start();
  h.run_until_drained();
  const AerRouterCounters& c = h.dut.counters();
  const uint64_t lost = p.events_per_input - h.accepted[1].size();
  ASSERT_GT(lost, 0u) << "the rude sender should have lost events";
  EXPECT_EQ(c.drops[1], lost);
  EXPECT_EQ(c.drops[0], 0u);
  EXPECT_EQ(c.drops[2], 0u);
  EXPECT_EQ(c.events_in[1] + c.drops[1], p.events_per_input);
  expect_clean(check_traffic(h.accepted, h.deliveries, cfg.routes, p.outputs));
}

// Waveforms: the router's ports, FIFO counts and the AerEvent fields reach a VCD file.
TEST(RouterSc, TraceWritesEventFields) {
  const StressParams p{2, 2, 2, 1, 50, 0, 20};
  const AerRouterConfig cfg = make_config(p, 51);
  router_harness h("h", cfg);
  drive_randomly(h, p, 52);
  const std::string base = ::testing::TempDir() + "router_trace";
  sc_core::sc_trace_file* tf = sc_core::sc_create_vcd_trace_file(base.c_str());
  h.dut.trace(tf);
  h.start();
  h.run_until_drained();
  sc_core::sc_close_vcd_trace_file(tf);
  std::ifstream in(base + ".vcd");
  ASSERT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string vcd = ss.str();
  for (const char* name : {"valid_i", "ready_o", "fifo_count", "rr_pointer", "neuron", "kind", "tag"})
    EXPECT_NE(vcd.find(name), std::string::npos) << name;
  std::remove((base + ".vcd").c_str());
}

}  // namespace
}  // namespace ssnn::sc::test
