#!/usr/bin/env bash
# Plots the resident memory of a chip run over its training samples (the "rss" samples that
# ssnn_chip_tb --rss-every N writes into its report) as a PNG, with gnuplot.
# Usage: scripts/soak_rss_plot.sh REPORT.json OUT.png
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: soak_rss_plot.sh REPORT.json OUT.png" >&2; exit 2; }
REPORT="$1"
OUT="$2"
command -v gnuplot > /dev/null || { echo "soak_rss_plot.sh: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 1; }
DATA="$(mktemp)"
trap 'rm -f "$DATA"' EXIT
TITLE="$(python3 - "$REPORT" "$DATA" << 'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
if "rss" not in r:
    sys.exit(f"soak_rss_plot.sh: {sys.argv[1]}: no rss samples (run ssnn_chip_tb with --rss-every N)")
with open(sys.argv[2], "w") as f:
    for sample, kib in r["rss"]["samples"]:
        f.write(f"{sample} {kib / 1024:.3f}\n")
net = "-".join(str(x) for x in [r["config"]["inputs"], *r["hidden"], r["config"]["classes"]])
print(f"ssnn_chip_tb {net}, T={r['timesteps']}, {r['dataset']}: resident memory every {r['rss']['every_samples']} samples")
EOF
)"
gnuplot << EOF
set terminal pngcairo size 800,360 font "sans,10" noenhanced
set output "$OUT"
set title "$TITLE"
set xlabel "training samples"
set ylabel "VmRSS (MiB)"
set yrange [0:*]
set grid
set key off
plot "$DATA" using 1:2 with linespoints pointtype 7 pointsize 0.4 linewidth 1.5
EOF
echo "wrote $OUT"
