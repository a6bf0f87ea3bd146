// ssnn_crossbar_tile (verilated C++) in lockstep with the SystemC crossbar_tile, which applies the
// contract (coincidence_update, device_noise_word, SynapseParams from ModelConfig): same events,
// commands, weights and resets at every clock edge; the sums, latches, counters and every weight
// must agree, and the cycles of each command are compared with what the SystemC tile charges.
// Part of bin/rtl_block_tests (sc_block_main.cpp): each test runs in its own process, since
// SystemC elaborates once per process.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

// Verilator's C++ (not --sc) headers before SystemC's: verilated_funcs.h takes the SystemC time
// stamp when it sees SystemC already included.
#include "Vtile.h"
#include "Vtile_narrow.h"
#include "Vtile_noisy.h"
#include "sc_bench.hpp"

#include "chip_config.hpp"
#include "crossbar_tile.hpp"
#include "ssnn/config.hpp"
#include "ssnn/contract/fixed_point.hpp"
#include "ssnn/contract/seeding.hpp"
#include "ssnn/contract/synapse.hpp"

namespace ssnn::rtl::test {
namespace {

using ssnn::sc::AerEvent;
using ssnn::sc::Op;
using ssnn::sc::SpikeKind;

constexpr int clog2(int n) {
  int b = 0;
  while ((1 << b) < n) ++b;
  return b;
}

// Verilated configurations (tb/rtl/CMakeLists.txt): sizes, widths, layer role and global offsets.
struct TileDefault {  // a tile of a weight layer >= 1 (gathers W^T), ideal device
  using Model = Vtile;
  static constexpr int kRows = 16, kCols = 16, kW = 16, kNoise = 0, kRow0 = 0, kCol0 = 0;
  static constexpr bool kTransposed = true;
};
struct TileNoisy {  // a first-layer tile (latches gradient events only), pulse noise, offsets
  using Model = Vtile_noisy;
  static constexpr int kRows = 16, kCols = 8, kW = 16, kNoise = 4, kRow0 = 32, kCol0 = 16;
  static constexpr bool kTransposed = false;
};
struct TileNarrow {  // narrow weights saturating often, noise larger than the pulses, odd sizes
  using Model = Vtile_narrow;
  static constexpr int kRows = 5, kCols = 3, kW = 6, kNoise = 5, kRow0 = 7, kCol0 = 300;
  static constexpr bool kTransposed = true;
};

struct Coverage {
  uint64_t events = 0, updates = 0, pulses_up = 0, pulses_down = 0, both_columns = 0, at_bound = 0;
  uint64_t noisy_updates = 0, no_learn_step_ends = 0, empty_updates = 0, clears_with_event = 0, resets = 0;
  uint64_t weight_checks = 0;
};

// Cycles of one command: the SystemC tile's charge and the RTL's, with what they depend on.
struct CommandCycles {
  int sc = 0, rtl = 0, rows_hit = 0, cols_hit = 0;
  bool update = false;
};

struct Result : RunResult<Coverage> {
  std::vector<CommandCycles> step_ends;
};

template <class P>
class TileBench {
 public:
  static constexpr int R = P::kRows, C = P::kCols, W = P::kW;
  static constexpr int kAcc = W + clog2(R > C ? R : C);
  static constexpr int kLayer = P::kTransposed ? 1 : 0;

  explicit TileBench(uint64_t seed)
      : rng_(seed),
        tile_("tile", cfg_, ssnn::sc::TileGeometry{kLayer, P::kRow0, R, P::kCol0, C, 0, 0}) {
    cfg_.weight_bits = W;
    cfg_.update_mode = ssnn::UpdateMode::kStochastic;
    bus_.bind(tile_, lk_);
    tile_.epoch_i(epoch_sig_);
    tile_.valid_i(valid_);
    tile_.event_i(event_);
    tile_.ready_o(ready_);
    tile_.rx_count_o(rx_);
    lk_.elaborate();
    idle_inputs();
  }

  // pulse_skew perturbs the RTL's up-pulse size: a working checker must then report a mismatch.
  Result run(uint64_t cycles, int pulse_skew = 0) {
    pulse_skew_ = pulse_skew;
    for (int r = 0; r < R && lk_.ls.ok(); ++r)
      for (int c = 0; c < C && lk_.ls.ok(); ++c) write_weight(r, c, random_weight());
    lk_.run(cycles, [this] { run_sample(); });
    if (lk_.ls.ok()) check_all_weights();
    return lk_.finish(res_);
  }

 private:
  using Model = typename P::Model;

