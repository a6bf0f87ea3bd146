// The widths of the shipped models (models/*.ckpt: 19-bit weights, 28-bit charge and potential), defined
// once. The RTL chip is verilated at these widths as well as the defaults (widths.hpp), so the shipped
// models can be checked in RTL: rtl/gen/gen_rtl_constants.cpp writes them into
// rtl/cmake/SsnnWidths.cmake (test rtl_constants_in_sync).
#pragma once

namespace ssnn {

constexpr int kShippedWeightBits = 19;
constexpr int kShippedChargeBits = 28;
constexpr int kShippedPotentialBits = 28;

}  // namespace ssnn
