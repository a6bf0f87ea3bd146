#!/usr/bin/env bash
# Kill and resume: trains a model on the MNIST subset once without interruption, then again while
# killing it with SIGKILL at random moments (fixed seed) and resuming each time from its last
# checkpoint (--checkpoint FILE --resume), until one launch completes. The resumed run must end
# with byte-identical weights and the same per-epoch accuracies as the uninterrupted one. Both
# levels that train: the golden model (ssnn_golden) and the SystemC chip (ssnn_chip_tb, which must
# also end with the same hardware counters: cycles, events, stalls, pulses, FIFO high-water marks).
# Checkpoints are written to a temporary file, fsync'd and renamed, so a kill at any moment leaves
# the previous checkpoint intact.
#
# Usage: scripts/kill_resume.sh [kills, default 12] [golden|chip|all, default all]
#   Each launch is killed within 10..(2 x uninterrupted time / kills + 10) ms of its start, so about
#   that many kills would cover the run if starting up were free; with each launch's start-up the
#   count is higher (about 30 on 2 cores). Fewer than max(5, kills/2) fails the test.
#   SSNN_GOLDEN      the ssnn_golden binary (default <repo>/build/bin/ssnn_golden; it also reads
#                    the chip's checkpoints, which are golden checkpoint files)
#   SSNN_CHIP_TB     the ssnn_chip_tb binary (default <repo>/build/bin/ssnn_chip_tb)
#   SSNN_KILL_SEED   seed of the kill moments (default 20240601)
#   SSNN_NICE        niceness (default 15)
# The model options below are small so the whole test takes about a minute (chip) and a few
# seconds (golden model).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

GOLDEN="${SSNN_GOLDEN:-$REPO/build/bin/ssnn_golden}"
CHIP="${SSNN_CHIP_TB:-$REPO/build/bin/ssnn_chip_tb}"
positional KILLS=12 WHICH=all -- "$@"
SEED="${SSNN_KILL_SEED:-20240601}"
NICE="${SSNN_NICE:-15}"
case "$KILLS" in '' | *[!0-9]*) echo "kill_resume.sh: kills must be a whole number" >&2; exit 2 ;; esac
case "$WHICH" in golden | chip | all) ;; *) echo "kill_resume.sh: '$WHICH' is not golden, chip or all" >&2; exit 2 ;; esac
MAX_LAUNCHES=$((KILLS * 10 + 20))
[ -x "$GOLDEN" ] || { echo "kill_resume.sh: $GOLDEN not found (build first, or set SSNN_GOLDEN)" >&2; exit 1; }
if [ "$WHICH" != golden ]; then
  [ -x "$CHIP" ] || { echo "kill_resume.sh: $CHIP not found (build first, or set SSNN_CHIP_TB)" >&2; exit 1; }
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ssnn_kill_resume.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export SSNN_REPO_DIR="$REPO" OMP_NUM_THREADS=1 SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1

TAG=kill-resume
log() { printf '[%s] %s\n' "$TAG" "$*"; }
ms() { date +%s%3N; }
position() {  # "epoch E, sample P" of a checkpoint (golden and chip checkpoints alike)
  "$GOLDEN" info --weights "$1" | python3 -c "import json,sys; j=json.load(sys.stdin); print(f'epoch {j[\"epoch\"]}, sample {j[\"position\"]}')"
}