  int32_t random_weight() {
    const int32_t lo = ssnn::signed_min(W), hi = ssnn::signed_max(W);
    const int pick = static_cast<int>(rng_.range(0, 9));
    if (pick == 0) return hi - static_cast<int32_t>(rng_.range(0, 3));
    if (pick == 1) return lo + static_cast<int32_t>(rng_.range(0, 3));
    return static_cast<int32_t>(rng_.range(lo, hi));
  }

  // Device options as ModelConfig::synapse_params derives them (finite states, asymmetry, noise,
  // per-epoch pulses, pulses beyond the register).
  void configure_device() {
    const int mode = static_cast<int>(rng_.range(0, 4));
    cfg_.pulse = {static_cast<int32_t>(rng_.range(1, 8)), static_cast<int32_t>(rng_.range(1, 3))};
    cfg_.device_states = 0;
    cfg_.device_asymmetry = 0.0;
    cfg_.pulse_noise = 0;
    if (mode == 1) cfg_.device_states = static_cast<int>(rng_.range(3, std::min(255, (1 << W) - 1)));
    if (mode == 2) cfg_.device_asymmetry = static_cast<double>(rng_.range(-90, 300)) / 100.0;
    if (mode == 3) cfg_.pulse = {static_cast<int32_t>(rng_.range(1, 1 << (W + 1)))};
    if (P::kNoise > 0 && rng_.chance(0.6)) cfg_.pulse_noise = static_cast<int32_t>(rng_.range(1, (1 << P::kNoise) - 1));
  }

  void idle_inputs() {
    bus_.start.write(false);
    valid_.write(false);
    bus_.op.write(static_cast<uint32_t>(Op::kNone));
    auto& t = lk_.top();
    t.sample_begin_i = 0;
    t.step_end_i = 0;
    t.ev_valid_i = 0;
    t.host_req_i = 0;
    t.host_we_i = 0;
    t.fwd_clear_i = 0;
    t.bwd_clear_i = 0;
  }

  // One rising edge of both models with the inputs as set.
  void edge() {
    lk_.edge();
    idle_inputs();
  }

  void reset_both() {
    lk_.reset();
    ++res_.cov.resets;
  }

  void write_weight(int r, int c, int32_t v) {
    tile_.set_weight(r, c, v);
    auto& t = lk_.top();
    t.host_req_i = 1;
    t.host_we_i = 1;
    t.host_row_i = static_cast<uint32_t>(r);
    t.host_col_i = static_cast<uint32_t>(c);
    t.host_wdata_i = static_cast<uint32_t>(bits_of(v, W));
    edge();
  }

  bool check_weight(int r, int c) {
    auto& t = lk_.top();
    t.host_req_i = 1;
    t.host_we_i = 0;
    t.host_row_i = static_cast<uint32_t>(r);
    t.host_col_i = static_cast<uint32_t>(c);
    edge();
    ++res_.cov.weight_checks;
    return lk_.ls.check("tile", r * C + c, "weight (host_rdata_o)", tile_.weight(r, c), sext(t.host_rdata_o, W));
  }

  void check_all_weights() {
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c)
        if (!check_weight(r, c)) return;
  }

  bool check_counters() {
    const auto& k = tile_.counters();
    auto& t = lk_.top();
    return lk_.ls.check("tile", 0, "events_o", static_cast<int64_t>(k.events), static_cast<int64_t>(t.events_o)) &&
           lk_.ls.check("tile", 0, "row_reads_o", static_cast<int64_t>(k.row_reads),
                        static_cast<int64_t>(t.row_reads_o)) &&
           lk_.ls.check("tile", 0, "col_reads_o", static_cast<int64_t>(k.col_reads),
                        static_cast<int64_t>(t.col_reads_o)) &&
           lk_.ls.check("tile", 0, "pulses_up_o", static_cast<int64_t>(k.pulses_up),
                        static_cast<int64_t>(t.pulses_up_o)) &&
           lk_.ls.check("tile", 0, "pulses_down_o", static_cast<int64_t>(k.pulses_down),
                        static_cast<int64_t>(t.pulses_down_o));
  }

  bool check_latches() {
    auto& t = lk_.top();
    for (int r = 0; r < R; ++r)
      if (!lk_.ls.check("tile", r, "row_latch_o", tile_.row_latch(r),
                        static_cast<int64_t>(get_field(t.row_latch_o, r, 1))))
        return false;
    for (int c = 0; c < C; ++c)
      if (!lk_.ls.check("tile", c, "col_pos_latch_o", tile_.col_pos_latch(c),
                        static_cast<int64_t>(get_field(t.col_pos_latch_o, c, 1))) ||
          !lk_.ls.check("tile", c, "col_neg_latch_o", tile_.col_neg_latch(c),
                        static_cast<int64_t>(get_field(t.col_neg_latch_o, c, 1))))
        return false;
    return true;
  }

