#!/usr/bin/env bash
# RTL waveforms: runs the SystemC smoke test (bin/rtl_sc_smoke), which traces one composite neuron and
# one cross-point to FST, then takes headless GTKWave screenshots of the rtl/gtkw/ views into docs/img/.
# Usage: scripts/rtl_waves.sh [build folder, default build]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
BUILD="$(cd "${1:-$REPO/build}" && pwd)"
WAVES="$BUILD/waves"
IMG="$REPO/docs/img"
mkdir -p "$WAVES" "$IMG"

SSNN_WAVE_DIR="$WAVES" "$BUILD/bin/rtl_sc_smoke" > /dev/null

# The neuron over its first two samples, the cross-point over the whole run (ps).
SHOT="$REPO/scripts/gtkwave_shot.sh"
"$SHOT" "$REPO/rtl/gtkw/rtl_neuron.gtkw" "$WAVES/rtl_neuron.fst" "$IMG/rtl_neuron.png" 0 10050000
"$SHOT" "$REPO/rtl/gtkw/rtl_crosspoint.gtkw" "$WAVES/rtl_crosspoint.fst" "$IMG/rtl_crosspoint.png" 0 38200000
