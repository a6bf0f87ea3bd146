// Simulation speed of the AER router: signal level (aer_router SC_MODULE, one SC_METHOD) with
// tied-off ports and with an active sender/consumer process, and the fast path
// (AerRouterCore::run_until_drained). Usage: router_bench [edges] (default 1000000).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <systemc>

#include "aer_router.hpp"
#include "traffic.hpp"

using namespace ssnn::sc;
using namespace ssnn::sc::test;

namespace {

constexpr unsigned kIn = 8, kOut = 8, kDepth = 4, kBw = 2;

AerRouterConfig bench_config() {
  AerRouterConfig c;
  c.num_inputs = kIn;
  c.num_outputs = kOut;
  c.fifo_depth = kDepth;
  c.events_per_cycle = kBw;
  c.routes = random_routes(kIn, 2, kOut, 0, 1);
  return c;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Senders that always offer (next event on acceptance) and consumers ready 70 % of edges.
SC_MODULE(bench_driver) {
  sc_core::sc_in<bool> clk;
  sc_core::sc_vector<sc_core::sc_out<bool>> valid;
  sc_core::sc_vector<sc_core::sc_out<AerEvent>> event;
  sc_core::sc_vector<sc_core::sc_in<bool>> ready;
  sc_core::sc_vector<sc_core::sc_in<bool>> out_valid;
  sc_core::sc_vector<sc_core::sc_out<bool>> out_ready;
  std::vector<uint32_t> seq = std::vector<uint32_t>(kIn);
  uint64_t edge = 0, delivered = 0;
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
    for (unsigned o = 0; o < kOut; ++o) {
      if (out_valid[o].read() && out_ready[o].read()) ++delivered;
      out_ready[o].write((bits >> (8 * o)) % 100 < 70 * 256 / 100);
    }
    ++edge;
  }
};

}  // namespace

int sc_main(int argc, char* argv[]) {
  const uint64_t edges = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const AerRouterConfig cfg = bench_config();

  sc_core::sc_clock clk("clk", 10, sc_core::SC_NS);
  sc_core::sc_signal<bool> rst_n("rst_n", false);
  sc_core::sc_vector<sc_core::sc_signal<bool>> vi("vi", kIn), ro("ro", kIn), vo("vo", kOut), ri("ri", kOut);
  sc_core::sc_vector<sc_core::sc_signal<AerEvent>> ei("ei", kIn), eo("eo", kOut);
  // Router A: ports tied off (always valid, always ready) -> the router's own cost plus the clock.
  sc_core::sc_vector<sc_core::sc_signal<bool>> tie_vi("tie_vi", kIn), tie_ro("tie_ro", kIn), tie_vo("tie_vo", kOut),
      tie_ri("tie_ri", kOut);
  sc_core::sc_vector<sc_core::sc_signal<AerEvent>> tie_ei("tie_ei", kIn), tie_eo("tie_eo", kOut);
  for (unsigned i = 0; i < kIn; ++i) {
    tie_vi[i].write(true);
    tie_ei[i].write(AerEvent{static_cast<uint8_t>(2 * i), 0, SpikeKind::kForward, 0});
  }
  for (unsigned o = 0; o < kOut; ++o) tie_ri[o].write(true);

  const bool tied = std::getenv("ROUTER_BENCH_ACTIVE") == nullptr;
  aer_router dut("dut", cfg);
  dut.clk_i(clk);
  dut.rst_ni(rst_n);
  bench_driver drv("drv");
  drv.clk(clk);
  if (tied) {
    dut.valid_i(tie_vi);
    dut.event_i(tie_ei);
    dut.ready_o(tie_ro);
    dut.valid_o(tie_vo);
    dut.event_o(tie_eo);
    dut.ready_i(tie_ri);
    drv.valid(vi);
    drv.event(ei);
    drv.ready(ro);
    drv.out_valid(vo);
    drv.out_ready(ri);
  } else {
    dut.valid_i(vi);
    dut.event_i(ei);
    dut.ready_o(ro);
    dut.valid_o(vo);
    dut.event_o(eo);
    dut.ready_i(ri);
    drv.valid(vi);
    drv.event(ei);
    drv.ready(ro);
    drv.out_valid(vo);
    drv.out_ready(ri);
  }

  sc_core::sc_start(25, sc_core::SC_NS);
  rst_n.write(true);
  auto t0 = std::chrono::steady_clock::now();
  sc_core::sc_start(sc_core::sc_time(10.0 * static_cast<double>(edges), sc_core::SC_NS));
  const double s_sc = seconds_since(t0);
  const AerRouterCounters& c = dut.counters();
  std::printf("signal path (%s, %u in, %u out, depth %u, %u events/edge): %llu edges in %.3f s = %.2f M edges/s, "
              "%.2f M events routed/s, drops %llu\n",
              tied ? "ports tied off" : "active sender/consumer process", kIn, kOut, kDepth, kBw,
              static_cast<unsigned long long>(c.cycles), s_sc, static_cast<double>(c.cycles) / s_sc / 1e6,
              static_cast<double>(c.total_grants()) / s_sc / 1e6, static_cast<unsigned long long>(c.total_drops()));

  // Fast path on the same configuration, 70 % ready consumers.
  AerRouterCore core(cfg);
  const unsigned per_input = static_cast<unsigned>(std::min<uint64_t>(edges * kBw / kIn, 5000000));
  const auto src = random_sources(kIn, per_input, 2, 3);
  uint64_t delivered = 0;
  t0 = std::chrono::steady_clock::now();
  const uint64_t fast_edges = core.run_until_drained(
      src, [&](uint64_t, unsigned, const AerEvent&) { ++delivered; }, RandomReady{4, 70});
  const double s_fast = seconds_since(t0);
  std::printf("fast path (same config, 70%% ready): %llu edges in %.3f s = %.2f M edges/s, %.2f M events routed/s\n",
              static_cast<unsigned long long>(fast_edges), s_fast, static_cast<double>(fast_edges) / s_fast / 1e6,
              static_cast<double>(core.counters().total_grants()) / s_fast / 1e6);
  return 0;
}
