#!/usr/bin/env bash
# Kill and resume: trains the golden model on the MNIST subset once without interruption, then again
# while killing it with SIGKILL at random moments (fixed seed) and resuming each time from its last
# checkpoint (--resume). The resumed run must end with byte-identical weights and the same per-epoch
# train and test accuracies as the uninterrupted one. Checkpoints are written to a temporary file,
# fsync'd and renamed, so a kill at any moment leaves the previous checkpoint intact.
#
# Usage: scripts/kill_resume.sh [kills, default 12]
#   Each launch is killed within 10..(2 x uninterrupted time / kills + 10) ms of its start, so about
#   that many kills would cover the run if starting up were free; with each launch's start-up the
#   count is higher (about 30 on 2 cores). Fewer than max(5, kills/2) fails the test.
#   SSNN_GOLDEN      the ssnn_golden binary (default <repo>/build/bin/ssnn_golden)
#   SSNN_KILL_SEED   seed of the kill moments (default 20240601)
#   SSNN_NICE        niceness (default 15)
# The model options below are small so the whole test takes a few seconds.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${SSNN_GOLDEN:-$REPO/build/bin/ssnn_golden}"
KILLS="${1:-12}"
SEED="${SSNN_KILL_SEED:-20240601}"
NICE="${SSNN_NICE:-15}"
MAX_LAUNCHES=$((KILLS * 10 + 20))
case "$KILLS" in '' | *[!0-9]*) echo "kill_resume.sh: kills must be a whole number" >&2; exit 2 ;; esac
[ -x "$BIN" ] || { echo "kill_resume.sh: $BIN not found (build first, or set SSNN_GOLDEN)" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ssnn_kill_resume.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export SSNN_REPO_DIR="$REPO" OMP_NUM_THREADS=1
OPTS=(train --dataset subset --hidden 64 -T 20 --epochs 3 --checkpoint-every 100 --threads 1 --train-threads 1
      --no-progress)

log() { printf '[kill-resume] %s\n' "$*"; }
ms() { date +%s%3N; }
position() {  # "epoch E, sample P" of a checkpoint
  "$BIN" info --weights "$1" | python3 -c "import json,sys; j=json.load(sys.stdin); print(f'epoch {j[\"epoch\"]}, sample {j[\"position\"]}')"
}

log "uninterrupted run: ${OPTS[*]}"
t0=$(ms)
nice -n "$NICE" "$BIN" "${OPTS[@]}" --save-weights "$WORK/straight.w" --report "$WORK/straight.json" > "$WORK/straight.out"
duration=$(( $(ms) - t0 ))
# Every launch is killed at a random moment, uniform in 10..hi ms after its start, until one launch
# outlives its kill moment and completes: about KILLS kills spread over the whole run (epochs,
# checkpoint writes, evaluations, the final save).
hi=$(( 2 * duration / KILLS + 10 ))
[ $hi -lt 30 ] && hi=30
log "took $duration ms; each launch is killed within 10..$hi ms of its start (seed $SEED)"

RANDOM=$SEED
kills=0
launches=0
CK="$WORK/run.ckpt"
while :; do
  launches=$((launches + 1))
  if [ $launches -gt $MAX_LAUNCHES ]; then
    log "FAILED: no completion after $MAX_LAUNCHES launches"
    exit 1
  fi
  nice -n "$NICE" "$BIN" "${OPTS[@]}" --checkpoint "$CK" --resume --save-weights "$WORK/resumed.w" \
    --report "$WORK/resumed.json" > "$WORK/resumed.out" 2> "$WORK/resumed.err" &
  pid=$!
  delay=$(( 10 + RANDOM % (hi - 9) ))
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  kill -KILL "$pid" 2> /dev/null || true
  set +e
  wait "$pid" 2> /dev/null  # (no "Killed" notice from the shell)
  rc=$?
  set -e
  if [ $rc -eq 137 ]; then
    kills=$((kills + 1))
    if [ -f "$CK" ]; then where="$(position "$CK")"; else where="none yet"; fi
    log "kill $kills after ${delay} ms; last checkpoint: $where"
    continue
  fi
  if [ $rc -ne 0 ]; then
    log "FAILED: a resumed run exited with $rc:"
    cat "$WORK/resumed.err" >&2
    exit 1
  fi
  break
done
MIN_KILLS=$(( KILLS / 2 > 5 ? KILLS / 2 : 5 ))
if [ $kills -lt $MIN_KILLS ]; then
  log "FAILED: only $kills kills before the run completed (want at least $MIN_KILLS)"
  exit 1
fi

if ! cmp -s "$WORK/straight.w" "$WORK/resumed.w"; then
  log "FAILED: the weights after $kills kills differ from the uninterrupted run's"
  exit 1
fi
# Per-epoch train and test accuracies of both runs (the resumed one restored its running counts).
python3 - "$WORK/straight.json" "$WORK/resumed.json" << 'EOF'
import json, sys
a, b = (json.load(open(p))["history"] for p in sys.argv[1:3])
keys = ("train_accuracy", "test_accuracy", "train_activity")
pairs = [[{k: e.get(k) for k in keys} for e in h] for h in (a, b)]
if pairs[0] != pairs[1]:
    sys.exit("[kill-resume] FAILED: per-epoch accuracies or activity differ from the uninterrupted run")
print("[kill-resume] per-epoch accuracies: " + ", ".join(f"{100 * e['test_accuracy']:.2f} %" for e in a))
EOF
log "passed: $kills SIGKILLs in $launches launches, final weights byte-identical to the uninterrupted run"
