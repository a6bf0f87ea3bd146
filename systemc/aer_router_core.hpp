// The AER router's state and per-clock-edge behaviour, free of SystemC signals.
//
// Both ways of running the router use this one class, so their cycle behaviour is the same by
// construction: the aer_router SC_MODULE calls clock_edge() once per rising clock edge with the
// values on its ports, and run_until_drained() (the fast path for the chip's controller) calls the
// same clock_edge() in a plain loop with ideal senders. See docs/router.md.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "aer_event.hpp"

namespace ssnn::sc {

// (source block, kind) -> set of output channels. An event is copied to every output in its set
// (multicast), e.g. an input spike to every crossbar tile of its tile row.
class AerRoutingTable {
 public:
  static constexpr unsigned kNumBlocks = 256;
  static constexpr unsigned kNumKinds = 3;

  // Adds outputs to the set of (block, kind); duplicates are merged, the set is kept sorted.
  AerRoutingTable& add(uint8_t block, SpikeKind kind, const std::vector<unsigned>& outputs);
  // Same outputs for all three kinds of a block.
  AerRoutingTable& add_all_kinds(uint8_t block, const std::vector<unsigned>& outputs);

  const std::vector<unsigned>& destinations(uint8_t block, SpikeKind kind) const {
    return dest_[key(block, kind)];
  }
  // Largest output index used plus one (0 when the table is empty).
  unsigned min_num_outputs() const;

 private:
  static unsigned key(uint8_t block, SpikeKind kind) { return block * kNumKinds + static_cast<unsigned>(kind); }
  std::vector<std::vector<unsigned>> dest_ = std::vector<std::vector<unsigned>>(kNumBlocks * kNumKinds);
};

struct AerRouterConfig {
  unsigned num_inputs = 1;
  unsigned num_outputs = 1;
  unsigned fifo_depth = 2;        // events per input FIFO, >= 1
  unsigned events_per_cycle = 1;  // bandwidth: events leaving the input FIFOs per clock edge, >= 1
  AerRoutingTable routes;
};

// Everything the router counts; cleared by reset. Per-input vectors have num_inputs entries,
// per-output vectors num_outputs. Meanings in docs/router.md.
struct AerRouterCounters {
  uint64_t cycles = 0;                      // clock edges since reset
  std::vector<uint64_t> events_in;          // per input: events accepted into the FIFO
  std::vector<uint64_t> grants;             // per input: events that left the FIFO (won arbitration)
  std::vector<uint64_t> head_stall_cycles;  // per input: edges its head event waited (bandwidth or busy output)
  std::vector<uint64_t> input_stall_cycles; // per input: edges with valid_i high but ready_o low (sender held)
  std::vector<uint64_t> drops;              // per input: offers withdrawn before acceptance (sender ignored ready)
  std::vector<uint32_t> fifo_high_water;    // per input: largest FIFO occupancy after any edge
  std::vector<uint64_t> events_out;         // per output: events handed over (valid_o && ready_i)
  uint64_t multicast_copies = 0;            // copies beyond the first: sum over granted events of (fan-out - 1)
  uint64_t unrouted = 0;                    // granted events whose (block, kind) had no destination (discarded)
  uint64_t stall_cycles = 0;                // edges where at least one head event could not leave
  uint64_t bandwidth_stall_cycles = 0;      // ... because events_per_cycle were already used
  uint64_t output_stall_cycles = 0;         // ... because a destination output was occupied or reserved

  uint64_t total_events_in() const;
  uint64_t total_grants() const;
  uint64_t total_events_out() const;
  uint64_t total_drops() const;
  bool operator==(const AerRouterCounters& o) const;
};

class AerRouterCore {
 public:
  explicit AerRouterCore(AerRouterConfig config);

  const AerRouterConfig& config() const { return cfg_; }
  unsigned num_inputs() const { return cfg_.num_inputs; }
  unsigned num_outputs() const { return cfg_.num_outputs; }

  // Empties FIFOs and output registers, drops ready, clears counters and the arbitration pointer.
  void reset();

  // One rising clock edge. Arrays hold what was on the ports just before the edge:
  // in_valid/in_event per input, out_ready per output (non-zero = asserted).
  void clock_edge(const uint8_t* in_valid, const AerEvent* in_event, const uint8_t* out_ready);

  // A caller's buffers for the port values of an edge, in the layout clock_edge takes.
  struct EdgeInputs {
    std::vector<uint8_t> in_valid;   // per input
    std::vector<AerEvent> in_event;  // per input
    std::vector<uint8_t> out_ready;  // per output
    EdgeInputs() = default;
    EdgeInputs(unsigned inputs, unsigned outputs) : in_valid(inputs), in_event(inputs), out_ready(outputs) {}
  };
  void clock_edge(const EdgeInputs& in) { clock_edge(in.in_valid.data(), in.in_event.data(), in.out_ready.data()); }

  // Registered outputs, as they are after the last edge (or reset).
  bool in_ready(unsigned input) const { return ready_[input] != 0; }
  bool out_valid(unsigned output) const { return out_valid_[output] != 0; }
  const AerEvent& out_event(unsigned output) const { return out_ev_[output]; }

