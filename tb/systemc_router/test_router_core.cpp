// Directed timing, multicast and arbitration properties of the router's per-edge logic, driven
// through the fast path (no SystemC elaboration needed).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "aer_router_core.hpp"
#include "test_common.hpp"
#include "traffic.hpp"

namespace ssnn::sc::test {
namespace {

AerRouterConfig one_to_one(unsigned depth) {
  AerRouterConfig c = router_config(1, 1, depth, 1);
  c.routes.add_all_kinds(0, {0});
  return c;
}

std::vector<AerEvent> stream(unsigned input, unsigned n, uint8_t block = 0) {
  std::vector<AerEvent> v;
  for (unsigned s = 0; s < n; ++s) v.push_back(AerEvent{block, static_cast<uint16_t>(s), SpikeKind::kForward, make_tag(input, s)});
  return v;
}

struct Log {
  std::vector<Delivery> d;
  void operator()(uint64_t e, unsigned o, const AerEvent& ev) { d.push_back({e, o, ev}); }
};

TEST(RouterCore, SingleEventLatency) {
  // Edge 0: ready_o is still low from reset. Edge 1: accepted into the FIFO. Edge 2: wins
  // arbitration into the output register. Edge 3: handed to the consumer.
  AerRouterCore core(one_to_one(2));
  Log log;
  const uint64_t edges = core.run_until_drained({stream(0, 1)}, std::ref(log));
  ASSERT_EQ(log.d.size(), 1u);
  EXPECT_EQ(log.d[0].edge, 3u);
  EXPECT_EQ(edges, 4u);
  EXPECT_TRUE(core.idle());
  EXPECT_EQ(core.counters().cycles, 4u);
}

TEST(RouterCore, ThroughputDepthTwoIsOnePerEdge) {
  AerRouterCore core(one_to_one(2));
  Log log;
  const uint64_t edges = core.run_until_drained({stream(0, 100)}, std::ref(log));
  ASSERT_EQ(log.d.size(), 100u);
  for (unsigned s = 0; s < 100; ++s) EXPECT_EQ(log.d[s].edge, 3u + s);
  EXPECT_EQ(edges, 103u);
  EXPECT_EQ(core.counters().stall_cycles, 0u);
  EXPECT_EQ(core.counters().fifo_high_water[0], 1u);
}

TEST(RouterCore, ThroughputDepthOneIsOnePerTwoEdges) {
  // ready_o is registered (no combinational path from the outputs back to the inputs), so a
  // one-slot FIFO refuses the write at the edge that empties it.
  AerRouterCore core(one_to_one(1));
  Log log;
  const uint64_t edges = core.run_until_drained({stream(0, 100)}, std::ref(log));
  ASSERT_EQ(log.d.size(), 100u);
  for (unsigned s = 0; s < 100; ++s) EXPECT_EQ(log.d[s].edge, 3u + 2 * s);
  EXPECT_EQ(edges, 202u);
  EXPECT_EQ(core.counters().input_stall_cycles[0], 100u);  // edge 0 (ready low from reset) and every odd refusal
  EXPECT_EQ(core.counters().fifo_high_water[0], 1u);
}

TEST(RouterCore, MulticastLeavesOnlyWhenAllDestinationsAreFree) {
  AerRouterConfig c = one_to_one(2);
  c.num_outputs = 2;
  c.routes = AerRoutingTable{};
  c.routes.add_all_kinds(0, {0, 1});
  AerRouterCore core(c);
  Log log;
  // Output 1 refuses until edge 10: the first event's copy sits in its register, and the second
  // event must not go to output 0 alone.
  core.run_until_drained({stream(0, 2)}, std::ref(log), [](unsigned o, uint64_t e) { return o == 0 || e >= 10; });
  ASSERT_EQ(log.d.size(), 4u);
  EXPECT_EQ(log.d[0], (Delivery{3, 0, stream(0, 2)[0]}));
  EXPECT_EQ(log.d[1], (Delivery{10, 1, stream(0, 2)[0]}));
  EXPECT_EQ(log.d[2], (Delivery{11, 0, stream(0, 2)[1]}));
  EXPECT_EQ(log.d[3], (Delivery{11, 1, stream(0, 2)[1]}));
  EXPECT_EQ(core.counters().multicast_copies, 2u);
  EXPECT_EQ(core.counters().head_stall_cycles[0], 7u);  // edges 3..9
  EXPECT_EQ(core.counters().output_stall_cycles, 7u);
}

TEST(RouterCore, MulticastNotStarvedByAlternatingBackpressure) {
  // Input 0 multicasts to outputs {0, 1}; inputs 1 and 2 flood output 0 and output 1. Output 0 is
  // ready only at even edges, output 1 only at odd ones, so both are never free at the same edge
  // unless the waiting multicast reserves the one that drains first.
  AerRouterConfig c = router_config(3, 2, 2, 3);
  c.routes.add_all_kinds(0, {0, 1}).add_all_kinds(1, {0}).add_all_kinds(2, {1});
  AerRouterCore core(c);
  Log log;
  const uint64_t edges = core.run_until_drained({stream(0, 20, 0), stream(1, 200, 1), stream(2, 200, 2)},
                                                std::ref(log), [](unsigned o, uint64_t e) { return e % 2 == o; });
  expect_clean(check_traffic({stream(0, 20, 0), stream(1, 200, 1), stream(2, 200, 2)}, log.d, c.routes, 2));
  uint64_t last_multicast = 0;
  for (const Delivery& d : log.d)
    if (tag_input(d.ev.tag) == 0) last_multicast = std::max(last_multicast, d.edge);
  // Round-robin with the reservation serves input 0 about every third turn at each output.
  EXPECT_LT(last_multicast, edges / 2) << "the multicast input fell behind the unicast floods";
}

TEST(RouterCore, FairShareUnderSaturation) {
  // Eight saturated inputs, one shared output, bandwidth 1, random backpressure: over G grants
  // each input's share stays within 1/sqrt(G) of 1/8 (round-robin makes it nearly exact).
  constexpr unsigned kN = 8;
  AerRouterConfig c = router_config(kN, 1, 1, 1);
  for (unsigned i = 0; i < kN; ++i) c.routes.add_all_kinds(static_cast<uint8_t>(i), {0});
  AerRouterCore core(c);
  std::vector<std::vector<AerEvent>> src;
  for (unsigned i = 0; i < kN; ++i) src.push_back(stream(i, 100000, static_cast<uint8_t>(i)));
  // Stop early: the window is the first 4000 edges, while every input is still saturated.
  std::vector<uint64_t> per_input(kN);
  uint64_t total = 0;
  try {
    core.run_until_drained(
        src,
        [&](uint64_t, unsigned, const AerEvent& ev) {
          ++per_input[tag_input(ev.tag)];
          ++total;
        },
        RandomReady{5, 60}, 4000);
    FAIL() << "drained unexpectedly";
  } catch (const std::runtime_error&) {
  }
  ASSERT_GT(total, 1000u);
  const double bound = 1.0 / std::sqrt(static_cast<double>(total));
  for (unsigned i = 0; i < kN; ++i)
    EXPECT_NEAR(static_cast<double>(per_input[i]) / static_cast<double>(total), 1.0 / kN, bound) << "input " << i;
}

TEST(RouterCore, UnroutedEventsAreCountedNotDelivered) {
  AerRouterConfig c = one_to_one(2);
  AerRouterCore core(c);
  Log log;
  std::vector<AerEvent> s = stream(0, 3);
  s[1].block = 9;  // no route
  core.run_until_drained({s}, std::ref(log));
  EXPECT_EQ(log.d.size(), 2u);
  EXPECT_EQ(core.counters().unrouted, 1u);
  EXPECT_EQ(core.counters().grants[0], 3u);
  EXPECT_EQ(core.counters().total_events_out(), 2u);
}

TEST(RouterCore, FastPathRejectsWrongSourceCountAndStuckConsumers) {
  AerRouterCore core(one_to_one(2));
  EXPECT_THROW(core.run_until_drained({}, Log{}), std::invalid_argument);
  EXPECT_THROW(core.run_until_drained({stream(0, 5)}, Log{}, [](unsigned, uint64_t) { return false; }, 1000),
               std::runtime_error);
}

TEST(RouterCore, FastPathLargeRandomStress) {
  // Many events through tiny FIFOs at bandwidth 1 with random fan-out and backpressure.
  const AerRouterConfig c = random_router_config(8, 8, 1, 1, 3, 0, 21);
  AerRouterCore core(c);
  const auto src = random_sources(8, 20000, 3, 22);
  Log log;
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t edges = core.run_until_drained(src, std::ref(log), RandomReady{23, 70});
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  expect_clean(check_traffic(src, log.d, c.routes, 8));
  expect_balanced(core.counters(), src, log.d);
  EXPECT_GE(edges, 160000u) << "bandwidth 1 cannot move 160000 events in fewer edges";
  for (unsigned i = 0; i < 8; ++i) EXPECT_EQ(core.counters().fifo_high_water[i], 1u);
  RecordProperty("edges_per_second", std::to_string(static_cast<uint64_t>(static_cast<double>(edges) / s)));
}

}  // namespace
}  // namespace ssnn::sc::test
