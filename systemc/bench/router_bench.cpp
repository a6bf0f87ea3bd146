// Simulation speed of the AER router (prints, does not judge).
//   router_bench [mode] [edges]      mode: tied (default) | active | floor | fast; edges: 1000000
// tied:   the router alone, its ports tied to constant signals (always valid, always ready);
// active: plus a clocked sender/consumer process (senders advance on acceptance, consumers ready 70 %);
// floor:  only the clock and one empty clocked method (the kernel's cost for any clocked model);
// fast:   AerRouterCore::run_until_drained on the same configuration, consumers ready 70 %.
// One mode per process: SystemC cannot elaborate twice.
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <systemc>

#include "aer_router.hpp"
#include "bench_driver.hpp"
#include "empty_method.hpp"
#include "traffic.hpp"

using namespace ssnn::sc;
using namespace ssnn::sc::test;

namespace {

constexpr unsigned kIn = bench_driver::kIn, kOut = bench_driver::kOut, kDepth = 4, kBw = 2;

AerRouterConfig bench_config() { return random_router_config(kIn, kOut, kDepth, kBw, 2, 0, 1); }

// Process CPU time: on a shared machine wall time measures the neighbours too.
double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

int run_fast(uint64_t edges) {
  AerRouterCore core(bench_config());
  const unsigned per_input = static_cast<unsigned>(edges * kBw / kIn / 2);
  const auto src = random_sources(kIn, per_input, 2, 3);
  const double t0 = cpu_seconds();
  const uint64_t n = core.run_until_drained(src, [](uint64_t, unsigned, const AerEvent&) {}, RandomReady{4, 70});
  const double s = cpu_seconds() - t0;
  std::printf("fast path: %llu edges in %.3f CPU s = %.2f M edges/s, %.2f M events routed/s, %.2f M copies out/s\n",
              static_cast<unsigned long long>(n), s, static_cast<double>(n) / s / 1e6,
              static_cast<double>(core.counters().total_grants()) / s / 1e6,
              static_cast<double>(core.counters().total_events_out()) / s / 1e6);
  return 0;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  const std::string mode = argc > 1 ? argv[1] : "tied";
  const uint64_t edges = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000000;
  if (mode == "fast") return run_fast(edges);
  if (mode != "tied" && mode != "active" && mode != "floor") {
    std::fprintf(stderr, "router_bench: unknown mode '%s' (tied, active, floor, fast)\n", mode.c_str());
    return 2;
  }

  sc_core::sc_clock clk("clk", 10, sc_core::SC_NS);
  sc_core::sc_signal<bool> rst_n("rst_n", false);
  AerLinks in("in_", kIn), out("out_", kOut);
  std::unique_ptr<aer_router> dut;
  std::unique_ptr<bench_driver> drv;
  std::unique_ptr<empty_method> floor_ref;
  if (mode == "floor") {
    floor_ref = std::make_unique<empty_method>("floor_ref");
    floor_ref->clk(clk);
  } else {
    dut = std::make_unique<aer_router>("dut", bench_config());
    dut->clk_i(clk);
    dut->rst_ni(rst_n);
    dut->bind_inputs(in);
    dut->bind_outputs(out);
    if (mode == "active") {
      drv = std::make_unique<bench_driver>("drv");
      drv->clk(clk);
      drv->valid(in.valid);
      drv->event(in.event);
      drv->ready(in.ready);
      drv->out_valid(out.valid);
      drv->out_ready(out.ready);
    } else {
      for (unsigned i = 0; i < kIn; ++i) {
        in.valid[i].write(true);
        in.event[i].write(AerEvent{static_cast<uint8_t>(2 * i), 0, SpikeKind::kForward, 0});
      }
      for (unsigned o = 0; o < kOut; ++o) out.ready[o].write(true);
    }
  }

  sc_core::sc_start(25, sc_core::SC_NS);
  rst_n.write(true);
  const double t0 = cpu_seconds();
  sc_core::sc_start(sc_core::sc_time(10.0 * static_cast<double>(edges), sc_core::SC_NS));
  const double s = cpu_seconds() - t0;
  if (mode == "floor") {
    std::printf("floor (clock + empty method): %llu edges in %.3f CPU s = %.2f M edges/s\n",
                static_cast<unsigned long long>(edges), s, static_cast<double>(edges) / s / 1e6);
    return 0;
  }
  const AerRouterCounters& c = dut->counters();
  std::printf("signal path, %s (%u in, %u out, depth %u, %u events/edge): %llu edges in %.3f CPU s = %.2f M edges/s, "
              "%.2f M events routed/s, drops %llu\n",
              mode.c_str(), kIn, kOut, kDepth, kBw, static_cast<unsigned long long>(c.cycles), s,
              static_cast<double>(c.cycles) / s / 1e6, static_cast<double>(c.total_grants()) / s / 1e6,
              static_cast<unsigned long long>(c.total_drops()));
  return 0;
}
