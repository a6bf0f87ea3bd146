// Packet format, routing table, configuration checks, and proof that the traffic checker fails
// on broken traffic (so a clean report means something).
#include <gtest/gtest.h>
#include <gtest/gtest-spi.h>

#include <algorithm>
#include <sstream>

#include "aer_event.hpp"
#include "aer_router_core.hpp"
#include "test_common.hpp"
#include "traffic.hpp"

namespace ssnn::sc::test {
namespace {

TEST(AerEvent, PackLayoutAndRoundTrip) {
  AerEvent ev;
  ev.block = 0xA5;
  ev.neuron = 0x1234;
  ev.kind = SpikeKind::kGradNeg;
  ev.tag = 77;
  EXPECT_EQ(ev.pack(), (2u << 24) | (0xA5u << 16) | 0x1234u);
  const AerEvent back = AerEvent::unpack(ev.pack());
  EXPECT_EQ(back.block, ev.block);
  EXPECT_EQ(back.neuron, ev.neuron);
  EXPECT_EQ(back.kind, ev.kind);
  EXPECT_EQ(back.tag, 0u) << "the tag is simulation bookkeeping, not part of the packet";
  Rng rng(1);
  for (int k = 0; k < 1000; ++k) {
    const uint32_t word = static_cast<uint32_t>(rng.next()) & ((1u << 24) - 1);
    const uint32_t w = word | (rng.below(3) << 24);
    EXPECT_EQ(AerEvent::unpack(w).pack(), w);
  }
}

TEST(AerEvent, UnpackRejectsInvalidWords) {
  EXPECT_THROW(AerEvent::unpack(3u << 24), std::invalid_argument);
  EXPECT_THROW(AerEvent::unpack(1u << 26), std::invalid_argument);
  EXPECT_THROW(AerEvent::unpack(0x80000000u), std::invalid_argument);
  EXPECT_NO_THROW(AerEvent::unpack((2u << 24) | 0xFFFFFFu));
}

TEST(AerEvent, EqualityAndPrinting) {
  AerEvent a{3, 9, SpikeKind::kGradPos, 5};
  AerEvent b = a;
  EXPECT_EQ(a, b);
  b.tag = 6;
  EXPECT_NE(a, b);
  std::ostringstream s;
  s << a;
  EXPECT_EQ(s.str(), "{b3 n9 dp #5}");
}

TEST(RoutingTable, MergesSortsAndSizes) {
  AerRoutingTable t;
  t.add(4, SpikeKind::kForward, {3, 1}).add(4, SpikeKind::kForward, {1, 2});
  EXPECT_EQ(t.destinations(4, SpikeKind::kForward), (std::vector<unsigned>{1, 2, 3}));
  EXPECT_TRUE(t.destinations(4, SpikeKind::kGradPos).empty());
  t.add_all_kinds(255, {7});
  EXPECT_EQ(t.destinations(255, SpikeKind::kGradNeg), (std::vector<unsigned>{7}));
  EXPECT_EQ(t.min_num_outputs(), 8u);
}

TEST(RouterConfig, RejectsNonsense) {
  AerRouterConfig c;
  c.routes.add(0, SpikeKind::kForward, {0});
  EXPECT_NO_THROW(AerRouterCore{c});
  auto bad = c;
  bad.fifo_depth = 0;
  EXPECT_THROW(AerRouterCore{bad}, std::invalid_argument);
  bad = c;
  bad.events_per_cycle = 0;
  EXPECT_THROW(AerRouterCore{bad}, std::invalid_argument);
  bad = c;
  bad.num_inputs = 0;
  EXPECT_THROW(AerRouterCore{bad}, std::invalid_argument);
  bad = c;
  bad.routes.add(1, SpikeKind::kGradPos, {1});  // output 1 of a 1-output router
  EXPECT_THROW(AerRouterCore{bad}, std::invalid_argument);
}

// A correct log from the fast path, then corrupted on purpose: each corruption must be caught.
class CheckerSanity : public ::testing::Test {
 protected:
  void SetUp() override {
    const AerRouterConfig cfg = random_router_config(3, 4, 1, 1, 2, 0, 11);
    routes = cfg.routes;
    sources = random_sources(3, 50, 2, 12);
    AerRouterCore core(cfg);
    core.run_until_drained(
        sources, [&](uint64_t e, unsigned o, const AerEvent& ev) { log.push_back({e, o, ev}); },
        RandomReady{13, 50});
    ASSERT_TRUE(check_traffic(sources, log, routes, 4).empty());
  }
  // Index of the n-th delivery at output o from input i.
  size_t find(unsigned o, unsigned i, size_t n) const {
    for (size_t k = 0; k < log.size(); ++k)
      if (log[k].output == o && tag_input(log[k].ev.tag) == i && n-- == 0) return k;
    return log.size();
  }
  AerRoutingTable routes;
  std::vector<std::vector<AerEvent>> sources;
  std::vector<Delivery> log;
};

TEST_F(CheckerSanity, DetectsLoss) {
  log.erase(log.begin() + static_cast<long>(log.size() / 2));
  EXPECT_NONFATAL_FAILURE(expect_clean(check_traffic(sources, log, routes, 4)), "(lost)");
}

TEST_F(CheckerSanity, DetectsDuplicate) {
  log.push_back(log[log.size() / 3]);
  EXPECT_NONFATAL_FAILURE(expect_clean(check_traffic(sources, log, routes, 4)), "(duplicated or misrouted)");
}

TEST_F(CheckerSanity, DetectsReorderWithinOneSource) {
  const size_t a = find(log[0].output, tag_input(log[0].ev.tag), 0);
  const size_t b = find(log[0].output, tag_input(log[0].ev.tag), 1);
  ASSERT_LT(b, log.size());
  std::swap(log[a].ev, log[b].ev);
  EXPECT_NONFATAL_FAILURE(expect_clean(check_traffic(sources, log, routes, 4)), "(reordered or corrupted)");
}

TEST_F(CheckerSanity, DetectsMisroutedMulticastCopy) {
  // Deliver a copy of some event at an output that is not in its routing set.
  for (const Delivery& d : log) {
    const auto& dst = routes.destinations(d.ev.block, d.ev.kind);
    for (unsigned o = 0; o < 4; ++o) {
      if (std::find(dst.begin(), dst.end(), o) == dst.end()) {
        log.push_back({d.edge, o, d.ev});
        EXPECT_NONFATAL_FAILURE(expect_clean(check_traffic(sources, log, routes, 4)), "duplicated or misrouted");
        return;
      }
    }
  }
  FAIL() << "no event with a fan-out below 4 in the log";
}

TEST_F(CheckerSanity, DetectsMissingMulticastCopy) {
  // Drop one copy of a multicast event: the other copies arrived, this one did not.
  for (size_t k = 0; k < log.size(); ++k) {
    if (routes.destinations(log[k].ev.block, log[k].ev.kind).size() > 1) {
      log.erase(log.begin() + static_cast<long>(k));
      EXPECT_NONFATAL_FAILURE(expect_clean(check_traffic(sources, log, routes, 4)), "(lost)");
      return;
    }
  }
  FAIL() << "no multicast event in the log";
}

}  // namespace
}  // namespace ssnn::sc::test