# kill_and_resume DIR BIN OPTS...: the uninterrupted run (DIR/straight.w, DIR/straight.json), then
# the killed and resumed launches (DIR/resumed.w, DIR/resumed.json) with every launch given
# --checkpoint DIR/run.ckpt --resume. Sets KILLED and LAUNCHES; fails unless the weights files are
# byte-identical.
kill_and_resume() {
  local dir="$1" bin="$2"
  shift 2
  mkdir -p "$dir"
  log "uninterrupted run: $*"
  local t0 duration hi
  t0=$(ms)
  # (It writes checkpoints as well, so both runs do the same work.)
  nice -n "$NICE" "$bin" "$@" --checkpoint "$dir/straight.ckpt" --save-weights "$dir/straight.w" \
    --report "$dir/straight.json" > "$dir/straight.out"
  duration=$(( $(ms) - t0 ))
  # Every launch is killed at a random moment, uniform in 10..hi ms after its start, until one
  # launch outlives its kill moment and completes: about KILLS kills spread over the whole run
  # (epochs, checkpoint writes, evaluations, the final save).
  hi=$(( 2 * duration / KILLS + 10 ))
  [ $hi -lt 30 ] && hi=30
  log "took $duration ms; each launch is killed within 10..$hi ms of its start (seed $SEED)"

  RANDOM=$SEED
  KILLED=0
  LAUNCHES=0
  local ck="$dir/run.ckpt" pid delay rc where
  while :; do
    LAUNCHES=$((LAUNCHES + 1))
    if [ $LAUNCHES -gt $MAX_LAUNCHES ]; then
      log "FAILED: no completion after $MAX_LAUNCHES launches"
      exit 1
    fi
    nice -n "$NICE" "$bin" "$@" --checkpoint "$ck" --resume --save-weights "$dir/resumed.w" \
      --report "$dir/resumed.json" > "$dir/resumed.out" 2> "$dir/resumed.err" &
    pid=$!
    delay=$(( 10 + RANDOM % (hi - 9) ))
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    kill -KILL "$pid" 2> /dev/null || true
    set +e
    wait "$pid" 2> /dev/null  # (no "Killed" notice from the shell)
    rc=$?
    set -e
    if [ $rc -eq 137 ]; then
      KILLED=$((KILLED + 1))
      if [ -f "$ck" ]; then where="$(position "$ck")"; else where="none yet"; fi
      log "kill $KILLED after ${delay} ms; last checkpoint: $where"
      continue
    fi
    if [ $rc -ne 0 ]; then
      log "FAILED: a resumed run exited with $rc:"
      cat "$dir/resumed.err" >&2
      exit 1
    fi
    break
  done
  local min_kills=$(( KILLS / 2 > 5 ? KILLS / 2 : 5 ))
  if [ $KILLED -lt $min_kills ]; then
    log "FAILED: only $KILLED kills before the run completed (want at least $min_kills)"
    exit 1
  fi
  if ! cmp -s "$dir/straight.w" "$dir/resumed.w"; then
    log "FAILED: the weights after $KILLED kills differ from the uninterrupted run's"
    exit 1
  fi
}

if [ "$WHICH" != chip ]; then
  TAG=kill-resume
  t0=$(ms)
  kill_and_resume "$WORK/golden" "$GOLDEN" train --dataset subset --hidden 64 -T 20 --epochs 3 --checkpoint-every 100 \
    --threads 1 --train-threads 1 --no-progress
  # Per-epoch train and test accuracies of both runs (the resumed one restored its running counts).
  python3 - "$WORK/golden/straight.json" "$WORK/golden/resumed.json" << 'EOF'
import json, sys
a, b = (json.load(open(p))["history"] for p in sys.argv[1:3])
keys = ("train_accuracy", "test_accuracy", "train_activity")
pairs = [[{k: e.get(k) for k in keys} for e in h] for h in (a, b)]
if pairs[0] != pairs[1]:
    sys.exit("[kill-resume] FAILED: per-epoch accuracies or activity differ from the uninterrupted run")
print("[kill-resume] per-epoch accuracies: " + ", ".join(f"{100 * e['test_accuracy']:.2f} %" for e in a))
EOF
  log "passed: $KILLED SIGKILLs in $LAUNCHES launches, final weights byte-identical to the uninterrupted run ($(( ($(ms) - t0) / 1000 )) s)"
fi

if [ "$WHICH" != golden ]; then
  TAG=kill-resume-chip
  t0=$(ms)
  # 784-64-10 on 128x32 tiles behind a router of one event per cycle: it stalls, so the resumed
  # router's arbitration state shows in the counters.
  kill_and_resume "$WORK/chip" "$CHIP" --dataset subset --hidden 64 -T 16 --epochs 2 --train-samples 300 \
    --test-samples 100 --tile-rows 128 --tile-cols 32 --events-per-cycle 1 --checkpoint-every 25 --no-progress
  # Accuracies, test predictions and every hardware figure of the report (counters since power-on).
  python3 - "$WORK/chip/straight.json" "$WORK/chip/resumed.json" << 'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
acc = lambda r: [e["train_accuracy"] for e in r["history"]]
for key, fa, fb in [("train accuracies", acc(a), acc(b))] + [(k, a[k], b[k]) for k in
        ("test_accuracy", "confusion", "hardware_train", "hardware_test", "sim_cycles")]:
    if fa != fb:
        sys.exit(f"[kill-resume-chip] FAILED: {key} differ from the uninterrupted run: {fa} vs {fb}")
print(f"[kill-resume-chip] train accuracies {acc(a)}, test {100 * a['test_accuracy']:.2f} %, "
      f"{a['sim_cycles']} cycles, counters identical")
EOF
  log "passed: $KILLED SIGKILLs in $LAUNCHES launches, final weights byte-identical to the uninterrupted run ($(( ($(ms) - t0) / 1000 )) s)"
fi
