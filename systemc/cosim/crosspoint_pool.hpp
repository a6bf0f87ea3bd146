// A pool of coincidence units per tile, time-multiplexed over the tile's pulses (by default one
// unit per tile column): a free unit takes the next pulse, loads the cross-point's weight (1 cycle),
// applies the pulse (1 cycle) and is checked; it takes its next pulse in the cycle it checks the
// last one.  Each unit has its own gated clock, so idle units cost nothing.
// A bank of the RTL co-simulation (rtl_cosim.cpp) on the shared base cosim_bank.hpp.
#pragma once

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <vector>
#include <unordered_map>

#include "crosspoint_unit.hpp"
#include "ssnn/contract/seeding.hpp"
#include "ssnn/contract/synapse.hpp"
#include "cosim_bank.hpp"

namespace ssnn::sc::cosim {

class CrosspointPool final : public Bank {
 public:
  CrosspointPool(CosimContext& ctx, const crossbar_tile& tile, int index, int units, sc_core::sc_signal_in_if<bool>& rst)
      : Bank(ctx, fmt::format("crosspoint_l{}", tile.geometry().layer)),
        tile_(tile),
        index_(index),
        layer_cols_(ctx.cfg.layer_size(tile.geometry().layer + 1)) {
    for (int u = 0; u < units; ++u)
      slots_.push_back(
          std::make_unique<Slot>(fmt::format("rtl_tile{}_x{}_", index, u), fmt::format("rtl_tile{}_x{}", index, u), rst, u));
    for (auto& s : slots_) free_.push_back(s.get());
    ctx_.stats.rtl_models += static_cast<uint64_t>(units);
  }

  void post(int t, int row, int col, bool up, int32_t before, int32_t after, uint32_t word) {
    queue_.push_back(Pulse{ctx_.tag(t, "update"), row, col, up, before, after, word, tile_.synapse()});
    ctx_.stats.xpoint_max_backlog = std::max<uint64_t>(ctx_.stats.xpoint_max_backlog, queue_.size());
  }

  void rise() override {
    for (Slot* s : busy_) s->clock.rise();
  }

  void negedge() override {
    size_t keep = 0;
    for (size_t i = 0; i < busy_.size(); ++i) {
      Slot& s = *busy_[i];
      s.clock.fall();
      if (!ctx_.failed() && step(s)) {
        busy_[keep++] = &s;
      } else {
        free_.push_back(&s);
      }
    }
    busy_.resize(keep);
    if (ctx_.failed()) return;
    while (!queue_.empty() && !free_.empty()) {
      Slot& s = *free_.front();
      free_.pop_front();
      s.pulse = queue_.front();
      queue_.pop_front();
      s.pins.load.write(true);
      s.pins.load_weight.write(field(s.pulse.before, kWeightBits));
      s.state = Slot::kLoaded;
      s.clock.arm();
      busy_.push_back(&s);
    }
  }

  void reset() override {
    for (auto& s : slots_) {
      s->clock.reset();
      s->pins.release();
      s->state = Slot::kIdle;
    }
    busy_.clear();
    free_.clear();
    for (auto& s : slots_) free_.push_back(s.get());
    queue_.clear();
  }

  bool idle() const override { return queue_.empty() && busy_.empty(); }
  void final_models() override {
    for (auto& s : slots_) s->model->final();
  }

 private:
  struct Pulse {
    Tag tag;
    int row = 0, col = 0;
    bool up = false;
    int32_t before = 0, after = 0;
    uint32_t word = 0;
    SynapseParams syn;
  };
  struct Slot : CrosspointUnit {
    Slot(const std::string& prefix, const std::string& name, sc_core::sc_signal_in_if<bool>& rst, int number)
        : CrosspointUnit(prefix, name, rst), number(number) {}
    enum State { kIdle, kLoaded, kUpdated } state = kIdle;
    int number;
    Pulse pulse;
  };

  // Checks the command that landed and drives the next one; false when the unit is free again.
  bool step(Slot& s) {
    if (s.state == Slot::kLoaded) {
      if (!check(s, "weight_o", s.pulse.before, sext(s.pins.weight.read(), kWeightBits), "after loading the weight")) return true;
      s.pins.load.write(false);
      s.pins.update.write(true);
      s.pins.row.write(true);
      bool up = s.pulse.up;
      if (ctx_.inject("coincidence")) up = !up;
      s.pins.col_pos.write(up);
      s.pins.col_neg.write(!up);
      s.pins.noise_word.write(s.pulse.word);
      s.pins.params(s.pulse.syn);
      s.state = Slot::kUpdated;
      s.clock.arm();
      ++ctx_.stats.xpoint_pulses;
      return true;
    }
    const bool ok = check(s, "up_o", s.pulse.up, s.pins.up.read(), "the AND gates") &&
                    check(s, "down_o", !s.pulse.up, s.pins.down.read(), "the AND gates") &&
                    check(s, "weight_o", s.pulse.after, sext(s.pins.weight.read(), kWeightBits), "after the pulse");
    if (!ok) return true;
    s.pins.release();
    s.state = Slot::kIdle;
    return false;
  }

  bool check(const Slot& s, const char* signal, int64_t expected, int64_t actual, const char* what) {
    if (expected == actual) {
      ++ctx_.stats.checks;
      return true;
    }
    const TileGeometry& g = tile_.geometry();
    const int row = g.row0 + s.pulse.row, col = g.col0 + s.pulse.col;
    return eq(row * layer_cols_ + col, signal, expected, actual, s.pulse.tag,
              fmt::format("row {} column {} ({} pulse), tile {}, pool unit {}, {}", row, col, s.pulse.up ? "up" : "down", index_,
                          s.number, what));
  }

  const crossbar_tile& tile_;
  const int index_;
  const int layer_cols_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Slot*> busy_;  // units with a command in flight, in the order they took it
  std::deque<Slot*> free_;
  std::deque<Pulse> queue_;
};

}  // namespace ssnn::sc::cosim
