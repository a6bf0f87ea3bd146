// The lockstep checker itself: first mismatch kept, named by cycle, unit, index and signal.
#include <gtest/gtest.h>

#include "ssnn_rtl/lockstep.hpp"

namespace {

TEST(Lockstep, KeepsTheFirstMismatchWithCycleUnitIndexAndSignal) {
  ssnn::rtl::Lockstep ls;
  ls.set_cycle(41);
  EXPECT_TRUE(ls.check("neuron", 3, "potential_o", 7, 7));
  EXPECT_TRUE(ls.ok());
  ls.set_cycle(42);
  ls.set_context("sample 2 step 17 forward");
  EXPECT_FALSE(ls.check("neuron", 3, "spike_o", 1, 0));
  EXPECT_FALSE(ls.check("crosspoint", 0, "weight_o", 5, 6));
  ASSERT_FALSE(ls.ok());
  const ssnn::rtl::Mismatch& m = *ls.first();
  EXPECT_EQ(m.cycle, 42u);
  EXPECT_EQ(m.unit, "neuron");
  EXPECT_EQ(m.index, 3);
  EXPECT_EQ(m.signal, "spike_o");
  EXPECT_EQ(m.message(),
            "lockstep mismatch at cycle 42: unit neuron[3] signal spike_o: expected 1, RTL 0 (sample 2 step 17 forward)");
  EXPECT_EQ(ls.checks(), 3u);
}

}  // namespace
