#include "chip_controller.hpp"

#include <cmath>

namespace ssnn::sc {

chip_controller::chip_controller(const sc_core::sc_module_name& name, const ModelConfig& cfg, int num_tiles)
    : host_interface(name),
      op_o("op_o"),
      enc_start_o("enc_start_o"),
      core_start_o("core_start_o", static_cast<size_t>(cfg.layers())),
      tile_start_o("tile_start_o"),
      step_o("step_o"),
      learn_o("learn_o"),
      epoch_o("epoch_o"),
      sample_key_o("sample_key_o"),
      phase_o("phase_o"),
      layer_o("layer_o"),
      enc_busy_i("enc_busy_i"),
      core_busy_i("core_busy_i", static_cast<size_t>(cfg.layers())),
      tile_busy_i("tile_busy_i", static_cast<size_t>(num_tiles)),
      tx_expected_i("tx_expected_i", static_cast<size_t>(cfg.layers()) + 1),
      rx_count_i("rx_count_i", static_cast<size_t>(num_tiles)),
      cfg_(cfg),
      num_tiles_(num_tiles) {
  // A clocked thread (as SC_CTHREAD) that may also sleep until a block's busy flag falls.
  SC_THREAD(run);
  sensitive << clk_i.pos();
  dont_initialize();
  async_reset_signal_is(rst_ni, false);
}

void chip_controller::end_of_elaboration() {
  if (const auto* clock = dynamic_cast<const sc_core::sc_clock*>(clk_i.get_interface())) period_ = clock->period();
}

void chip_controller::sleep_until_low(const sc_core::sc_in<bool>& busy, CtrlPhase phase) {
  if (period_ == sc_core::SC_ZERO_TIME) {
    tick(phase);
    return;
  }
  const sc_core::sc_time from = sc_core::sc_time_stamp();
  wait(busy.negedge_event());
  if (!clk_i.posedge()) wait();
  const auto edges = static_cast<uint64_t>(std::llround((sc_core::sc_time_stamp() - from) / period_));
  cnt_.cycles += edges;
  cnt_.phase_cycles[static_cast<size_t>(phase)] += edges;
}

void chip_controller::reset_outputs() {
  busy_o.write(false);
  op_o.write(static_cast<uint32_t>(Op::kNone));
  enc_start_o.write(false);
  for (auto& s : core_start_o) s.write(false);
  tile_start_o.write(false);
  step_o.write(0);
  learn_o.write(false);
  epoch_o.write(0);
  sample_key_o.write(0);
  phase_o.write(static_cast<uint32_t>(CtrlPhase::kIdle));
  layer_o.write(0);
  phase_ = CtrlPhase::kIdle;
  cnt_ = ControllerCounters{};
}

bool chip_controller::drained() const {
  uint64_t tx = 0;
  for (const auto& p : tx_expected_i) tx += p.read();
  uint64_t rx = 0;
  for (const auto& p : rx_count_i) rx += p.read();
  return tx == rx;
}

void chip_controller::tick(CtrlPhase phase) {
  wait();
  ++cnt_.cycles;
  ++cnt_.phase_cycles[static_cast<size_t>(phase)];
}

void chip_controller::run_phase(CtrlPhase phase, int layer, Op op, bool enc, int core_layer, bool tiles) {
  phase_ = phase;
  phase_o.write(static_cast<uint32_t>(phase));
  layer_o.write(static_cast<uint32_t>(layer));
  op_o.write(static_cast<uint32_t>(op));
  if (enc) enc_start_o.write(true);
  if (core_layer > 0) core_start_o[static_cast<size_t>(core_layer - 1)].write(true);
  if (tiles) tile_start_o.write(true);
  tick(phase);  // the blocks take the command at this edge
  if (enc) enc_start_o.write(false);
  if (core_layer > 0) core_start_o[static_cast<size_t>(core_layer - 1)].write(false);
  if (tiles) tile_start_o.write(false);
  tick(phase);  // their busy flags are visible from here on
  for (;;) {
    // While the started encoder or core is busy nothing else can end the phase: sleep until its
    // flag falls instead of looking at every edge.
    if (enc && enc_busy_i.read()) {
      sleep_until_low(enc_busy_i, phase);
      continue;
    }
    if (core_layer > 0 && core_busy_i[static_cast<size_t>(core_layer - 1)].read()) {
      sleep_until_low(core_busy_i[static_cast<size_t>(core_layer - 1)], phase);
      continue;
    }
    // Likewise for the tiles' commands (an update takes tens of cycles): until the busy tile found
    // first is done, then the next one still busy, if any.
    const sc_core::sc_in<bool>* busy_tile = nullptr;
    if (tiles)
      for (const auto& b : tile_busy_i)
        if (b.read()) {
          busy_tile = &b;
          break;
        }
    if (busy_tile != nullptr) {
      sleep_until_low(*busy_tile, phase);
      continue;
    }
    if (drained()) break;
    tick(phase);
  }
}

void chip_controller::run() {
  reset_outputs();
  wait();
  const int L = cfg_.layers();
  for (;;) {
    if (!start_i.read()) {
      tick(CtrlPhase::kIdle);
      continue;
    }
    busy_o.write(true);
    const bool learn = learn_i.read();
    const auto sample_phase = static_cast<ssnn::Phase>(sample_phase_i.read());
    const uint32_t epoch = epoch_i.read();
    sample_key_o.write(sample_key(cfg_.seed, sample_phase, epoch, index_i.read()));
    learn_o.write(learn);
    epoch_o.write(epoch);
    step_o.write(0);
    // Sample setup: every block at once.
    phase_ = CtrlPhase::kSetup;
    phase_o.write(static_cast<uint32_t>(CtrlPhase::kSetup));
    op_o.write(static_cast<uint32_t>(Op::kSampleBegin));
    enc_start_o.write(true);
    for (auto& s : core_start_o) s.write(true);
    tile_start_o.write(true);
    tick(CtrlPhase::kSetup);
    enc_start_o.write(false);
    for (auto& s : core_start_o) s.write(false);
    tile_start_o.write(false);
    tick(CtrlPhase::kSetup);
    for (;;) {
      bool busy = enc_busy_i.read();
      for (const auto& b : core_busy_i) busy = busy || b.read();
      for (const auto& b : tile_busy_i) busy = busy || b.read();
      if (!busy) break;
      tick(CtrlPhase::kSetup);
    }
    for (int t = 0; t < cfg_.timesteps; ++t) {
      step_o.write(static_cast<uint32_t>(t));
      run_phase(CtrlPhase::kEncode, 0, Op::kForward, true, 0, false);
      for (int l = 1; l <= L; ++l) run_phase(CtrlPhase::kForward, l, Op::kForward, false, l, false);
      if (learn) {
        run_phase(CtrlPhase::kError, L, Op::kError, false, L, false);
        for (int l = L - 1; l >= 1; --l) run_phase(CtrlPhase::kBackward, l, Op::kBackward, false, l, false);
      }
      run_phase(CtrlPhase::kUpdate, 0, Op::kStepEnd, false, 0, true);
      phase_ = CtrlPhase::kBarrier;
      phase_o.write(static_cast<uint32_t>(CtrlPhase::kBarrier));
      ++cnt_.steps;
      if (step_hook_) step_hook_(t);
      tick(CtrlPhase::kBarrier);
    }
    // End of sample: rate updates in the tiles, prediction in the output core (in parallel).
    phase_ = CtrlPhase::kSampleEnd;
    phase_o.write(static_cast<uint32_t>(CtrlPhase::kSampleEnd));
    op_o.write(static_cast<uint32_t>(Op::kSampleEnd));
    core_start_o[static_cast<size_t>(L - 1)].write(true);
    tile_start_o.write(true);
    tick(CtrlPhase::kSampleEnd);
    core_start_o[static_cast<size_t>(L - 1)].write(false);
    tile_start_o.write(false);
    tick(CtrlPhase::kSampleEnd);
    for (;;) {
      bool busy = core_busy_i[static_cast<size_t>(L - 1)].read();
      for (const auto& b : tile_busy_i) busy = busy || b.read();
      if (!busy) break;
      tick(CtrlPhase::kSampleEnd);
    }
    ++cnt_.samples;
    op_o.write(static_cast<uint32_t>(Op::kNone));
    phase_ = CtrlPhase::kIdle;
    phase_o.write(static_cast<uint32_t>(CtrlPhase::kIdle));
    busy_o.write(false);
    tick(CtrlPhase::kIdle);
  }
}

}  // namespace ssnn::sc
