#!/usr/bin/env bash
# RTL waveforms: runs the SystemC smoke test (bin/rtl_sc_smoke), which traces one composite neuron and
# one cross-point to FST, then takes headless GTKWave screenshots of the rtl/gtkw/ views into docs/img/.
# Usage: scripts/rtl_waves.sh [build folder, default build]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$(cd "${1:-$REPO/build}" && pwd)"
WAVES="$BUILD/waves"
IMG="$REPO/docs/img"
mkdir -p "$WAVES" "$IMG"

SSNN_WAVE_DIR="$WAVES" SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$BUILD/bin/rtl_sc_smoke" > /dev/null

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# view, dump, zoom range in ps (the dumps' timescale): the neuron over its first two samples, the
# cross-point over the whole run.
shoot() {
  local view="$1" dump="$2" from="$3" to="$4"
  printf 'gtkwave::setZoomRangeTimes %s %s\n' "$from" "$to" > "$tmp/zoom.tcl"
  xvfb-run -a -s "-screen 0 1280x800x24" sh -c \
    'gtkwave -S "$1/zoom.tcl" -a "$2" "$3" > "$1/gtkwave.log" 2>&1 & p=$!; sleep 5; xwd -root -silent > "$1/shot.xwd"; kill $p' \
    sh "$tmp" "$REPO/rtl/gtkw/$view.gtkw" "$WAVES/$dump"  # paths as arguments, never pasted into the command
  xwdtopnm "$tmp/shot.xwd" 2> /dev/null | pnmtopng > "$IMG/$view.png"
  echo "wrote $IMG/$view.png"
}
shoot rtl_neuron rtl_neuron.fst 0 10050000
shoot rtl_crosspoint rtl_crosspoint.fst 0 38200000
