// Assertion helpers shared by the router tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aer_router_core.hpp"
#include "traffic.hpp"

namespace ssnn::sc::test {

inline void expect_clean(const std::vector<std::string>& violations) {
  std::string all;
  for (const auto& v : violations) all += "\n  " + v;
  EXPECT_TRUE(violations.empty()) << violations.size() << " traffic violation(s):" << all;
}

// Conservation once the router is drained: nothing dropped or unrouted, every accepted event
// left its FIFO, and every output's count matches the deliveries seen on its port.
inline void expect_balanced(const AerRouterCounters& c, const std::vector<std::vector<AerEvent>>& accepted,
                            const std::vector<Delivery>& deliveries) {
  EXPECT_EQ(c.total_drops(), 0u);
  EXPECT_EQ(c.unrouted, 0u);
  for (size_t i = 0; i < accepted.size(); ++i) {
    EXPECT_EQ(c.events_in[i], accepted[i].size()) << "input " << i;
    EXPECT_EQ(c.grants[i], c.events_in[i]) << "input " << i;
  }
  std::vector<uint64_t> seen(c.events_out.size());
  for (const Delivery& d : deliveries) ++seen[d.output];
  EXPECT_EQ(c.events_out, seen);
  EXPECT_EQ(c.total_events_out(), c.total_grants() + c.multicast_copies);
}

}  // namespace ssnn::sc::test
