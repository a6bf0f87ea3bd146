#!/usr/bin/env bash
# Bounded fuzzing of every parser of outside input (tb/fuzz): builds the libFuzzer targets with clang
# (-fsanitize=fuzzer,address,undefined) into build-fuzz/, runs each for a bounded time from its seed
# corpus (tb/fuzz/corpus/<target>/), and fails if any input crashes, leaks, hangs or breaks a target's
# contract.  Such an input is copied to tb/fuzz/regressions/<target>/, where the unit tests replay it
# (tb/unit/test_fuzz_regressions.cpp) once it is fixed.
#
# Usage: scripts/fuzz.sh [seconds per target, default 60] [target ...]
#   targets: idx_images idx_labels checkpoint config options (default: all)
#   SSNN_FUZZ_BUILD  build folder (default <repo>/build-fuzz; it keeps the grown corpora between runs)
#   SSNN_JOBS        build jobs (default 2)
#   SSNN_NICE        niceness of the build and the fuzzers (default 15)
# A summary (executions, exec/s, corpus, coverage per target) goes to <build>/fuzz-summary.txt.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BUILD="${SSNN_FUZZ_BUILD:-$REPO/build-fuzz}"
JOBS="${SSNN_JOBS:-2}"
NICE="${SSNN_NICE:-15}"
SECONDS_EACH="${1:-60}"
[ $# -gt 0 ] && shift
ALL_TARGETS=(idx_images idx_labels checkpoint config options)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL_TARGETS[@]}")

case "$SECONDS_EACH" in
  '' | *[!0-9]*) echo "fuzz.sh: seconds must be a whole number, got '$SECONDS_EACH'" >&2; exit 2 ;;
esac
for t in "${TARGETS[@]}"; do
  [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target '$t' (${ALL_TARGETS[*]})" >&2; exit 2; }
done

CXX_BIN=""
for c in clang++-14 clang++; do
  if command -v "$c" > /dev/null 2>&1; then CXX_BIN="$(command -v "$c")"; break; fi
done
[ -n "$CXX_BIN" ] || { echo "fuzz.sh: clang++ not found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 1; }
CC_BIN="${CXX_BIN/clang++/clang}"

log() { printf '[fuzz] %s\n' "$*"; }

log "configuring $BUILD with $CXX_BIN"
mkdir -p "$BUILD"
# tb/fuzz as a project of its own: the golden-model sources only (no SystemC, no Verilator).
nice -n "$NICE" cmake -S "$REPO/tb/fuzz" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER="$CC_BIN" -DCMAKE_CXX_COMPILER="$CXX_BIN" > "$BUILD/fuzz-configure.log" 2>&1 ||
  { cat "$BUILD/fuzz-configure.log" >&2; exit 1; }
log "building ${TARGETS[*]/#/fuzz_}"
nice -n "$NICE" cmake --build "$BUILD" -j "$JOBS" --target "${TARGETS[@]/#/fuzz_}" > "$BUILD/fuzz-build.log" 2>&1 ||
  { tail -40 "$BUILD/fuzz-build.log" >&2; exit 1; }

SUMMARY="$BUILD/fuzz-summary.txt"
printf '%-11s %10s %8s %8s %6s %6s  %s\n' target executions exec/s seconds corpus cov result > "$SUMMARY"
failed=0
for t in "${TARGETS[@]}"; do
  work="$BUILD/fuzz-corpus/$t"        # grows from run to run
  art="$BUILD/fuzz-artifacts/$t"
  mkdir -p "$work" "$art"
  rm -f "$art"/*
  logf="$BUILD/fuzz-$t.log"
  log "fuzz_$t for ${SECONDS_EACH} s"
  set +e
  nice -n "$NICE" "$BUILD/bin/fuzz_$t" -max_total_time="$SECONDS_EACH" -timeout=30 -rss_limit_mb=2048 \
    -max_len=16384 -print_final_stats=1 -artifact_prefix="$art/" "$work" "$REPO/tb/fuzz/corpus/$t" > "$logf" 2>&1
  rc=$?
  set -e
  # Figures from libFuzzer's log (absent ones stay empty: a crash may come before any status line).
  stat() { sed -n "s/^stat::$1: *//p" "$logf" | tail -1; }
  runs="$(stat number_of_executed_units)"
  secs="$(stat average_exec_per_sec)"
  took="$( (grep -o 'Done [0-9]* runs in [0-9]* second' "$logf" || true) | awk '{print $5}' | tail -1)"
  last="$( (grep -E '^#[0-9]+' "$logf" || true) | tail -1)"
  corpus="$(sed -n 's/.*corp: \([0-9]*\)\/.*/\1/p' <<< "$last")"
  cov="$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<< "$last")"
  result=ok
  shopt -s nullglob
  found=("$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-*)
  shopt -u nullglob
  if [ $rc -ne 0 ] || [ ${#found[@]} -gt 0 ]; then
    result="FAILED (exit $rc)"
    failed=1
    mkdir -p "$REPO/tb/fuzz/regressions/$t"
    for f in "${found[@]}"; do
      cp "$f" "$REPO/tb/fuzz/regressions/$t/"
      log "fuzz_$t: kept $(basename "$f") in tb/fuzz/regressions/$t/"
    done
    grep -E 'ERROR|SUMMARY|contract violation|runtime error|deadly signal' "$logf" | head -5 >&2 || true
    log "fuzz_$t: full log in $logf"
  fi
  printf '%-11s %10s %8s %8s %6s %6s  %s\n' "$t" "${runs:-?}" "${secs:-?}" "${took:-?}" "${corpus:-?}" "${cov:-?}" "$result" >> "$SUMMARY"
done
cat "$SUMMARY"
if [ $failed -ne 0 ]; then
  log "failed: fix the finding, keep its input in tb/fuzz/regressions/<target>/ (the unit tests replay it)"
  exit 1
fi
log "no findings"
