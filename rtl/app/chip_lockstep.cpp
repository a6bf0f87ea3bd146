#include "chip_lockstep.hpp"

#include <algorithm>
#include <array>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "counter_compare.hpp"

namespace ssnn::rtl {

namespace {

using sc::ChipCounters;
using sc::CtrlPhase;
using Leaves = std::vector<std::pair<std::string, uint64_t>>;
constexpr size_t kPhases = static_cast<size_t>(CtrlPhase::kCount);

// Counters the two models book at different edges of the same command, so equal only once the
// command is over (at the end of every phase and of the sample), named by their last member:
// the SystemC encoder draws a step's pixels and label at the command's first edge, the RTL lane by
// lane; the SystemC core fires (and counts spikes and WTA rounds) at the command's first edge and
// sends the events over the following ones, the RTL counts a spike when its lane fires; the SystemC
// tile applies an update's pulses at once, the RTL row by row; a SystemC source adds its busy
// cycles when its command ends. Everything else (every AER event, router grant, stall and read, the
// controller's phase and busy) is compared at every edge.
constexpr std::array<const char*, 11> kBookedPerCommand{
    "lfsr_draws", "input_spikes", "label_spikes", "forward_spikes", "pos_spikes", "neg_spikes",
    "wta_iterations", "pulses_up", "pulses_down", "rate_updates", "busy_cycles"};

bool booked_per_command(const std::string& path) {
  const std::string last = path.substr(path.rfind(' ') + 1);
  return std::find(kBookedPerCommand.begin(), kBookedPerCommand.end(), last) != kBookedPerCommand.end();
}

// The phase the RTL controller charged the last edge to (the one phase counter that advanced).
int charged_phase(const ChipCounters& before, const ChipCounters& after) {
  for (size_t p = 0; p < kPhases; ++p)
    if (after.controller.phase_cycles[p] != before.controller.phase_cycles[p]) return static_cast<int>(p);
  return -1;
}

std::string phase_name(int p) { return p >= 0 && p < static_cast<int>(kPhases) ? sc::kPhaseNames[static_cast<size_t>(p)] : "none"; }

// A counter's path in the chip's record ("cores 0 forward_spikes") as a block and its signal
// ("core 1 forward_spikes"); a router input is named with the source that sends on it.
std::string block_and_signal(const std::string& path, const sc::ChipFloorplan& plan) {
  std::istringstream in(path);
  std::vector<std::string> w;
  for (std::string s; in >> s;) w.push_back(s);
  const auto index = [&](size_t i) { return i < w.size() ? std::stoi(w[i]) : 0; };
  if (w.size() == 3 && w[0] == "cores") return fmt::format("core {} {}", index(1) + 1, w[2]);
  if (w.size() == 3 && w[0] == "sources")
    return fmt::format("source {} ({}) {}", index(1), index(1) == 0 ? "encoder" : fmt::format("core {}", index(1)), w[2]);
  if (w.size() == 3 && w[0] == "layer_tiles") return fmt::format("tiles of layer {} {}", index(1), w[2]);
  if (w.size() == 2 && (w[0] == "synaptic_reads" || w[0] == "gradient_reads"))
    return fmt::format("tiles of layer {} {}", index(1), w[0]);
  if (w.size() == 3 && w[0] == "router" && w[1] == "events_out") return fmt::format("router output {} (tile {}) events_out", index(2), index(2));
  if (w.size() == 3 && w[0] == "router") {
    const int k = index(2);
    size_t l = 0;
    while (l + 1 < plan.core_block.size() && plan.core_block[l + 1] <= k) ++l;
    const int band = k - plan.core_block[l];
    return fmt::format("router input {} ({} block {}) {}", k, l == 0 ? "encoder" : fmt::format("core {}", l), band, w[1]);
  }
  return path;
}

}  // namespace

LockstepResult ChipLockstep::run_sample(const uint8_t* rtl_pixels, const uint8_t* sc_pixels, int label,
                                        const SampleSpec& spec, const std::string& where) {
  rtl_.start_sample(rtl_pixels, label, spec);
  sc_.start_sample(sc_pixels, label, spec, 0);
  LockstepResult res;
  const uint64_t limit = sc::ChipHarness::sample_cycle_limit(sc_.chip().config());
  int step = 0, last_phase = -1;
  const auto fail = [&](const std::string& what, const std::string& sc_value, const std::string& rtl_value) {
    // The RTL clock edge and the SystemC time locate the edge in either model's waveforms.
    throw LockstepMismatch(fmt::format(
        "lockstep mismatch at cycle {} of {}, cycle {} of the run (step {}, phase {}; RTL clock edge {}, SystemC time {}): "
        "{}: SystemC {}, RTL {}",
        res.cycles, where, run_cycles_ + res.cycles, step, phase_name(last_phase), rtl_.edges(),
        sc_core::sc_time_stamp().to_string(), what, sc_value, rtl_value));
  };
  // Compares the counter records; `all`: the per-command counters and the phase cycles too.
  const ChipCounters r_start = rtl_.counters(), s_start = sc_.chip().counters();
  const auto compare = [&](const ChipCounters& r, const ChipCounters& s, bool all) {
    const Leaves a = counter_leaves(compared_chip_counters(s)), b = counter_leaves(compared_chip_counters(r));
    if (a.size() != b.size()) fail("counter record", fmt::format("{} counters", a.size()), fmt::format("{} counters", b.size()));
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].second == b[i].second || (!all && booked_per_command(a[i].first))) continue;
      fail(block_and_signal(a[i].first, sc_.chip().floorplan()), std::to_string(a[i].second), std::to_string(b[i].second));
    }
    if (!all) return;
    for (size_t p = 1; p < kPhases; ++p) {
      const uint64_t ds = s.controller.phase_cycles[p] - s_start.controller.phase_cycles[p],
                     dr = r.controller.phase_cycles[p] - r_start.controller.phase_cycles[p];
      if (ds != dr) fail(fmt::format("controller cycles of phase {}", sc::kPhaseNames[p]), std::to_string(ds), std::to_string(dr));
    }
  };
  ChipCounters r_prev = r_start;
  for (;;) {
    const bool sc_busy = sc_.busy(), rtl_busy = rtl_.busy();
    if (sc_busy != rtl_busy) fail("controller busy", std::to_string(sc_busy), std::to_string(rtl_busy));
    if (!sc_busy) break;
    if (res.cycles == limit)
      throw std::runtime_error(fmt::format("lockstep: {} not finished after {} cycles (deadlock)", where, limit));
    // The SystemC controller already knows the phase it charges the next edge to: at a phase's last
    // edge every command it started is over and every event delivered, so every counter is final.
    const auto next_phase = static_cast<int>(sc_.chip().controller().phase());
    if (res.cycles > 0 && next_phase != last_phase) compare(r_prev, sc_.chip().counters(), true);
    rtl_.step();
    sc_.step();
    ++res.cycles;
    const ChipCounters r = rtl_.counters();
    const int r_phase = charged_phase(r_prev, r);
    if (last_phase == static_cast<int>(CtrlPhase::kBarrier) && next_phase != last_phase) ++step;
    last_phase = next_phase;
    if (r_phase != next_phase) fail("controller phase", phase_name(next_phase), phase_name(r_phase));
    compare(r, sc_.chip().counters(), false);
    r_prev = r;
  }
  compare(r_prev, sc_.chip().counters(), true);
  run_cycles_ += res.cycles;
  res.rtl = rtl_.sample_result();
  res.systemc = sc_.sample_result();
  return res;
}

}  // namespace ssnn::rtl