  // Observability for checkers and waveforms.
  const uint32_t& fifo_occupancy(unsigned input) const { return count_[input]; }
  const uint32_t& rr_pointer() const { return rr_; }
  unsigned last_edge_grants() const { return last_grants_; }
  // Whether the last edge (or reset) changed any registered output: ready_o, valid_o or an event.
  bool last_edge_changed_outputs() const { return !changed_in_.empty() || !changed_out_.empty(); }
  // Which ones, each at most once: inputs whose ready register and outputs whose valid register or
  // event the last edge may have changed (after reset, every one), so a caller drives only those.
  const std::vector<uint32_t>& changed_inputs() const { return changed_in_; }
  const std::vector<uint32_t>& changed_outputs() const { return changed_out_; }
  // Outputs holding an event (valid_o high), in no particular order: only their ready_i matters
  // at the next edge.
  const std::vector<uint32_t>& busy_outputs() const { return busy_out_; }
  bool idle() const { return occupancy_ == 0 && busy_out_.empty(); }
  // `edges` clock edges of an idle router with nothing offered at them (after an edge with nothing
  // offered, so no offer is pending): they change nothing but the cycle count.
  void skip_idle_edges(uint64_t edges) {
    cnt_.cycles += edges;
    stamp_ += edges;
  }
  const AerRouterCounters& counters() const { return cnt_; }

  // Test port for checkpoints: what outlives the traffic of a sample, the counters and the
  // arbitration pointer, set while the router is idle. Throws std::invalid_argument (router busy,
  // vectors not sized for this router, pointer past the inputs) before changing anything.
  void restore(const AerRouterCounters& counters, uint32_t rr_pointer);

  // Fast path: feeds sources[i] into input i as a sender that keeps valid_i high while it has
  // events and advances on acceptance, and runs clock edges until every source is consumed and
  // the router is empty. Before each edge, out_ready(o, c) gives output o's ready for edge c
  // (c = 0 for the first edge of this call) and deliver(c, o, event) is called for every
  // handshake (valid_o && ready_i) at that edge. Returns the number of edges run. Throws if
  // not drained after max_edges (a consumer that never becomes ready).
  template <class Deliver, class OutReady>
  uint64_t run_until_drained(const std::vector<std::vector<AerEvent>>& sources, Deliver&& deliver,
                             OutReady&& out_ready, uint64_t max_edges = UINT64_MAX);

  // Fast path with always-ready consumers.
  template <class Deliver>
  uint64_t run_until_drained(const std::vector<std::vector<AerEvent>>& sources, Deliver&& deliver) {
    return run_until_drained(sources, deliver, [](unsigned, uint64_t) { return true; });
  }

 private:
  struct Route {
    uint32_t first = 0;  // into dest_flat_
    uint32_t count = 0;
  };
  const Route& route_of(const AerEvent& ev) const {
    return routes_[ev.block * AerRoutingTable::kNumKinds + static_cast<unsigned>(ev.kind)];
  }

  AerRouterConfig cfg_;
  std::vector<Route> routes_;          // flattened routing table, indexed like AerRoutingTable
  std::vector<uint32_t> dest_flat_;

  std::vector<AerEvent> fifo_;         // num_inputs rings of fifo_depth slots
  std::vector<uint32_t> head_;
  std::vector<uint32_t> count_;
  std::vector<uint8_t> ready_;         // registered ready_o
  std::vector<uint8_t> pending_;       // offer seen at the last edge and not accepted
  std::vector<uint8_t> visit_;         // input whose ready_o the next edge must recompute (popped, reset)
  std::vector<AerEvent> pending_ev_;
  std::vector<uint8_t> out_valid_;
  std::vector<AerEvent> out_ev_;
  std::vector<uint64_t> claim_stamp_;  // output claimed at the edge whose stamp it holds
  uint64_t stamp_ = 0;
  uint32_t rr_ = 0;                    // round-robin pointer: first input scanned
  uint32_t occupancy_ = 0;             // events in all FIFOs
  unsigned last_grants_ = 0;
  std::vector<uint32_t> busy_out_;     // outputs with out_valid_ set
  std::vector<uint32_t> changed_in_, changed_out_;
  std::vector<uint64_t> out_touch_;    // stamp of the edge that last put the output on changed_out_
  AerRouterCounters cnt_;

  // Fast-path scratch, kept to avoid allocating per call.
  EdgeInputs fp_in_;
  std::vector<uint8_t> fp_accept_;
  std::vector<size_t> fp_pos_;
};

template <class Deliver, class OutReady>
uint64_t AerRouterCore::run_until_drained(const std::vector<std::vector<AerEvent>>& sources, Deliver&& deliver,
                                          OutReady&& out_ready, uint64_t max_edges) {
  if (sources.size() != cfg_.num_inputs)
    throw std::invalid_argument("aer_router fast path: expected " + std::to_string(cfg_.num_inputs) +
                                " source queues, got " + std::to_string(sources.size()));
  const unsigned n_in = cfg_.num_inputs;
  const unsigned n_out = cfg_.num_outputs;
  fp_pos_.assign(n_in, 0);
  size_t remaining = 0;
  for (const auto& s : sources) remaining += s.size();

  uint64_t edge = 0;
  while (remaining != 0 || !idle()) {
    if (edge == max_edges)
      throw std::runtime_error("aer_router fast path: not drained after " + std::to_string(max_edges) + " edges");
    for (unsigned i = 0; i < n_in; ++i) {
      const bool has = fp_pos_[i] < sources[i].size();
      fp_in_.in_valid[i] = has;
      if (has) fp_in_.in_event[i] = sources[i][fp_pos_[i]];
      fp_accept_[i] = has && ready_[i];
    }
    for (unsigned o = 0; o < n_out; ++o) {
      const bool r = out_ready(o, edge);
      fp_in_.out_ready[o] = r;
      if (r && out_valid_[o]) deliver(edge, o, out_ev_[o]);
    }
    clock_edge(fp_in_);
    for (unsigned i = 0; i < n_in; ++i) {
      fp_pos_[i] += fp_accept_[i];
      remaining -= fp_accept_[i];
    }
    ++edge;
  }
  return edge;
}

}  // namespace ssnn::sc
