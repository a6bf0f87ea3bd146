// Command codes, phase names and the column-sum bus interface shared by the chip's modules.
#pragma once

#include <array>
#include <cstdint>

#include <systemc>

namespace ssnn::sc {

// Operation a module runs when its start line is pulsed (op_i holds the code for that cycle).
enum class Op : uint32_t {
  kNone = 0,
  kSampleBegin = 1,  // clear neuron state, load seeds and dropout masks, clear latches and counts
  kForward = 2,      // encoder: draw this step's input spikes; core: forward neurons of its layer
  kError = 3,        // output core: error neurons (eq. 6-7)
  kBackward = 4,     // hidden core: gradient neurons (eq. 4-5)
  kStepEnd = 5,      // tiles: AND-gate pulse update (stochastic learning), clear row/column latches
  kSampleEnd = 6,    // tiles: rate update (rate learning); output core: prediction
};

// Phases of the controller's schedule; every cycle of a run is charged to exactly one of them.
enum class CtrlPhase : uint32_t {
  kIdle = 0,     // waiting for the host
  kSetup,        // per-sample seed loading, dropout masks, state clear
  kEncode,       // encoders draw input spikes and route them to the first tiles
  kForward,      // a core integrates its column sums, fires, routes its spikes up
  kError,        // output error neurons fire, route their spikes to the last tiles
  kBackward,     // a hidden core's gradient neurons fire, route their spikes down
  kUpdate,       // AND-gate pulses at every cross-point, latches cleared
  kBarrier,      // end of the timestep
  kSampleEnd,    // rate updates and the prediction
  kCount
};

constexpr std::array<const char*, static_cast<size_t>(CtrlPhase::kCount)> kPhaseNames{
    "idle", "setup", "encode", "forward", "error", "backward", "update", "barrier", "sample_end"};

inline const char* to_string(CtrlPhase p) { return kPhaseNames[static_cast<size_t>(p)]; }

// The column-sum bus between a crossbar tile and a neuron core.  A core gathers the wide partial
// sums of the tiles it is bound to, lanes words per cycle through an adder tree (its cost is part
// of the core's phase, see neuron_core); reading clears the tile's accumulators, as a
// read-and-clear register file does.
class tile_sum_if : public virtual sc_core::sc_interface {
 public:
  virtual int row_offset() const = 0;
  virtual int col_offset() const = 0;
  virtual int num_rows() const = 0;
  virtual int num_cols() const = 0;
  // Adds the forward sums (one per column) into dst[col_offset() ..] and clears them.  Returns
  // whether the array was read since the last take (an input event arrived): the core's line
  // readout adds the device's read noise only then.
  virtual bool take_forward_sums(int32_t* dst) = 0;
  // Adds the backward sums W^T(dp - dn) (one per row) into dst[row_offset() ..] and clears them;
  // returns whether a gradient event was read since the last take.
  virtual bool take_backward_sums(int32_t* dst) = 0;
};

}  // namespace ssnn::sc
