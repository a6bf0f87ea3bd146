#!/usr/bin/env bash
# A headless GTKWave screenshot (Xvfb; packages in docs/toolchain.md): opens DUMP with the saved view
# VIEW, zoomed to FROM..TO (picoseconds, the dumps' timescale) or to the whole dump, and writes OUT.png.
# Usage: scripts/gtkwave_shot.sh VIEW.gtkw DUMP.fst OUT.png [FROM TO]
#   SSNN_SHOT_SCREEN  the virtual screen (default 1280x800x24)
set -euo pipefail
[ $# -eq 3 ] || [ $# -eq 5 ] || { echo "usage: scripts/gtkwave_shot.sh VIEW.gtkw DUMP.fst OUT.png [FROM TO]" >&2; exit 2; }
view="$1" dump="$2" png="$3"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [ $# -eq 5 ]; then
  case "$4$5" in '' | *[!0-9]*) echo "gtkwave_shot.sh: FROM and TO must be whole numbers of ps" >&2; exit 2 ;; esac
  printf 'gtkwave::setZoomRangeTimes %s %s\n' "$4" "$5" > "$tmp/zoom.tcl"
else
  echo 'gtkwave::/Time/Zoom/Zoom_Full' > "$tmp/zoom.tcl"
fi
xvfb-run -a -s "-screen 0 ${SSNN_SHOT_SCREEN:-1280x800x24}" sh -c \
  'gtkwave -S "$1/zoom.tcl" -a "$2" "$3" > "$1/gtkwave.log" 2>&1 & p=$!; sleep 5; xwd -root -silent > "$1/shot.xwd"; kill $p' \
  sh "$tmp" "$view" "$dump"  # paths as arguments, never pasted into the command
xwdtopnm "$tmp/shot.xwd" 2> /dev/null | pnmtopng > "$png"
echo "wrote $png"
