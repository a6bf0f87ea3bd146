// The probed cross-point: a dedicated coincidence unit that carries that cross-point's weight
// through the run (loaded once), takes the row and column lines at every step end and is checked
// against the tile's weight (the waveform of rtl/gtkw/rtl_crosspoint.gtkw).
// A bank of the RTL co-simulation (rtl_cosim.cpp) on the shared base cosim_bank.hpp.
#pragma once

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "crosspoint_unit.hpp"
#include "ssnn/contract/seeding.hpp"
#include "ssnn/contract/synapse.hpp"
#include "cosim_bank.hpp"

namespace ssnn::sc::cosim {

class CrosspointProbe final : public Bank {
 public:
  CrosspointProbe(CosimContext& ctx, const crossbar_tile& tile, int row, int col, sc_core::sc_signal_in_if<bool>& rst)
      : Bank(ctx, fmt::format("crosspoint_probe_l{}", tile.geometry().layer)),
        tile_(tile),
        row_(row),
        col_(col),
        index_((tile.geometry().row0 + row) * ctx.cfg.layer_size(tile.geometry().layer + 1) + tile.geometry().col0 + col),
        xp_("rtl_probe_", "crosspoint", rst) {
    ctx_.stats.rtl_models += 1;
  }

  Vsc_coincidence& model() { return *xp_.model; }

  void post_sample_begin() {
    if (loaded_) return;
    loaded_ = true;
    Job j;
    j.kind = Job::kLoad;
    j.tag = ctx_.tag(-1, "sample start (probe weight load)");
    j.weight = tile_.weight(row_, col_);
    jobs_.push_back(j);
  }
  void post_step_end(int t) {
    if (!loaded_) return;
    Job j;
    j.kind = Job::kUpdate;
    j.tag = ctx_.tag(t, "update");
    j.row = tile_.row_latch(row_);
    j.pos = tile_.col_pos_latch(col_);
    j.neg = tile_.col_neg_latch(col_);
    const SynapseParams& p = tile_.synapse();
    const TileGeometry& g = tile_.geometry();
    j.word = p.pulse_noise ? device_noise_word(tile_.device_key(), static_cast<uint32_t>(t), static_cast<uint32_t>(g.row0 + row_),
                                               static_cast<uint32_t>(g.col0 + col_))
                           : 0u;
    j.syn = p;
    j.weight = tile_.weight(row_, col_);
    jobs_.push_back(j);
  }

  void rise() override { xp_.clock.rise(); }

  void negedge() override {
    xp_.clock.fall();
    if (jobs_.empty()) return;
    if (driving_) {
      const Job& j = jobs_.front();
      const std::string where = fmt::format("probe cross-point row {} column {}", tile_.geometry().row0 + row_, tile_.geometry().col0 + col_);
      const bool ok = (j.kind == Job::kLoad || (eq(index_, "up_o", j.row && j.pos, xp_.pins.up.read(), j.tag, where) &&
                                                eq(index_, "down_o", j.row && j.neg, xp_.pins.down.read(), j.tag, where))) &&
                      eq(index_, "weight_o", j.weight, sext(xp_.pins.weight.read(), kWeightBits), j.tag, where);
      // The lines are driven for the update cycle only: row and column pulses in the waveform.
      xp_.pins.release();
      jobs_.pop_front();
      driving_ = false;
      if (!ok) return;
    }
    if (jobs_.empty() || ctx_.failed()) return;
    const Job& j = jobs_.front();
    if (j.kind == Job::kLoad) {
      xp_.pins.load.write(true);
      xp_.pins.load_weight.write(field(j.weight, kWeightBits));
    } else {
      xp_.pins.update.write(true);
      xp_.pins.row.write(j.row);
      xp_.pins.col_pos.write(j.pos);
      xp_.pins.col_neg.write(j.neg);
      xp_.pins.noise_word.write(j.word);
      xp_.pins.params(j.syn);
      ++ctx_.stats.probe_updates;
    }
    xp_.clock.arm();
    driving_ = true;
  }

  void reset() override {
    xp_.clock.reset();
    xp_.pins.load.write(false);
    xp_.pins.update.write(false);
    jobs_.clear();
    driving_ = false;
    loaded_ = false;  // the unit's weight register was reset: load again at the next sample
  }

  bool idle() const override { return jobs_.empty(); }
  void final_models() override { xp_.model->final(); }

 private:
  struct Job {
    enum Kind { kLoad, kUpdate } kind = kLoad;
    Tag tag;
    bool row = false, pos = false, neg = false;
    uint32_t word = 0;
    SynapseParams syn;
    int32_t weight = 0;  // to load, or expected after the update
  };

  const crossbar_tile& tile_;
  const int row_, col_, index_;
  CrosspointUnit xp_;
  std::deque<Job> jobs_;
  bool loaded_ = false;
  bool driving_ = false;
};

}  // namespace ssnn::sc::cosim
