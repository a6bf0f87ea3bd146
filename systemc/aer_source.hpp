// aer_source: the command interface and the sending half of a block that emits address events
// (encoder, neuron cores).
//
// The controller starts a command on the command bus (command_block.hpp).  One clocked thread per
// block runs the commands (run()); the block supplies its reset and what each command does.
//
// A source has one router input channel per AER block it owns (a segment of its neurons, see
// ssnn_chip.hpp), so it can offer one event per channel per cycle: the router's events_per_cycle,
// not the sender, bounds the traffic.  Each channel is a valid/ready handshake, the event held
// stable until accepted.  The source keeps a running count of the deliveries it has caused (each
// event reaches as many tiles as its routing-table entry names); the controller compares it with
// the events the tiles have taken to know the fabric has drained (completion counting), which
// makes the barrier between phases exact.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>

#include "aer_event.hpp"
#include "aer_router_core.hpp"
#include "chip_types.hpp"
#include "command_block.hpp"

namespace ssnn::sc {

struct SourceCounters {
  uint64_t events = 0;        // events handed to the router
  uint64_t stall_cycles = 0;  // channel-cycles an offered event waited for ready
  uint64_t busy_cycles = 0;   // cycles spent on commands
};

class aer_source : public command_block {
 public:
  sc_core::sc_vector<sc_core::sc_out<bool>> valid_o;     // per channel
  sc_core::sc_vector<sc_core::sc_out<AerEvent>> event_o;
  sc_core::sc_vector<sc_core::sc_in<bool>> ready_i;
  sc_core::sc_out<uint64_t> tx_expected_o;  // deliveries caused since reset

  int num_channels() const { return static_cast<int>(valid_o.size()); }
  const SourceCounters& source_counters() const { return src_cnt_; }
  // Test port for checkpoints (chip_state.hpp): sets the counters between samples.
  void restore_source_counters(const SourceCounters& c) { src_cnt_ = c; }

 protected:
  aer_source(const sc_core::sc_module_name& name, const AerRoutingTable& routes, int channels);

  // An event, the channel it leaves on, and the cycle (counted from the phase start, the edge the
  // command was taken) at which the datapath has produced it.
  struct Outgoing {
    AerEvent event;
    int channel;
    int ready_cycle;
  };

  // Sends the events, in order within each channel, each no earlier than its ready cycle, all
  // channels in parallel, with backpressure; returns after max(last acceptance, min_cycles)
  // cycles.  Call from the module's clocked thread.
  void send(const std::vector<Outgoing>& events, int min_cycles);

  // The block's state at reset (calls reset_source); the thread calls it at every reset.
  virtual void reset_state() = 0;
  // Runs one command, taking its cycles (wait() or send()); busy_o is high meanwhile.
  virtual void execute(Op op) = 0;

  void reset_source();
  // A command of `cycles` cycles that sends nothing.
  void busy_for(int cycles) {
    wait(cycles);
    src_cnt_.busy_cycles += static_cast<uint64_t>(cycles);
  }

  SC_HAS_PROCESS(aer_source);
  // The clocked thread (as SC_CTHREAD, with an asynchronous reset): reset, then one command after
  // another.
  void run();
  // Idle until start_i is high at a rising edge.  The thread sleeps on its rising edge instead of
  // waking at every clock edge to look at it: it leaves at the same edge as polling would.
  void idle_until_start();

  const AerRoutingTable& routes_;
  SourceCounters src_cnt_;
  uint64_t tx_expected_ = 0;

 private:
  std::vector<std::vector<size_t>> queue_;  // per channel: indices into the events being sent
  std::vector<size_t> head_;
  std::vector<uint8_t> offering_;
  std::vector<uint8_t> valid_high_;  // valid_o as last written
  void drive_valid(size_t ch, bool v);
};

}  // namespace ssnn::sc