  // A command on both models; returns the busy cycles of each.
  CommandCycles command(Op op, bool learn) {
    auto& t = lk_.top();
    bus_.start.write(true);
    bus_.op.write(static_cast<uint32_t>(op));
    bus_.learn.write(learn);
    t.sample_begin_i = op == Op::kSampleBegin;
    t.step_end_i = op == Op::kStepEnd;
    t.update_en_i = learn;
    edge();
    CommandCycles cc;
    bool sc_busy = bus_.busy.read(), rtl_busy = t.busy_o;
    while (sc_busy || rtl_busy) {
      edge();
      cc.sc += sc_busy;
      cc.rtl += rtl_busy;
      sc_busy = bus_.busy.read();
      rtl_busy = t.busy_o;
      if (cc.sc + cc.rtl > 8 * (R + C) + 16) {
        lk_.ls.check("tile", 0, "busy_o (never drops)", 0, 1);
        break;
      }
    }
    return cc;
  }

  void begin_sample() {
    configure_device();
    epoch_ = static_cast<uint32_t>(rng_.range(0, 3));
    const uint64_t key = rng_.u64();
    epoch_sig_.write(epoch_);
    bus_.key.write(key);
    const ssnn::SynapseParams syn = cfg_.synapse_params(static_cast<int>(epoch_), kLayer);
    const uint64_t device_key = key ^ (ssnn::stream::kDeviceBase + kLayer);
    // The controller holds the sample's device options on the tile's inputs.
    const int32_t pulse_max = (1 << (W + 1)) - 1;
    auto& t = lk_.top();
    t.w_min_i = static_cast<uint32_t>(bits_of(syn.w_min, W));
    t.w_max_i = static_cast<uint32_t>(bits_of(syn.w_max, W));
    t.pulse_up_i = static_cast<uint32_t>(std::min(syn.pulse_up + pulse_skew_, pulse_max));
    t.pulse_down_i = static_cast<uint32_t>(std::min(syn.pulse_down, pulse_max));
    t.pulse_noise_i = static_cast<uint32_t>(syn.pulse_noise);
    t.device_key_i = device_key;
    noisy_ = syn.pulse_noise != 0;
    const CommandCycles cc = command(Op::kSampleBegin, false);
    lk_.ls.check("tile", 0, "sample_begin cycles (SystemC 1)", cc.sc, 1);
    lk_.ls.check("tile", 0, "sample_begin cycles", cc.sc, cc.rtl);
    // The SystemC tile derived the same options from the configuration.
    lk_.ls.check("tile", 0, "synapse pulse_up", tile_.synapse().pulse_up, syn.pulse_up);
    lk_.ls.check("tile", 0, "device key", static_cast<int64_t>(tile_.device_key() ^ device_key), 0);
  }

  // Sends events (local index, kind) in order, with random gaps; the first one may coincide with
  // the read-and-clear of the previous phase's sums.
  void send(const std::vector<std::pair<int, SpikeKind>>& events, bool clear_fwd, bool clear_bwd) {
    bool first = true;
    for (const auto& [index, kind] : events) {
      while (rng_.chance(0.2)) edge();
      auto& t = lk_.top();
      if (!lk_.ls.check("tile", 0, "ev_ready_o", 1, t.ev_ready_o)) return;
      AerEvent ev;
      ev.kind = kind;
      ev.neuron = static_cast<uint16_t>(index + (kind == SpikeKind::kForward ? P::kRow0 : P::kCol0));
      valid_.write(true);
      event_.write(ev);
      t.ev_valid_i = 1;
      t.ev_kind_i = static_cast<uint8_t>(kind);
      t.ev_index_i = static_cast<uint32_t>(index);
      if (first && (clear_fwd || clear_bwd)) {
        t.fwd_clear_i = clear_fwd;
        t.bwd_clear_i = clear_bwd;
        ++res_.cov.clears_with_event;
      }
      first = false;
      edge();
      ++res_.cov.events;
    }
  }

