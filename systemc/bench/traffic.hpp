// Stimulus generation and end-to-end checking for the router tests and router_bench (no SystemC here).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aer_router_core.hpp"

namespace ssnn::sc::test {

// Stateless 64-bit mixer (splitmix64 finalizer): fixed-seed randomness that is the same for the
// signal path and the fast path no matter in which order they ask.
constexpr uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed) {}
  uint64_t next() { return s = mix64(s); }
  unsigned below(unsigned n) { return static_cast<unsigned>(next() % n); }
};

// Tags carry the input channel in their top byte, so a checker knows every event's source.
constexpr uint32_t make_tag(unsigned input, uint32_t seq) { return (static_cast<uint32_t>(input) << 24) | seq; }
constexpr unsigned tag_input(uint32_t tag) { return tag >> 24; }

// Consumer ready pattern: output o is ready at edge e with probability percent/100.
struct RandomReady {
  uint64_t seed;
  unsigned percent;
  bool operator()(unsigned o, uint64_t e) const {
    return mix64(seed ^ mix64((static_cast<uint64_t>(o) << 40) ^ e)) % 100 < percent;
  }
};

struct Delivery {
  uint64_t edge;
  unsigned output;
  AerEvent ev;
  bool operator==(const Delivery& o) const { return edge == o.edge && output == o.output && ev == o.ev; }
};

// Input i sends `count` events from blocks blocks_per_input*i .. +blocks_per_input-1, kinds and
// neurons random, tags make_tag(i, 0..count-1).
std::vector<std::vector<AerEvent>> random_sources(unsigned num_inputs, unsigned count, unsigned blocks_per_input,
                                                  uint64_t seed);

// Every (block, kind) used by random_sources gets `fanout` distinct random outputs
// (fanout 0: random between 1 and num_outputs).
AerRoutingTable random_routes(unsigned num_inputs, unsigned blocks_per_input, unsigned num_outputs,
                              unsigned fanout, uint64_t seed);

// A router of num_inputs x num_outputs with the given FIFO depth and bandwidth; no routes yet.
AerRouterConfig router_config(unsigned num_inputs, unsigned num_outputs, unsigned fifo_depth,
                              unsigned events_per_cycle);

// The same with random_routes(num_inputs, blocks_per_input, num_outputs, fanout, seed).
AerRouterConfig random_router_config(unsigned num_inputs, unsigned num_outputs, unsigned fifo_depth,
                                     unsigned events_per_cycle, unsigned blocks_per_input, unsigned fanout,
                                     uint64_t seed);

// End-to-end check: for every output o and input i, the events from i delivered at o must be
// exactly the events accepted from i whose route contains o, in acceptance order. This catches
// losses, duplicates, reordering and misrouting (a wrong multicast set). Returns one line per
// violation (empty = clean); at most `max_reports` lines.
std::vector<std::string> check_traffic(const std::vector<std::vector<AerEvent>>& accepted,
                                       const std::vector<Delivery>& deliveries, const AerRoutingTable& routes,
                                       unsigned num_outputs, size_t max_reports = 8);

}  // namespace ssnn::sc::test
