#!/usr/bin/env bash
# Waveforms of the RTL units inside the co-simulated chip: a short MNIST training run with every RTL
# unit in place (ssnn_chip_tb --rtl all) traces hidden neuron 0 of core 1 (Verilator FST,
# build/waves/cosim_rtl_neuron.fst) and a dedicated coincidence unit for the cross-point of input
# pixel 406 (the image centre) and hidden neuron 0 (cosim_rtl_crosspoint.fst), beside the behavioural
# chip's own waveform (cosim.fst), over two training samples; then takes headless GTKWave screenshots
# of the rtl/gtkw/ views into docs/img/cosim_neuron.png and docs/img/cosim_crosspoint.png.
# Usage: scripts/cosim_waves.sh [build folder, default build]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
BUILD="$(cd "${1:-$REPO/build}" && pwd)"
WAVES="$BUILD/waves"
IMG="$REPO/docs/img"
mkdir -p "$WAVES" "$IMG"

"$BUILD/bin/ssnn_chip_tb" --dataset subset --hidden 32 --timesteps 16 \
  --train-samples 12 --test-samples 1 --no-progress --tile-rows 0 --tile-cols 0 --rtl all \
  --trace "$WAVES/cosim.fst" --trace-samples 10:12 --trace-blocks ctrl,core1,tile0 --trace-neuron 0 --trace-xpoint 406,0 \
  | grep -E "rtl co-simulation|RTL waveform"

SHOT="$REPO/scripts/gtkwave_shot.sh"
"$SHOT" "$REPO/rtl/gtkw/rtl_neuron.gtkw" "$WAVES/cosim_rtl_neuron.fst" "$IMG/cosim_neuron.png"
"$SHOT" "$REPO/rtl/gtkw/rtl_crosspoint.gtkw" "$WAVES/cosim_rtl_crosspoint.fst" "$IMG/cosim_crosspoint.png"
