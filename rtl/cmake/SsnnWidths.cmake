# The chip's default widths (and the shipped models') for Verilator parameters (-G), used by
# rtl/CMakeLists.txt.
# GENERATED from sw/include/ssnn/contract/widths.hpp and shipped_widths.hpp by
# rtl/gen/gen_rtl_constants.cpp: do not edit; run `cmake --build build --target rtl_constants`
# (test rtl_constants_in_sync).
set(SSNN_WEIGHT_BITS 16)
set(SSNN_CHARGE_BITS 24)
set(SSNN_POTENTIAL_BITS 24)
set(SSNN_INPUT_BITS 31)
set(SSNN_NOISE_BITS 4)
set(SSNN_NUM_OUTPUTS 10)
# The shipped models' widths (models/*.ckpt).
set(SSNN_SHIPPED_WEIGHT_BITS 19)
set(SSNN_SHIPPED_CHARGE_BITS 28)
set(SSNN_SHIPPED_POTENTIAL_BITS 28)
