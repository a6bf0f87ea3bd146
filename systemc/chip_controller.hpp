// chip_controller: sequences a sample's phases, the barrier between timesteps, and counts cycles.
//
// Host side: the host writes the sample descriptor (learn, phase, epoch, index) and holds start_i
// until busy_o rises (it must drop start_i before the sample ends); busy_o stays high until the
// prediction is on the output core's prediction_o.
// Per sample: kSetup (sample key = sample_key(seed, phase, epoch, index) on sample_key_o, every
// block clears its state and loads its seeds and masks), then per step t: kEncode, kForward for
// layers 1..L, and when learning kError and kBackward for layers L-1..1, then kUpdate and kBarrier;
// at the end kSampleEnd.  A phase ends when the blocks it started are no longer busy and every
// event they sent has been taken by its tiles (sum of the sources' tx_expected == sum of the
// tiles' rx_count): nothing of step t can leak into step t + 1.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include <systemc>

#include "chip_types.hpp"
#include "host_interface.hpp"
#include "ssnn/config.hpp"
#include "ssnn/contract/seeding.hpp"

namespace ssnn::sc {

struct ControllerCounters {
  std::array<uint64_t, static_cast<size_t>(CtrlPhase::kCount)> phase_cycles{};  // cycles per phase kind
  uint64_t cycles = 0;   // cycles since reset (including idle)
  uint64_t samples = 0;  // samples completed
  uint64_t steps = 0;    // timesteps completed
};

// The host interface (host_interface.hpp) in front, the command bus behind.
class chip_controller : public host_interface {
 public:
  // Command bus.
  sc_core::sc_out<uint32_t> op_o;
  sc_core::sc_out<bool> enc_start_o;
  sc_core::sc_vector<sc_core::sc_out<bool>> core_start_o;  // cores of layers 1..L
  sc_core::sc_out<bool> tile_start_o;                       // all tiles
  sc_core::sc_out<uint32_t> step_o;
  sc_core::sc_out<bool> learn_o;
  sc_core::sc_out<uint32_t> epoch_o;
  sc_core::sc_out<uint64_t> sample_key_o;
  sc_core::sc_out<uint32_t> phase_o;  // current CtrlPhase (waveforms)
  sc_core::sc_out<uint32_t> layer_o;  // layer of the current phase (waveforms)
  // Status.
  sc_core::sc_in<bool> enc_busy_i;
  sc_core::sc_vector<sc_core::sc_in<bool>> core_busy_i;
  sc_core::sc_vector<sc_core::sc_in<bool>> tile_busy_i;
  sc_core::sc_vector<sc_core::sc_in<uint64_t>> tx_expected_i;  // per router input
  sc_core::sc_vector<sc_core::sc_in<uint64_t>> rx_count_i;     // per tile

  SC_HAS_PROCESS(chip_controller);
  chip_controller(const sc_core::sc_module_name& name, const ModelConfig& cfg, int num_tiles);

  const ControllerCounters& counters() const { return cnt_; }
  // Test port for checkpoints (chip_state.hpp): sets the counters between samples.
  void restore_counters(const ControllerCounters& c) { cnt_ = c; }
  CtrlPhase phase() const { return phase_; }

  // Called at every barrier with the step index, after the step's updates landed.
  void set_step_hook(std::function<void(int)> hook) { step_hook_ = std::move(hook); }

 private:
  void run();
  void reset_outputs();
  // Pulses the start lines for one cycle with `op`, then waits until the blocks are idle and the
  // fabric has drained; charges every cycle to `phase`.
  void run_phase(CtrlPhase phase, int layer, Op op, bool enc, int core_layer, bool tiles);
  bool drained() const;
  void tick(CtrlPhase phase);
  // Waits until `busy` has fallen, then for the next rising edge, charging the edges to `phase`:
  // the same edge and the same count as ticking until busy reads low.
  void sleep_until_low(const sc_core::sc_in<bool>& busy, CtrlPhase phase);
  void end_of_elaboration() override;

  const ModelConfig& cfg_;
  const int num_tiles_;
  ControllerCounters cnt_;
  CtrlPhase phase_ = CtrlPhase::kIdle;
  std::function<void(int)> step_hook_;
  sc_core::sc_time period_ = sc_core::SC_ZERO_TIME;  // of the clock, when it is an sc_clock (else: tick)
};

}  // namespace ssnn::sc
