#include "traffic.hpp"

#include <sstream>

namespace ssnn::sc::test {

std::vector<std::vector<AerEvent>> random_sources(unsigned num_inputs, unsigned count, unsigned blocks_per_input,
                                                  uint64_t seed) {
  Rng rng(seed);
  std::vector<std::vector<AerEvent>> src(num_inputs);
  for (unsigned i = 0; i < num_inputs; ++i) {
    src[i].reserve(count);
    for (unsigned s = 0; s < count; ++s) {
      AerEvent ev;
      ev.block = static_cast<uint8_t>(i * blocks_per_input + rng.below(blocks_per_input));
      ev.kind = static_cast<SpikeKind>(rng.below(3));
      ev.neuron = static_cast<uint16_t>(rng.below(65536));
      ev.tag = make_tag(i, s);
      src[i].push_back(ev);
    }
  }
  return src;
}

AerRouterConfig router_config(unsigned num_inputs, unsigned num_outputs, unsigned fifo_depth,
                              unsigned events_per_cycle) {
  return AerRouterConfig{num_inputs, num_outputs, fifo_depth, events_per_cycle, AerRoutingTable{}};
}

AerRouterConfig random_router_config(unsigned num_inputs, unsigned num_outputs, unsigned fifo_depth,
                                     unsigned events_per_cycle, unsigned blocks_per_input, unsigned fanout,
                                     uint64_t seed) {
  AerRouterConfig c = router_config(num_inputs, num_outputs, fifo_depth, events_per_cycle);
  c.routes = random_routes(num_inputs, blocks_per_input, num_outputs, fanout, seed);
  return c;
}

AerRoutingTable random_routes(unsigned num_inputs, unsigned blocks_per_input, unsigned num_outputs,
                              unsigned fanout, uint64_t seed) {
  Rng rng(seed);
  AerRoutingTable table;
  for (unsigned b = 0; b < num_inputs * blocks_per_input; ++b) {
    for (unsigned k = 0; k < 3; ++k) {
      const unsigned f = fanout != 0 ? fanout : 1 + rng.below(num_outputs);
      std::vector<unsigned> outs(num_outputs);
      for (unsigned o = 0; o < num_outputs; ++o) outs[o] = o;
      for (unsigned o = 0; o + 1 < num_outputs; ++o) std::swap(outs[o], outs[o + rng.below(num_outputs - o)]);
      outs.resize(f);
      table.add(static_cast<uint8_t>(b), static_cast<SpikeKind>(k), outs);
    }
  }
  return table;
}

std::vector<std::string> check_traffic(const std::vector<std::vector<AerEvent>>& accepted,
                                       const std::vector<Delivery>& deliveries, const AerRoutingTable& routes,
                                       unsigned num_outputs, size_t max_reports) {
  const size_t n_in = accepted.size();
  std::vector<std::string> report;
  auto note = [&](const std::string& s) {
    if (report.size() < max_reports) report.push_back(s);
  };
  // expected[o][i], actual[o][i]
  std::vector<std::vector<std::vector<AerEvent>>> expected(num_outputs, std::vector<std::vector<AerEvent>>(n_in));
  auto actual = expected;
  for (size_t i = 0; i < n_in; ++i)
    for (const AerEvent& ev : accepted[i])
      for (unsigned o : routes.destinations(ev.block, ev.kind))
        if (o < num_outputs) expected[o][i].push_back(ev);
  for (const Delivery& d : deliveries) {
    const unsigned i = tag_input(d.ev.tag);
    if (d.output >= num_outputs || i >= n_in) {
      std::ostringstream s;
      s << "edge " << d.edge << ": delivery " << d.ev << " at output " << d.output << " from an unknown source";
      note(s.str());
      continue;
    }
    actual[d.output][i].push_back(d.ev);
  }
  for (unsigned o = 0; o < num_outputs; ++o) {
    for (size_t i = 0; i < n_in; ++i) {
      const auto& e = expected[o][i];
      const auto& a = actual[o][i];
      size_t k = 0;
      while (k < e.size() && k < a.size() && e[k] == a[k]) ++k;
      if (k == e.size() && k == a.size()) continue;
      std::ostringstream s;
      s << "output " << o << ", input " << i << ": " << e.size() << " events expected, " << a.size()
        << " delivered; first difference at position " << k << ": expected ";
      if (k < e.size()) s << e[k]; else s << "nothing";
      s << ", got ";
      if (k < a.size()) s << a[k]; else s << "nothing";
      s << (a.size() < e.size() ? " (lost)" : a.size() > e.size() ? " (duplicated or misrouted)" : " (reordered or corrupted)");
      note(s.str());
    }
  }
  return report;
}

}  // namespace ssnn::sc::test
