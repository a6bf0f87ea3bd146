// CosimObserver: the behavioural blocks' commands as an RTL co-simulation sees them (systemc/cosim).
//
// Each call happens in the clock edge at which a block takes a command, after the block has
// computed the command's results: the observer gets the command's inputs and reads the block's new
// state (the reference the RTL units must reproduce) through the blocks' const accessors.  An
// observer never changes a block, so the chip's results and cycle counts are the same with or
// without one; with none set (the default) every call site is a single null-pointer test.
#pragma once

#include <cstdint>

namespace ssnn::sc {

class spike_encoder;
class neuron_core;
class crossbar_tile;

class CosimObserver {
 public:
  virtual ~CosimObserver() = default;

  // Encoder, kSampleBegin: every pixel LFSR and the label LFSR hold their stream seed, the input
  // dropout mask is drawn.
  virtual void encoder_sample_begin(const spike_encoder& /*enc*/, uint64_t /*sample_key*/) {}
  // Encoder, kForward: step t's draws are done (pixel probability ramp `ramp_q16`); the label LFSR
  // drew too when `label_drawn` (learning samples).
  virtual void encoder_forward(const spike_encoder& /*enc*/, int /*t*/, uint32_t /*ramp_q16*/, bool /*label_drawn*/) {}

  // Core, kSampleBegin: every neuron cleared, dropout mask drawn.
  virtual void core_sample_begin(const neuron_core& /*core*/) {}
  // Core, kForward: `input` is the step input each forward neuron received (hidden: after the
  // dropout gate), `theta` the forward threshold, `theta_gate` the potential that opens the gradient
  // gate (hidden; the output core passes theta).  Output core: `pre_wta_potential` holds the
  // potentials after the integration and before the winner-take-all, which fired `winners`
  // outputs with `inhibition` (0: WTA off); hidden cores pass nullptr and 0.
  virtual void core_forward(const neuron_core& /*core*/, const int32_t* /*input*/, int32_t /*theta*/, int32_t /*theta_gate*/,
                            const int32_t* /*pre_wta_potential*/, int32_t /*inhibition*/, int /*winners*/) {}
  // Output core, kError: `label` is the class of this step's target spike (-1: none).
  virtual void core_error(const neuron_core& /*core*/, int /*label*/, int32_t /*theta_err*/) {}
  // Hidden core, kBackward: `input` is W^T (dp - dn) per neuron.
  virtual void core_backward(const neuron_core& /*core*/, const int32_t* /*input*/, int32_t /*theta_grad*/) {}

  // Tile, kSampleBegin: the sample's synapse parameters and device-noise key are loaded.
  virtual void tile_sample_begin(const crossbar_tile& /*tile*/) {}
  // Tile, kStepEnd (stochastic learning): one coincidence pulse at tile-local (row, col), up (dp)
  // or down (dn), with its device-noise word and the weight before and after.
  virtual void tile_pulse(const crossbar_tile& /*tile*/, int /*t*/, int /*row*/, int /*col*/, bool /*up*/,
                          int32_t /*before*/, int32_t /*after*/, uint32_t /*noise_word*/) {}
  // Tile, kStepEnd: after the pulses, before the row and column latches are cleared.
  virtual void tile_step_end(const crossbar_tile& /*tile*/, int /*t*/, bool /*learn*/) {}
};

}  // namespace ssnn::sc
