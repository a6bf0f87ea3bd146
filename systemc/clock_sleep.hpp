// ClockSleep: a clocked SC_METHOD that skips the rising edges at which it would change nothing.
//
// Running a process at an edge costs the kernel more than most blocks' work at an idle edge, so a
// block with nothing to do (an idle tile or router, a tile counting down a command) stops running
// at every edge: it waits on the events that can give it work (a request rising, reset falling) or
// on a timeout, and when it runs again it learns from the simulated time how many edges it slept
// through.  Counting needs the clock's period, so a block that must count (or sleep for a number of
// edges) does so only on an sc_clock; on another clock (a test bench toggling a signal) it runs at
// every edge as before.  Every cycle and bit stays as if the block had run at each edge.
#pragma once

#include <cstdint>

#include <systemc>

namespace ssnn::sc {

class ClockSleep {
 public:
  // Call at end_of_elaboration, once the clock port is bound.
  void bind(const sc_core::sc_in<bool>& clk) {
    const auto* clock = dynamic_cast<const sc_core::sc_clock*>(clk.get_interface());
    period_ = clock ? clock->period() : sc_core::SC_ZERO_TIME;
  }
  // Whether the clock's period is known (the block may sleep through edges it must count).
  bool can_sleep() const { return period_ != sc_core::SC_ZERO_TIME; }
  const sc_core::sc_time& period() const { return period_; }
  bool asleep() const { return asleep_; }

  // The calling method sleeps, from the rising edge it runs at, until one of `wakeup` fires.
  void sleep(const sc_core::sc_event_or_list& wakeup) {
    start();
    sc_core::next_trigger(wakeup);
  }
  // ... or until `edges` more rising edges have passed (it runs again before the one after them).
  void sleep(const sc_core::sc_event_or_list& wakeup, uint64_t edges) {
    start();
    sc_core::next_trigger(static_cast<double>(edges) * period_ + period_ / 2, wakeup);
  }

  // Called when the method runs again: the rising edges since it went to sleep that it did not run
  // at (the edge that woke it included when a request rose right after it).  The method is back on
  // its static sensitivity (the clock) from its next run on.
  uint64_t wake() {
    asleep_ = false;
    sc_core::next_trigger();
    return edges_since(from_);
  }
  // The edges slept through so far (counters read from outside while the block sleeps).
  uint64_t pending_edges() const { return asleep_ ? edges_since(from_) : 0; }
  // Counters set from outside while asleep (checkpoints): what is pending was before them.
  void restart() {
    if (asleep_) from_ = sc_core::sc_time_stamp();
  }

 private:
  void start() {
    asleep_ = true;
    from_ = sc_core::sc_time_stamp();
  }
  uint64_t edges_since(const sc_core::sc_time& from) const {
    // Exact for whole periods (integer picoseconds well below 2^53); a timeout lands half a period
    // after an edge and rounds down.
    if (!can_sleep()) return 0;
    return static_cast<uint64_t>((sc_core::sc_time_stamp() - from) / period_);
  }

  sc_core::sc_time period_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time from_ = sc_core::SC_ZERO_TIME;
  bool asleep_ = false;
};

}  // namespace ssnn::sc
