// crossbar_tile: a rows x cols slice of one weight layer (an RPU crossbar tile).
//
// Forward read: an input event x_i adds row i to the column accumulators (one cycle, all columns
// in parallel).  Transposed read: a gradient event dp_j / dn_j adds / subtracts column j to the row
// accumulators (tiles of the first weight layer only latch it: nothing below needs W^T delta).
// Both events also set the row / column latch the update uses.  At the end of the step every
// cross-point whose row latch AND column latch are set receives one pulse, up for dp and down for
// dn, saturating (ssnn::coincidence_update).  Rate learning instead applies ssnn::rate_update with
// the sample's spike counts at the end of the sample.  Weights are non-volatile: reset clears the
// latches, accumulators and counters, not the array.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include <systemc>

#include "aer_event.hpp"
#include "chip_floorplan.hpp"
#include "chip_types.hpp"
#include "clock_sleep.hpp"
#include "command_block.hpp"
#include "cosim_observer.hpp"
#include "ssnn/config.hpp"
#include "ssnn/contract/device.hpp"
#include "ssnn/contract/synapse.hpp"

namespace ssnn::sc {

// Operation counts since reset.
struct TileCounters {
  uint64_t events = 0;        // events received
  uint64_t row_reads = 0;     // forward reads (input events)
  uint64_t col_reads = 0;     // transposed reads (gradient events of tiles that gather)
  uint64_t col_latches = 0;   // gradient events of tiles that only latch
  uint64_t pulses_up = 0;     // cross-point coincidences, up
  uint64_t pulses_down = 0;   // ... down
  uint64_t rate_updates = 0;  // cross-points written by rate updates
  uint64_t busy_cycles = 0;   // cycles spent on commands (update, rate update)
  // Lines the stochastic update drives (for the energy model; they change no result): a latched
  // row is driven once per half (up, down) that has latched columns, a latched column once.
  uint64_t update_row_drives = 0;
  uint64_t update_col_drives = 0;
  uint64_t update_row_cells = 0;  // cross-points on the driven rows (drives x tile columns)
  uint64_t update_col_cells = 0;  // cross-points on the driven columns (drives x tile rows)
};

// Every tile counter by name (its JSON key), for the per-layer sums and the checkpoints.  The
// update-drive counters came later: a checkpoint may lack them (`required` false).
struct TileCounterField {
  const char* name;
  uint64_t TileCounters::*member;
  bool required;
};
inline constexpr std::array<TileCounterField, 12> kTileCounterFields{{
    {"events", &TileCounters::events, true},
    {"row_reads", &TileCounters::row_reads, true},
    {"col_reads", &TileCounters::col_reads, true},
    {"col_latches", &TileCounters::col_latches, true},
    {"pulses_up", &TileCounters::pulses_up, true},
    {"pulses_down", &TileCounters::pulses_down, true},
    {"rate_updates", &TileCounters::rate_updates, true},
    {"busy_cycles", &TileCounters::busy_cycles, true},
    {"update_row_drives", &TileCounters::update_row_drives, false},
    {"update_col_drives", &TileCounters::update_col_drives, false},
    {"update_row_cells", &TileCounters::update_row_cells, false},
    {"update_col_cells", &TileCounters::update_col_cells, false},
}};
static_assert(sizeof(TileCounters) == kTileCounterFields.size() * sizeof(uint64_t),
              "a TileCounters member is missing from kTileCounterFields");

// The command bus from the controller (command_block.hpp), with the epoch (the pulse schedule).
class crossbar_tile : public command_block, public tile_sum_if {
 public:
  sc_core::sc_in<uint32_t> epoch_i;
  // AER input (a router output channel).
  sc_core::sc_in<bool> valid_i;
  sc_core::sc_in<AerEvent> event_i;
  sc_core::sc_out<bool> ready_o;
  sc_core::sc_out<uint64_t> rx_count_o;  // events taken since reset (the controller's drain check)

  // How the tile is clocked: by its own process (a tile on its own), or by the chip's one process
  // for all its tiles (tile_bank.hpp), which calls edge() only at the edges where it has work.
  enum class Clocking { kOwnProcess, kShared };

  SC_HAS_PROCESS(crossbar_tile);
  crossbar_tile(const sc_core::sc_module_name& name, const ModelConfig& cfg, TileGeometry geometry,
                Clocking clocking = Clocking::kOwnProcess);