  // The core takes the sums: SystemC's take_*_sums against the RTL's outputs; returns whether the
  // RTL clear is still owed (done at the next phase's first event or an idle edge).
  void take_sums(bool forward) {
    edge();  // the last array read lands
    auto& t = lk_.top();
    std::vector<int32_t> sums(static_cast<size_t>(forward ? P::kCol0 + C : P::kRow0 + R), 0);
    if (forward) {
      tile_.take_forward_sums(sums.data());
      for (int c = 0; c < C; ++c)
        if (!lk_.ls.check("tile", c, "fwd_sum_o", sums[static_cast<size_t>(P::kCol0 + c)],
                          get_signed(t.fwd_sum_o, c * kAcc, kAcc)))
          return;
    } else {
      tile_.take_backward_sums(sums.data());
      for (int r = 0; r < R; ++r)
        if (!lk_.ls.check("tile", r, "bwd_sum_o", sums[static_cast<size_t>(P::kRow0 + r)],
                          get_signed(t.bwd_sum_o, r * kAcc, kAcc)))
          return;
    }
  }

  // A forward or backward phase: its events, then the core takes the sums. The read-and-clear of
  // the previous phase's sums is owed: it lands with the first event or at an idle edge before.
  void phase(const std::vector<std::pair<int, SpikeKind>>& events, bool forward, bool& owe_clear) {
    const bool clear_with_event = owe_clear && !events.empty() && rng_.chance(0.5);
    if (owe_clear && !clear_with_event) {
      auto& t = lk_.top();
      (forward ? t.fwd_clear_i : t.bwd_clear_i) = 1;
      edge();
    }
    send(events, forward && clear_with_event, !forward && clear_with_event);
    take_sums(forward);
    owe_clear = true;
  }

  void run_sample() {
    begin_sample();
    const bool learn = rng_.chance(0.85);
    const int steps = static_cast<int>(rng_.range(1, 6));
    // Spike densities of this sample: sparse to dense rows and columns.
    const double row_p = rng_.pick({0.05, 0.2, 0.5, 0.9});
    const double col_p = rng_.pick({0.0, 0.1, 0.3, 0.7});
    bool owe_fwd_clear = false, owe_bwd_clear = false;
    for (int t = 0; t < steps && lk_.ls.ok(); ++t) {
      bus_.step.write(static_cast<uint32_t>(t));
      lk_.top().step_i = static_cast<uint32_t>(t);
      lk_.ls.set_context("step " + std::to_string(t));
      // Encode / forward: each row spikes at most once per step.
      std::vector<std::pair<int, SpikeKind>> fwd;
      for (int r = 0; r < R; ++r)
        if (rng_.chance(row_p)) fwd.emplace_back(r, SpikeKind::kForward);
      std::shuffle(fwd.begin(), fwd.end(), std::mt19937_64(rng_.u64()));
      phase(fwd, true, owe_fwd_clear);
      if (!lk_.ls.ok()) break;
      // Error / backward: each column's dp and dn at most once per step; both happen.
      std::vector<std::pair<int, SpikeKind>> grad;
      if (learn) {
        for (int c = 0; c < C; ++c) {
          if (rng_.chance(col_p)) grad.emplace_back(c, SpikeKind::kGradPos);
          if (rng_.chance(col_p * 0.7)) grad.emplace_back(c, SpikeKind::kGradNeg);
        }
        std::shuffle(grad.begin(), grad.end(), std::mt19937_64(rng_.u64()));
      }
      phase(grad, false, owe_bwd_clear);
      if (!lk_.ls.ok() || !check_latches()) break;
      // Update.
      int rows_hit = 0, cols_hit = 0, pos = 0, neg = 0;
      for (int r = 0; r < R; ++r) rows_hit += tile_.row_latch(r);
      for (int c = 0; c < C; ++c) {
        pos += tile_.col_pos_latch(c);
        neg += tile_.col_neg_latch(c);
        cols_hit += tile_.col_pos_latch(c) || tile_.col_neg_latch(c);
        res_.cov.both_columns += rows_hit > 0 && tile_.col_pos_latch(c) && tile_.col_neg_latch(c);
      }
      CommandCycles cc = command(Op::kStepEnd, learn);
      cc.rows_hit = rows_hit;
      cc.cols_hit = cols_hit;
      cc.update = learn && rows_hit > 0 && cols_hit > 0;
      res_.step_ends.push_back(cc);
      res_.cov.no_learn_step_ends += !learn;
      res_.cov.empty_updates += learn && !cc.update;
      if (cc.update) {
        ++res_.cov.updates;
        res_.cov.pulses_up += static_cast<uint64_t>(rows_hit * pos);
        res_.cov.pulses_down += static_cast<uint64_t>(rows_hit * neg);
        res_.cov.noisy_updates += noisy_;
      }
      // The documented cycle counts of both models (docs/rtl.md).
      // The documented count of both tiles: 2 cycles per latched row (or latched column of W^T).
      const int expected = cc.update ? 2 * std::max(rows_hit, P::kTransposed ? cols_hit : 0) : 1;
      lk_.ls.check("tile", 0, "step_end cycles (RTL)", expected, cc.rtl);
      lk_.ls.check("tile", 0, "step_end cycles (SystemC)", expected, cc.sc);
      if (!lk_.ls.ok() || !check_latches() || !check_counters()) break;
      if (cc.update && rng_.chance(0.3)) {
        check_all_weights();
        for (int r = 0; r < R; ++r)
          for (int c = 0; c < C; ++c) {
            const int32_t w = tile_.weight(r, c);
            const auto syn = tile_.synapse();
            res_.cov.at_bound += w == syn.w_min || w == syn.w_max;
          }
      }
      if (rng_.chance(0.02)) {  // host rewrites a weight between steps
        write_weight(static_cast<int>(rng_.range(0, R - 1)), static_cast<int>(rng_.range(0, C - 1)), random_weight());
      }
      if (rng_.chance(0.01)) {  // asynchronous reset mid-sample: latches, sums and counters clear
        reset_both();
        owe_fwd_clear = owe_bwd_clear = false;
        break;
      }
    }
    if (!lk_.ls.ok()) return;
    if (owe_fwd_clear) {
      lk_.top().fwd_clear_i = 1;
      edge();
    }
    if (owe_bwd_clear) {
      lk_.top().bwd_clear_i = 1;
      edge();
    }
    check_counters();
  }

