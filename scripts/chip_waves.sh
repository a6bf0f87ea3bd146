#!/usr/bin/env bash
# Waveforms of the SystemC chip: runs the three trace presets of systemc/gtkw/ (neuron,
# crossbar, router) into build/waves/*.fst and, with --screenshot, renders the crossbar preset
# headless into docs/img/chip_crossbar_wave.png (Xvfb + GTKWave, see docs/toolchain.md).
# Open a trace with: gtkwave build/waves/neuron.fst systemc/gtkw/neuron.gtkw
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
OUT="$BUILD/waves"
mkdir -p "$OUT"
# The configuration the .gtkw files were made for (their first lines repeat it).
TB=("$BUILD/bin/ssnn_chip_tb" --hidden 32 -T 16 --train-samples 4 --test-samples 2 --tile-rows 256
    --tile-cols 16 --events-per-cycle 1 --fifo-depth 4 --no-progress --trace-samples 1:2)
"${TB[@]}" --trace "$OUT/neuron.fst" --trace-blocks ctrl,enc,cores --trace-neuron 3 > /dev/null
"${TB[@]}" --trace "$OUT/crossbar.fst" --trace-blocks ctrl,core1,tile8 --trace-neuron 5 --trace-xpoint 5,0 > /dev/null
"${TB[@]}" --trace "$OUT/router.fst" --trace-blocks ctrl,enc,router > /dev/null
ls -l "$OUT"/*.fst
if [ "${1:-}" = "--screenshot" ]; then
  # Steps 0..15 of the traced training sample (times in ps).
  SSNN_SHOT_SCREEN=1280x900x24 "$REPO/scripts/gtkwave_shot.sh" "$REPO/systemc/gtkw/crossbar.gtkw" "$OUT/crossbar.fst" \
    "$REPO/docs/img/chip_crossbar_wave.png" 6400000 15000000
fi