  // One run of the tile's clocked process: at a rising edge (`rising_edge`), at the falling edge of
  // rst_ni, or at initialization.  Returns whether the tile is idle after it (no countdown, no
  // command or event at this edge).
  bool clock(bool rising_edge);
  // A rising edge with reset released, start_i and valid_i as given (what clock(true) does then).
  bool edge(bool start, bool valid);
  // Whether the next rising edge changes the tile even with start_i and valid_i low (a countdown,
  // or ready_o to raise after reset): if not, and both are low, clock(true) would leave every
  // register and port as it is.
  bool needs_next_edge() const { return busy_left_ > 0 || !ready_high_; }

  // tile_sum_if
  int row_offset() const override { return geo_.row0; }
  int col_offset() const override { return geo_.col0; }
  int num_rows() const override { return geo_.rows; }
  int num_cols() const override { return geo_.cols; }
  bool take_forward_sums(int32_t* dst) override;
  bool take_backward_sums(int32_t* dst) override;

  // Array access for programming (initial weights, loaded checkpoints) and read-back; the
  // equivalent of the array's test port, not used by the algorithm.
  int32_t weight(int r, int c) const { return w_[static_cast<size_t>(r) * static_cast<size_t>(geo_.cols) + static_cast<size_t>(c)]; }
  void set_weight(int r, int c, int32_t v);

  const TileGeometry& geometry() const { return geo_; }
  const TileCounters& counters() const { return cnt_; }
  // Test port for checkpoints (chip_state.hpp): sets the counters between samples.
  void restore_counters(const TileCounters& c) { cnt_ = c; }
  bool gathers() const { return geo_.layer >= 1; }

  // Latch state of one cross-point's lines (waveforms).
  bool row_latch(int r) const { return row_flag_[static_cast<size_t>(r)] != 0; }
  bool col_pos_latch(int c) const { return pos_flag_[static_cast<size_t>(c)] != 0; }
  bool col_neg_latch(int c) const { return neg_flag_[static_cast<size_t>(c)] != 0; }

  // The behavioural device beside the tile's digital logic (ssnn/contract/device.hpp): the constants
  // of this tile's cross-points, row-major; empty when the device's pulses are exact.
  const std::vector<DeviceCell>& device_cells() const { return cells_; }

  // The sample's cross-point behaviour and device-noise key (RTL co-simulation).
  const SynapseParams& synapse() const { return syn_; }
  uint64_t device_key() const { return device_key_; }
  // RTL co-simulation: the observer sees every command and every pulse (nullptr: none).
  void set_cosim_observer(CosimObserver* observer) { cosim_ = observer; }

 private:
  void end_of_elaboration() override;
  void on_clock_or_reset();
  void reset_state();
  void raise_ready();
  void take_event(const AerEvent& ev);
  void run_command(Op op);
  void sum_rows_read();  // adds the rows in rows_read_ to acc_fwd_ and clears the list

  const ModelConfig& cfg_;
  TileGeometry geo_;
  std::vector<int32_t> w_;
  std::vector<int32_t> acc_fwd_;  // per column
  // Rows read by forward events and not yet summed into acc_fwd_: summed together (each weight
  // loaded once, kernels::sum_rows) when the sums are taken or before a command changes the array.
  std::vector<int> rows_read_;
  std::vector<int32_t> row_sums_;
  std::vector<int32_t> acc_bwd_;  // per row
  // Latches of the current step (flag vectors and lists of set entries).
  std::vector<uint8_t> row_flag_, pos_flag_, neg_flag_;
  std::vector<int> rows_hit_, pos_hit_, neg_hit_;
  // Spike counts of the sample (rate learning).
  std::vector<int32_t> row_count_, pos_count_, neg_count_;
  SynapseParams syn_{};
  uint64_t device_key_ = 0;
  uint64_t sample_key_ = 0;
  DeviceRule device_{};
  RoundingDivider per_state_{1};  // LSBs per finite state
  std::vector<DeviceCell> cells_;
  bool fwd_read_ = false, bwd_read_ = false;  // an event was read since the last take of the sums
  uint64_t rx_ = 0;
  int busy_left_ = 0;
  int idle_edges_ = 0;  // idle rising edges in a row
  bool ready_high_ = false;  // ready_o driven high since reset
  static constexpr int kIdleEdgesAwake = 2;
  // A command of more cycles sleeps through its countdown (sleeping costs about as much as a few
  // edges awake).
  static constexpr int kBusyEdgesAwake = 4;
  ClockSleep sleep_;
  bool own_process_ = false;
  TileCounters cnt_;
  CosimObserver* cosim_ = nullptr;
  std::unique_ptr<sc_core::sc_event_or_list> idle_wakeup_;  // start_i or valid_i rising, or reset
};

}  // namespace ssnn::sc
