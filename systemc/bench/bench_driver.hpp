// Bench stimulus for router_bench: senders that always offer an event (the next one once
// accepted) and consumers ready on about 70 % of the edges, from a fixed-seed generator.
#pragma once

#include <vector>

#include <systemc>

#include "aer_event.hpp"
#include "traffic.hpp"

namespace ssnn::sc::test {

SC_MODULE(bench_driver) {
  static constexpr unsigned kIn = 8, kOut = 8;

  sc_core::sc_in<bool> clk;
  sc_core::sc_vector<sc_core::sc_out<bool>> valid;
  sc_core::sc_vector<sc_core::sc_out<AerEvent>> event;
  sc_core::sc_vector<sc_core::sc_in<bool>> ready;
  sc_core::sc_vector<sc_core::sc_in<bool>> out_valid;
  sc_core::sc_vector<sc_core::sc_out<bool>> out_ready;
  std::vector<uint32_t> seq = std::vector<uint32_t>(kIn);
  Rng rng{7};

  SC_CTOR(bench_driver)
      : valid("valid", kIn), event("event", kIn), ready("ready", kIn), out_valid("out_valid", kOut),
        out_ready("out_ready", kOut) {
    SC_METHOD(tick);
    sensitive << clk.pos();
    dont_initialize();
  }
  void tick() {
    for (unsigned i = 0; i < kIn; ++i) {
      if (valid[i].read() && ready[i].read()) ++seq[i];
      valid[i].write(true);
      event[i].write(AerEvent{static_cast<uint8_t>(2 * i + (seq[i] & 1)), static_cast<uint16_t>(seq[i]),
                              static_cast<SpikeKind>(seq[i] % 3), make_tag(i, seq[i])});
    }
    const uint64_t bits = rng.next();
    for (unsigned o = 0; o < kOut; ++o) out_ready[o].write(((bits >> (8 * o)) & 0xFF) < 179);  // 70 %
  }
};

}  // namespace ssnn::sc::test
