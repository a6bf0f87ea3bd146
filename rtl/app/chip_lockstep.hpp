// ChipLockstep: the RTL chip and the SystemC chip run one sample side by side, one clock edge at a
// time, compared at every edge; the first disagreement names the cycle, the block and the signal.
#pragma once

#include <cstdint>
#include <string>

#include "chip_harness.hpp"
#include "counter_compare.hpp"
#include "rtl_chip.hpp"
#include "ssnn/contract/sample.hpp"

namespace ssnn::rtl {

// The first edge at which the chips disagree: one line naming the cycle, the block and the signal.
struct LockstepMismatch : MismatchError {
  using MismatchError::MismatchError;
};

struct LockstepResult {
  SampleResult rtl, systemc;
  uint64_t cycles = 0;  // busy cycles of the sample
};

class ChipLockstep {
 public:
  ChipLockstep(RtlChip& rtl, sc::ChipHarness& systemc) : rtl_(rtl), sc_(systemc) {}
  // One sample in both chips (each gets its own pixels: a corrupted RTL input is a test of this
  // check); `where` names the sample in a mismatch. Throws MismatchError at the first cycle where
  // the chips disagree.
  LockstepResult run_sample(const uint8_t* rtl_pixels, const uint8_t* sc_pixels, int label, const SampleSpec& spec,
                            const std::string& where);
  uint64_t run_cycles() const { return run_cycles_; }  // busy cycles compared so far

 private:
  RtlChip& rtl_;
  sc::ChipHarness& sc_;
  uint64_t run_cycles_ = 0;
};

}  // namespace ssnn::rtl
