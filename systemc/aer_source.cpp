#include "aer_source.hpp"

#include <algorithm>
#include <climits>

namespace ssnn::sc {

aer_source::aer_source(const sc_core::sc_module_name& name, const AerRoutingTable& routes, int channels)
    : command_block(name),
      valid_o("valid_o", static_cast<size_t>(channels)),
      event_o("event_o", static_cast<size_t>(channels)),
      ready_i("ready_i", static_cast<size_t>(channels)),
      tx_expected_o("tx_expected_o"),
      routes_(routes),
      queue_(static_cast<size_t>(channels)),
      head_(static_cast<size_t>(channels), 0),
      offering_(static_cast<size_t>(channels), 0),
      valid_high_(static_cast<size_t>(channels), 0) {
  // A clocked thread (as SC_CTHREAD) that may also wait for start_i while idle.
  SC_THREAD(run);
  sensitive << clk_i.pos();
  dont_initialize();
  async_reset_signal_is(rst_ni, false);
}

void aer_source::run() {
  reset_state();
  wait();
  for (;;) {
    idle_until_start();
    busy_o.write(true);
    execute(static_cast<Op>(op_i.read()));
    busy_o.write(false);
    wait();
  }
}

void aer_source::reset_source() {
  for (auto& v : valid_o) v.write(false);
  for (auto& e : event_o) e.write(AerEvent{});
  std::fill(offering_.begin(), offering_.end(), 0);
  std::fill(valid_high_.begin(), valid_high_.end(), 0);
  tx_expected_ = 0;
  tx_expected_o.write(0);
  busy_o.write(false);
  src_cnt_ = SourceCounters{};
}

void aer_source::idle_until_start() {
  while (!start_i.read()) {
    wait(start_i.posedge_event());
    if (!clk_i.posedge()) wait();  // seen at the next rising edge (at once if this delta is one)
  }
}

void aer_source::drive_valid(size_t ch, bool v) {
  // Most cycles leave a channel's valid as it is: a write is a call into the channel, skipped then.
  if (valid_high_[ch] == static_cast<uint8_t>(v)) return;
  valid_o[ch].write(v);
  valid_high_[ch] = static_cast<uint8_t>(v);
}

void aer_source::send(const std::vector<Outgoing>& events, int min_cycles) {
  const size_t n_ch = queue_.size();
  for (auto& q : queue_) q.clear();
  for (size_t k = 0; k < events.size(); ++k) queue_[static_cast<size_t>(events[k].channel)].push_back(k);
  std::fill(head_.begin(), head_.end(), 0);
  std::fill(offering_.begin(), offering_.end(), 0);
  size_t left = events.size();
  int now = 0;
  while (left > 0) {
    // Offer on every idle channel whose next event is ready; note the earliest future event.
    bool any = false;
    int next_ready = INT_MAX;
    const uint64_t tx_before = tx_expected_;
    for (size_t ch = 0; ch < n_ch; ++ch) {
      if (offering_[ch]) {
        any = true;
        continue;
      }
      if (head_[ch] == queue_[ch].size()) {
        drive_valid(ch, false);
        continue;
      }
      const Outgoing& o = events[queue_[ch][head_[ch]]];
      if (o.ready_cycle <= now) {
        drive_valid(ch, true);
        event_o[ch].write(o.event);
        tx_expected_ += routes_.destinations(o.event.block, o.event.kind).size();
        offering_[ch] = 1;
        any = true;
      } else {
        drive_valid(ch, false);  // nothing to offer until the datapath has produced it
        next_ready = std::min(next_ready, o.ready_cycle);
      }
    }
    if (tx_expected_ != tx_before) tx_expected_o.write(tx_expected_);
    if (!any) {
      wait(next_ready - now);
      now = next_ready;
      continue;
    }
    wait();
    ++now;
    for (size_t ch = 0; ch < n_ch; ++ch) {
      if (!offering_[ch]) continue;
      if (ready_i[ch].read()) {  // accepted at this edge
        offering_[ch] = 0;
        ++head_[ch];
        --left;
        ++src_cnt_.events;
      } else {
        ++src_cnt_.stall_cycles;
      }
    }
  }
  for (size_t ch = 0; ch < n_ch; ++ch) drive_valid(ch, false);
  if (now < min_cycles) {
    wait(min_cycles - now);
    now = min_cycles;
  }
  src_cnt_.busy_cycles += static_cast<uint64_t>(now);
}

}  // namespace ssnn::sc