  Rng rng_;
  ssnn::ModelConfig cfg_;
  ScLockstep<Model> lk_;
  CommandBus bus_;
  sc_core::sc_signal<bool> valid_{"valid"}, ready_{"ready"};
  sc_core::sc_signal<uint32_t> epoch_sig_{"epoch"};
  sc_core::sc_signal<uint64_t> rx_{"rx"};
  sc_core::sc_signal<AerEvent> event_{"event"};
  ssnn::sc::crossbar_tile tile_;
  Result res_;
  uint32_t epoch_ = 0;
  int pulse_skew_ = 0;
  bool noisy_ = false;
};

// Cycles per step end, by model: both charge 1 without an update, else 2 per latched row or column
// read-modify-write (docs/rtl.md).
void report_step_ends(const char* name, const Result& r) {
  uint64_t sc = 0, rtl = 0, n = 0, differ = 0;
  for (const auto& s : r.step_ends) {
    sc += static_cast<uint64_t>(s.sc);
    rtl += static_cast<uint64_t>(s.rtl);
    differ += s.sc != s.rtl;
    ++n;
  }
  std::printf("%s: %llu step ends, cycles SystemC %llu, RTL %llu; %llu differ\n", name,
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(sc), static_cast<unsigned long long>(rtl),
              static_cast<unsigned long long>(differ));
}

template <class P>
void expect_clean_run(const char* name, uint64_t seed, uint64_t cycles) {
  TileBench<P> bench(seed);
  const Result r = bench.run(cycles);
  report_step_ends(name, r);
  const auto& c = r.cov;
  expect_corners(r, name, cycles,
                 {{"events", c.events},
                  {"updates", c.updates, 200},
                  {"noisy updates", c.noisy_updates, P::kNoise > 0 ? 50u : 0u},
                  {"empty updates", c.empty_updates, 10},
                  {"step ends without learning", c.no_learn_step_ends, 10},
                  {"up pulses", c.pulses_up, 1000},
                  {"down pulses", c.pulses_down, 1000},
                  {"columns with dp and dn", c.both_columns, 20},
                  {"weights at a bound", c.at_bound, 20},
                  {"weight checks", c.weight_checks},
                  {"clears with an event", c.clears_with_event, 50},
                  {"resets", c.resets, 2}});
}

TEST(RtlTile, GatheringTileMatchesSystemC) { expect_clean_run<TileDefault>("16x16 W16 transposed", 11, 400000); }

TEST(RtlTile, FirstLayerTileWithPulseNoiseMatchesSystemC) {
  expect_clean_run<TileNoisy>("16x8 W16 noise 4 bits, latch only", 12, 300000);
}

TEST(RtlTile, NarrowNoisyTransposedTileMatchesSystemC) {
  expect_clean_run<TileNarrow>("5x3 W6 noise 5 bits, transposed", 13, 300000);
}

TEST(RtlTile, CheckerCatchesAWrongPulseSize) {
  TileBench<TileDefault> bench(14);
  expect_caught(bench.run(100000, 1), "unit tile[");
}

}  // namespace
}  // namespace ssnn::rtl::test
