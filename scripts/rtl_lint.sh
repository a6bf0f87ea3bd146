#!/usr/bin/env bash
# Lint every RTL unit with `verilator --lint-only -Wall --assert` (warnings are fatal), at its default
# parameters and at the other parameter sets the tests and the area report use, then elaborate the
# whole RTL with iverilog -g2012 (a second front end; its only accepted message is the note that it
# puts whole vectors into always_comb sensitivity lists).
# Usage: scripts/rtl_lint.sh        (exit status 0 when every configuration is clean)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RTL="$REPO/rtl"
SOURCES=("$RTL/ssnn_pkg.sv")
for f in "$RTL"/ssnn_*.sv; do
  [ "$f" = "$RTL/ssnn_pkg.sv" ] || SOURCES+=("$f")
done

# unit [parameter overrides...]
CONFIGS=(
  "ssnn_lfsr"
  "ssnn_spike_source"
  "ssnn_filter_step"
  "ssnn_saturate"
  "ssnn_composite_neuron"
  "ssnn_composite_neuron -GOutputLayer=1'b1"
  "ssnn_composite_neuron -GChargeBits=9 -GPotentialBits=8 -GInputBits=12"
  "ssnn_composite_neuron -GChargeBits=30 -GPotentialBits=30 -GInputBits=31"
  "ssnn_wta"
  "ssnn_output_layer"
  "ssnn_output_layer -GNumOutputs=5 -GChargeBits=10 -GPotentialBits=9 -GInputBits=12"
  "ssnn_coincidence_unit"
  "ssnn_coincidence_unit -GWeightBits=6 -GNoiseBits=5"
  "ssnn_coincidence_unit -GWeightBits=24 -GNoiseBits=0"
  "ssnn_mem"
  "ssnn_splitmix64"
  "ssnn_pulse_variation"
  "ssnn_pulse_step"
  "ssnn_crossbar_lane"
  "ssnn_clock_gate"
  "ssnn_rate_lane"
  "ssnn_rate_lane -GWeightBits=19 -GRateBits=17"
  "ssnn_rate_lane -GWeightBits=2 -GRateBits=1"
  "ssnn_crossbar_tile"
  "ssnn_crossbar_tile -GTransposed=1'b0"
  "ssnn_crossbar_tile -GRows=16 -GCols=16 -GNoiseBits=4 -GRowOffset=32 -GColOffset=16"
  "ssnn_crossbar_tile -GRows=5 -GCols=3 -GWeightBits=6 -GNoiseBits=5"
  "ssnn_crossbar_tile -GRows=16 -GCols=8 -GRateBits=8"
  "ssnn_crossbar_tile -GRows=5 -GCols=3 -GWeightBits=6 -GRateBits=3 -GTransposed=1'b0"
  "ssnn_aer_router"
  "ssnn_aer_router -GNumInputs=1 -GNumOutputs=1 -GFifoDepth=1 -GEventsPerCycle=1 -GBlocks=1"
  "ssnn_aer_router -GNumInputs=5 -GNumOutputs=8 -GFifoDepth=3 -GEventsPerCycle=3 -GBlocks=6"
  "ssnn_lfsr_step"
  "ssnn_pixel_draw"
  "ssnn_neuron_step"
  "ssnn_neuron_step -GOutputLayer=1'b1"
  "ssnn_stream_seed"
  "ssnn_group_select"
  "ssnn_group_select -GWords=5 -GLanes=8 -GBits=3"
  "ssnn_group_select -GWords=20 -GLanes=6 -GBits=1"
  "ssnn_dropout_mask"
  "ssnn_dropout_mask -GLanes=1"
  "ssnn_counters"
  "ssnn_counters -GCounters=3 -GCountBits=1"
  "ssnn_weight_array"
  "ssnn_weight_array -GLines=5 -GLength=3 -GWeightBits=6 -GNoiseBits=5 -GColumnWords=1'b1"
  "ssnn_weight_array -GLines=8 -GLength=16 -GRateBits=8"
  "ssnn_weight_array -GLines=3 -GLength=5 -GWeightBits=6 -GRateBits=3 -GColumnWords=1'b1"
  "ssnn_aer_source"
  "ssnn_aer_source -GNeurons=10 -GFwdBand=3 -GGradBand=4"
  "ssnn_aer_source -GNeurons=1"
  "ssnn_hidden_core"
  "ssnn_hidden_core -GNeurons=20 -GLanes=6 -GSumBits=20 -GBelowTiles=3 -GAboveTiles=2 -GFwdBand=8 -GGradBand=7 -GFirstBlock=3"
  "ssnn_hidden_core -GNeurons=9 -GLanes=1 -GChargeBits=10 -GPotentialBits=9 -GInputBits=12 -GSumBits=10 -GGradBand=4 -GLayer=2"
  "ssnn_hidden_core -GNeurons=40 -GLanes=40 -GChargeBits=30 -GPotentialBits=30 -GBelowTiles=2 -GFwdBand=16 -GGradBand=40"
  "ssnn_output_core"
  "ssnn_output_core -GNeurons=5 -GLanes=8 -GChargeBits=10 -GPotentialBits=9 -GInputBits=12 -GSumBits=10 -GGradBand=5"
  "ssnn_spike_encoder"
  "ssnn_spike_encoder -GInputs=50 -GLanes=8 -GRowBand=16"
  "ssnn_spike_encoder -GInputs=7 -GLanes=1 -GRowBand=3"
  "ssnn_controller"
  "ssnn_controller -GLayers=1 -GTiles=1"
  "ssnn_controller -GLayers=3 -GTiles=4"
  "ssnn_chip_top"
  "ssnn_chip_top -GLayers=3 -GSizes=128'h000A00180020_0040 -GTileRows=0 -GTileCols=0 -GLanes=5"
  "ssnn_chip_top -GSizes=128'h000A00200310 -GTileRows=196 -GTileCols=16 -GLanes=32 -GEncoderLanes=64 -GNoiseBits=4"
  "ssnn_chip_top -GRateUpdate=1'b0 -GRampWords=16"
)

status=0
for cfg in "${CONFIGS[@]}"; do
  read -r -a words <<< "$cfg"
  top="${words[0]}"
  if verilator --lint-only -Wall --assert -I"$RTL" --top-module "$top" "${words[@]:1}" "${SOURCES[@]}"; then
    echo "lint ok: $cfg"
  else
    echo "lint FAILED: $cfg" >&2
    status=1
  fi
done
if command -v iverilog > /dev/null 2>&1; then
  out="$(mktemp)"
  trap 'rm -f "$out" "$out.vvp"' EXIT
  tops=()
  for top in ssnn_lfsr ssnn_spike_source ssnn_composite_neuron ssnn_wta ssnn_output_layer ssnn_coincidence_unit \
             ssnn_crossbar_tile ssnn_rate_lane ssnn_aer_router ssnn_hidden_core ssnn_output_core ssnn_spike_encoder \
             ssnn_controller ssnn_chip_top; do
    tops+=(-s "$top")
  done
  if iverilog -g2012 -I"$RTL" -o "$out.vvp" "${tops[@]}" "${SOURCES[@]}" > "$out" 2>&1 &&
     ! grep -v "sorry: constant selects in always_\* processes" "$out" | grep -q .; then
    echo "iverilog ok: all units"
  else
    cat "$out" >&2
    echo "iverilog FAILED" >&2
    status=1
  fi
else
  echo "iverilog not installed: skipped" >&2
fi
exit $status
