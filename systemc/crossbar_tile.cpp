#include "crossbar_tile.hpp"

#include <algorithm>
#include <string>

#include "chip_config.hpp"
#include "ssnn/contract/seeding.hpp"
#include "ssnn/golden_kernels.hpp"

namespace ssnn::sc {

namespace {
// Cycles of a stochastic update with `rows` latched rows and `cols` latched columns (both > 0). The
// weights are in single-port SRAM: every latched row is read, pulsed in the tile's column lanes and
// written back (2 cycles), and a tile that gathers rewrites its W^T copy's latched columns in the
// same cycles. This is the RTL tile's count (rtl/ssnn_crossbar_tile.sv); an analogue crossbar would
// pulse every cross-point at once in 2 cycles, a digital weight memory cannot (docs/chip.md).
int update_cycles(size_t rows, size_t cols, bool gathers) {
  return 2 * static_cast<int>(std::max(rows, gathers ? cols : size_t{0}));
}
}  // namespace

crossbar_tile::crossbar_tile(const sc_core::sc_module_name& name, const ModelConfig& cfg, TileGeometry geometry,
                             Clocking clocking)
    : command_block(name),
      epoch_i("epoch_i"),
      valid_i("valid_i"),
      event_i("event_i"),
      ready_o("ready_o"),
      rx_count_o("rx_count_o"),
      cfg_(cfg),
      geo_(geometry) {
  const auto r = static_cast<size_t>(geo_.rows);
  const auto c = static_cast<size_t>(geo_.cols);
  w_.assign(r * c, 0);
  acc_fwd_.assign(c, 0);
  acc_bwd_.assign(r, 0);
  row_flag_.assign(r, 0);
  pos_flag_.assign(c, 0);
  neg_flag_.assign(c, 0);
  row_count_.assign(r, 0);
  pos_count_.assign(c, 0);
  neg_count_.assign(c, 0);
  rows_hit_.reserve(r);
  rows_read_.reserve(r);
  row_sums_.assign(c, 0);
  pos_hit_.reserve(c);
  neg_hit_.reserve(c);
  syn_ = cfg_.synapse_params(0, geo_.layer);
  device_ = cfg_.device_rule();
  per_state_ = RoundingDivider(cfg_.state_quantum());
  if (device_.pulses)  // this tile's cross-points of the layer's devices, by their global coordinates
    cells_ = draw_device_block(device_, device_cells_key(cfg_.seed), geo_.layer, geo_.row0, geo_.rows, geo_.col0,
                               geo_.cols, syn_.w_min, syn_.w_max, cfg_.state_quantum());
  // One method per tile (not per cross-point): it runs at every rising edge and at reset, except
  // while the tile is idle (see on_clock_or_reset).  A shared clocking calls clock() instead.
  if (clocking == Clocking::kOwnProcess) {
    own_process_ = true;
    SC_METHOD(on_clock_or_reset);
    sensitive << clk_i.pos() << rst_ni.neg();
  }
}

void crossbar_tile::end_of_elaboration() {
  if (!own_process_) return;
  // Wake-up from sleep: a command or an event is seen at the rising edge after start_i / valid_i
  // rose, which is when the method, back on the clock, runs next.
  idle_wakeup_ = std::make_unique<sc_core::sc_event_or_list>();
  *idle_wakeup_ |= start_i.posedge_event();
  *idle_wakeup_ |= valid_i.posedge_event();
  *idle_wakeup_ |= rst_ni.negedge_event();
  sleep_.bind(clk_i);
}

void crossbar_tile::reset_state() {
  for (auto* v : {&acc_fwd_, &acc_bwd_, &row_count_, &pos_count_, &neg_count_}) std::fill(v->begin(), v->end(), 0);
  for (auto* v : {&row_flag_, &pos_flag_, &neg_flag_}) std::fill(v->begin(), v->end(), 0);
  for (auto* v : {&rows_hit_, &pos_hit_, &neg_hit_, &rows_read_}) v->clear();
  rx_ = 0;
  busy_left_ = 0;
  idle_edges_ = 0;
  fwd_read_ = bwd_read_ = false;
  cnt_ = TileCounters{};
}

bool crossbar_tile::clock(bool rising_edge) {
  if (!rst_ni.read()) {
    reset_state();
    busy_o.write(false);
    ready_o.write(false);
    ready_high_ = false;
    rx_count_o.write(0);
    return false;
  }
  if (rising_edge) return edge(start_i.read(), valid_i.read());
  raise_ready();  // initialization run with reset released
  return false;
}

void crossbar_tile::raise_ready() {
  // The array takes one event per cycle, always: ready_o rises once after reset and stays high.
  if (!ready_high_) {
    ready_o.write(true);
    ready_high_ = true;
  }
}

bool crossbar_tile::edge(bool start, bool valid) {
  raise_ready();
  if (busy_left_ > 0) {
    ++cnt_.busy_cycles;
    if (--busy_left_ == 0) busy_o.write(false);
  }
  if (start) run_command(static_cast<Op>(op_i.read()));
  if (valid) take_event(event_i.read());
  return busy_left_ == 0 && !start && !valid;
}

void crossbar_tile::on_clock_or_reset() {
  if (sleep_.asleep()) {
    // Woken from sleep: by reset, or start_i / valid_i rose (seen at the next rising edge), or a
    // countdown's last edge is next.  The edges slept through only counted the command down: no
    // command or event came at them.
    const auto skipped = static_cast<int>(sleep_.wake());
    if (busy_left_ > 0) {
      sc_assert(skipped < busy_left_);  // the timeout ends the sleep before busy_o falls
      busy_left_ -= skipped;
      cnt_.busy_cycles += static_cast<uint64_t>(skipped);
    }
    if (rst_ni.read()) return;  // back on the clock (wake) for the next rising edge
  }
  const bool rising_edge = rst_ni.read() && clk_i.posedge();
  const bool idle = clock(rising_edge);
  if (!rising_edge) return;
  // Idle (no countdown, no command, no event at this edge): every rising edge until start_i or
  // valid_i rises would change nothing, so the method sleeps until then instead of running at each.
  // Events often come a few edges apart, so it stays on the clock for kIdleEdgesAwake edges first:
  // an idle edge costs less than going to sleep and waking up.  A long countdown (an update) is
  // slept through up to its last edge, where busy_o falls.
  if (!idle) {
    idle_edges_ = 0;
    if (busy_left_ > kBusyEdgesAwake && sleep_.can_sleep())
      sleep_.sleep(*idle_wakeup_, static_cast<uint64_t>(busy_left_ - 1));
  } else if (++idle_edges_ > kIdleEdgesAwake) {
    idle_edges_ = 0;
    sleep_.sleep(*idle_wakeup_);
  }
}

void crossbar_tile::take_event(const AerEvent& ev) {
  ++rx_;
  ++cnt_.events;
  rx_count_o.write(rx_);
  if (ev.kind == SpikeKind::kForward) {
    const int r = ev.neuron - geo_.row0;
    if (r < 0 || r >= geo_.rows) SC_REPORT_ERROR(name(), ("forward event outside the tile's rows: neuron " + std::to_string(ev.neuron)).c_str());
    rows_read_.push_back(r);  // summed into acc_fwd_ by sum_rows_read, before the array changes
    ++cnt_.row_reads;
    fwd_read_ = true;
    if (!row_flag_[static_cast<size_t>(r)]) {
      row_flag_[static_cast<size_t>(r)] = 1;
      rows_hit_.push_back(r);
    }
    ++row_count_[static_cast<size_t>(r)];
  } else {
    const int c = ev.neuron - geo_.col0;
    if (c < 0 || c >= geo_.cols) SC_REPORT_ERROR(name(), ("gradient event outside the tile's columns: neuron " + std::to_string(ev.neuron)).c_str());
    const bool pos = ev.kind == SpikeKind::kGradPos;
    if (gathers()) {
      const int32_t* col = w_.data() + c;
      int32_t* acc = acc_bwd_.data();
      const auto stride = static_cast<size_t>(geo_.cols);
      if (pos) {
        for (int i = 0; i < geo_.rows; ++i) acc[i] += col[static_cast<size_t>(i) * stride];
      } else {
        for (int i = 0; i < geo_.rows; ++i) acc[i] -= col[static_cast<size_t>(i) * stride];
      }
      ++cnt_.col_reads;
      bwd_read_ = true;
    } else {
      ++cnt_.col_latches;
    }
    const auto uc = static_cast<size_t>(c);
    if (pos) {
      if (!pos_flag_[uc]) {
        pos_flag_[uc] = 1;
        pos_hit_.push_back(c);
      }
      ++pos_count_[uc];
    } else {
      if (!neg_flag_[uc]) {
        neg_flag_[uc] = 1;
        neg_hit_.push_back(c);
      }
      ++neg_count_[uc];
    }
  }
}

void crossbar_tile::sum_rows_read() {
  if (rows_read_.empty()) return;
  kernels::sum_rows(row_sums_.data(), w_.data(), static_cast<size_t>(geo_.cols), rows_read_.data(), rows_read_.size(),
                    geo_.cols);
  kernels::add_row(acc_fwd_.data(), row_sums_.data(), geo_.cols);
  rows_read_.clear();
}

void crossbar_tile::set_weight(int r, int c, int32_t v) {
  sum_rows_read();
  w_[static_cast<size_t>(r) * static_cast<size_t>(geo_.cols) + static_cast<size_t>(c)] = v;
}

void crossbar_tile::run_command(Op op) {
  int cost = 1;
  sum_rows_read();  // the rows read so far, as they were before a command changes them
  const bool learn = learn_i.read();
  switch (op) {
    case Op::kSampleBegin: {
      std::fill(row_count_.begin(), row_count_.end(), 0);
      std::fill(pos_count_.begin(), pos_count_.end(), 0);
      std::fill(neg_count_.begin(), neg_count_.end(), 0);
      syn_ = cfg_.synapse_params(static_cast<int>(epoch_i.read()), geo_.layer);
      sample_key_ = sample_key_i.read();
      device_key_ = sample_key_ ^ (stream::kDeviceBase + static_cast<uint64_t>(geo_.layer));
      if (cosim_) cosim_->tile_sample_begin(*this);
      break;
    }
    case Op::kStepEnd: {
      const bool stochastic = learn && cfg_.update_mode == UpdateMode::kStochastic;
      size_t cols_hit = pos_hit_.size();  // columns with a dp or a dn latch
      for (int c : neg_hit_) cols_hit += pos_flag_[static_cast<size_t>(c)] ? 0 : 1;
      const bool coincidence = !rows_hit_.empty() && cols_hit > 0;
      if (stochastic && coincidence) {
        const auto t = step_i.read();
        const auto stride = static_cast<size_t>(geo_.cols);
        // Every cross-point in parallel: the row line carries x, the column lines dp / dn.
        if (device_.pulses) {
          // The behavioural device decides how far each pulse moves its cross-point (the RTL
          // co-simulation refuses a device model: its coincidence unit is the exact pulse).
          const uint64_t pulse_key = device_pulse_key(sample_key_, geo_.layer, t);
          for (int r : rows_hit_) {
            int32_t* row = w_.data() + static_cast<size_t>(r) * stride;
            const DeviceCell* cell = cells_.data() + static_cast<size_t>(r) * stride;
            const int gr = geo_.row0 + r;
            for (int c : pos_hit_)
              row[c] = device_pulse(device_, cell[c], pulse_key, gr, geo_.col0 + c, row[c], syn_.pulse_up, true, per_state_);
            for (int c : neg_hit_)
              row[c] = device_pulse(device_, cell[c], pulse_key, gr, geo_.col0 + c, row[c], syn_.pulse_down, false, per_state_);
          }
        } else if (!cosim_ && syn_.pulse_noise == 0) {
          // The same pulses without noise words or an observer to tell (no per-pulse checks).
          const SynapseParams syn = syn_;  // a local copy: the weight stores cannot alias it
          const size_t n_rows = rows_hit_.size();
          for (size_t k = 0; k < n_rows; ++k) {
            int32_t* row = w_.data() + static_cast<size_t>(rows_hit_[k]) * stride;
            // The pulsed weights are scattered over the array: fetch the next row's while this one's
            // are updated, so their misses overlap.
            const int32_t* next = w_.data() + static_cast<size_t>(rows_hit_[k + 1 < n_rows ? k + 1 : k]) * stride;
            for (int c : pos_hit_) {
              __builtin_prefetch(next + c, 1);
              row[c] = coincidence_update(syn, row[c], true, true, false, 0u);
            }
            for (int c : neg_hit_) {
              __builtin_prefetch(next + c, 1);
              row[c] = coincidence_update(syn, row[c], true, false, true, 0u);
            }
          }
        } else {
          for (int r : rows_hit_) {
            int32_t* row = w_.data() + static_cast<size_t>(r) * stride;
            const auto gr = static_cast<uint32_t>(geo_.row0 + r);
            for (int c : pos_hit_) {
              const uint32_t word = syn_.pulse_noise ? device_noise_word(device_key_, t, gr, static_cast<uint32_t>(geo_.col0 + c)) : 0u;
              const int32_t before = row[c];
              row[c] = coincidence_update(syn_, before, true, true, false, word);
              if (cosim_) cosim_->tile_pulse(*this, static_cast<int>(t), r, c, true, before, row[c], word);
            }
            for (int c : neg_hit_) {
              const uint32_t word = syn_.pulse_noise ? device_noise_word(device_key_, t, gr, static_cast<uint32_t>(geo_.col0 + c)) : 0u;
              const int32_t before = row[c];
              row[c] = coincidence_update(syn_, before, true, false, true, word);
              if (cosim_) cosim_->tile_pulse(*this, static_cast<int>(t), r, c, false, before, row[c], word);
            }
          }
        }
        cnt_.pulses_up += rows_hit_.size() * pos_hit_.size();
        cnt_.pulses_down += rows_hit_.size() * neg_hit_.size();
        const uint64_t halves = uint64_t{!pos_hit_.empty()} + uint64_t{!neg_hit_.empty()};
        cnt_.update_row_drives += rows_hit_.size() * halves;
        cnt_.update_col_drives += pos_hit_.size() + neg_hit_.size();
        cnt_.update_row_cells += rows_hit_.size() * halves * static_cast<uint64_t>(geo_.cols);
        cnt_.update_col_cells += (pos_hit_.size() + neg_hit_.size()) * static_cast<uint64_t>(geo_.rows);
      }
      if (stochastic && coincidence) cost = update_cycles(rows_hit_.size(), cols_hit, gathers());
      if (cosim_) cosim_->tile_step_end(*this, static_cast<int>(step_i.read()), learn);
      for (int r : rows_hit_) row_flag_[static_cast<size_t>(r)] = 0;
      for (int c : pos_hit_) pos_flag_[static_cast<size_t>(c)] = 0;
      for (int c : neg_hit_) neg_flag_[static_cast<size_t>(c)] = 0;
      rows_hit_.clear();
      pos_hit_.clear();
      neg_hit_.clear();
      break;
    }
    case Op::kSampleEnd: {
      if (learn && cfg_.update_mode == UpdateMode::kRate) {
        // The stochastic update's passes over the rows and columns that spiked (update_cycles), with
        // the rate arithmetic in the lanes (rtl/ssnn_rate_lane.sv).
        std::vector<int>& cols = pos_hit_;  // latches are clear at the end of a sample: reuse the list
        cols.clear();
        for (int c = 0; c < geo_.cols; ++c)
          if (pos_count_[static_cast<size_t>(c)] != 0 || neg_count_[static_cast<size_t>(c)] != 0) cols.push_back(c);
        uint64_t active_rows = 0;
        if (!cols.empty()) {
          const auto stride = static_cast<size_t>(geo_.cols);
          const RoundingDivider per_timestep(cfg_.timesteps);
          for (int r = 0; r < geo_.rows; ++r) {
            const int32_t nx = row_count_[static_cast<size_t>(r)];
            if (nx == 0) continue;
            ++active_rows;
            int32_t* row = w_.data() + static_cast<size_t>(r) * stride;
            for (int c : cols)
              row[c] = rate_update(syn_, row[c], nx, pos_count_[static_cast<size_t>(c)], neg_count_[static_cast<size_t>(c)],
                                   per_timestep);
          }
          cnt_.rate_updates += cols.size() * active_rows;  // cross-points with a row and a column spike
        }
        if (active_rows > 0) cost = update_cycles(active_rows, cols.size(), gathers());
        cols.clear();
      }
      break;
    }
    default:
      break;
  }
  busy_left_ = cost;
  busy_o.write(true);
}

namespace {
// Adds the accumulators to the bus words at `out` and clears them; returns whether an event was read
// since the last take (and clears that too).  Without one, the accumulators hold zeros: nothing to do.
bool take_sums(std::vector<int32_t>& acc, int32_t* out, bool& read_since) {
  if (!read_since) return false;
  kernels::add_row(out, acc.data(), static_cast<int>(acc.size()));
  std::fill(acc.begin(), acc.end(), 0);
  read_since = false;
  return true;
}
}  // namespace

bool crossbar_tile::take_forward_sums(int32_t* dst) {
  sum_rows_read();
  return take_sums(acc_fwd_, dst + geo_.col0, fwd_read_);
}

bool crossbar_tile::take_backward_sums(int32_t* dst) { return take_sums(acc_bwd_, dst + geo_.row0, bwd_read_); }

}  // namespace ssnn::sc
