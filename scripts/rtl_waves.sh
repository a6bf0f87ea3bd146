#!/usr/bin/env bash
# RTL waveforms and their headless GTKWave screenshots (docs/img/):
# - the units: the SystemC smoke test (bin/rtl_sc_smoke) traces one composite neuron and one
#   cross-point to FST (views rtl/gtkw/rtl_neuron.gtkw, rtl_crosspoint.gtkw);
# - the RTL chip (bin/ssnn_rtl_chip_tb --trace): every signal of ssnn_chip_top over one sample, for the
#   presets rtl/gtkw/rtl_chip_{neuron,crossbar,router}.gtkw (the SystemC chip's presets' groups; the
#   first lines of each preset repeat the command below that makes its trace).
# Usage: scripts/rtl_waves.sh [build folder, default build]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
BUILD="$(cd "${1:-$REPO/build}" && pwd)"
WAVES="$BUILD/waves"
IMG="$REPO/docs/img"
mkdir -p "$WAVES" "$IMG"
SHOT="$REPO/scripts/gtkwave_shot.sh"

SSNN_WAVE_DIR="$WAVES" "$BUILD/bin/rtl_sc_smoke" > /dev/null

# The neuron over its first two samples, the cross-point over the whole run (ps).
"$SHOT" "$REPO/rtl/gtkw/rtl_neuron.gtkw" "$WAVES/rtl_neuron.fst" "$IMG/rtl_neuron.png" 0 10050000
"$SHOT" "$REPO/rtl/gtkw/rtl_crosspoint.gtkw" "$WAVES/rtl_crosspoint.fst" "$IMG/rtl_crosspoint.png" 0 38200000

# The RTL chip: training sample 1 of 784-32-10 (the verilated mnist_32 chip: 196 x 16 tiles, 32
# lanes) for the neuron and crossbar presets; 784-24-12-10 behind the stalling router (mnist_deep:
# FIFO depth 4, one event per cycle, 8 lanes) for the router preset.
RTL_TB="$BUILD/bin/ssnn_rtl_chip_tb"
RUN=(-T 16 --train-samples 4 --test-samples 2 --no-progress --check none --trace-samples 1:2)
span() { sed -n 's/^trace: .*, samples [0-9:]*, \([0-9]*\)\.\.\([0-9]*\) ps$/\1 \2/p'; }  # the traced times
read -r from to < <("$RTL_TB" --hidden 32 --tile-rows 196 --tile-cols 16 "${RUN[@]}" --trace "$WAVES/rtl_chip.fst" | span)
read -r rfrom rto < <("$RTL_TB" --hidden 24,12 --tile-rows 196 --tile-cols 16 --lanes 8 --fifo-depth 4 --events-per-cycle 1 \
  "${RUN[@]}" --trace "$WAVES/rtl_chip_router.fst" | span)
ls -l "$WAVES"/rtl_chip*.fst
# A traced sample begins with the host's 784 pixel writes (784 cycles of 5 ns at 200 MHz); the
# views show what follows: the first timesteps (crossbar, neuron), the whole run (router).
busy=$((from + 790 * 5000)) rbusy=$((rfrom + 790 * 5000))
for view in crossbar neuron; do
  SSNN_SHOT_SCREEN=1280x900x24 "$SHOT" "$REPO/rtl/gtkw/rtl_chip_$view.gtkw" "$WAVES/rtl_chip.fst" \
    "$IMG/rtl_chip_${view}_wave.png" "$busy" $((busy + (to - busy) / 3))
done
SSNN_SHOT_SCREEN=1280x900x24 "$SHOT" "$REPO/rtl/gtkw/rtl_chip_router.gtkw" "$WAVES/rtl_chip_router.fst" \
  "$IMG/rtl_chip_router_wave.png" "$rbusy" "$rto"
