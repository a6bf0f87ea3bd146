// The widths of the shipped models (models/*.ckpt: 19-bit weights, 28-bit charge and potential), defined
// once, so the RTL is checked at them too: rtl/gen/gen_rtl_constants.cpp writes them into
// rtl/cmake/SsnnWidths.cmake (test rtl_constants_in_sync) for the Verilator parameters of the RTL
// tests (the rate lane at the shipped weight width, tb/rtl/test_rtl_rate_lane.cpp).
#pragma once

namespace ssnn {

constexpr int kShippedWeightBits = 19;
constexpr int kShippedChargeBits = 28;
constexpr int kShippedPotentialBits = 28;

}  // namespace ssnn
