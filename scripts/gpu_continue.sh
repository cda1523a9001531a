#!/usr/bin/env bash
# Continue the light student and its no-L_M ablation on one GPU inside a short lease (the device tool lends
# 15 minutes, a minute or two of which go to starting the machine), from the run folders committed in
# data/runs. Unlike scripts/train_gpu.sh there is no cache to build first: `--workers` processes render the
# fixed set's pairs ahead of each run. Within T seconds: the run behind first catches up alone to the other's
# step (the L_M comparison needs runs of equal length), then both train concurrently for the rest of T, then
# the one behind makes up the few steps between them; both keep a moving average of their weights (--ema:
# continued where a run has one, started where it has not). Both are then scored on all 25 circles scenes.
# What comes back: OUT/runs.tar (the two run folders, to unpack over data/runs), OUT/evaluation.txt,
# OUT/gpu_continue.log.
# Usage, from the repository root: T=420 scripts/gpu_continue.sh data/runs "$OUT"
# Env: T (seconds of training in all), WORKERS (rendering processes per run), EMA (the average's decay), PYTHON,
# RUNS (work folder), NOLM (the ablation's run folder: light_no_lm_long, the one continued toward the student's
# steps; light_no_lm stays at 23,000 for the comparison at that length);
# BATCH, SIZE, PAIRS and SCENES must stay as they are for the committed runs (a test uses tiny ones).
# The run checkpoints (data/runs/*/checkpoint.pt) left the working tree; they are in git history:
#   git checkout a811fe1 -- data/runs        restores them (data/runs keeps the runs' configs and logs).
set -uo pipefail
SRC=${1:-data/runs}; OUT=${2:-/tmp/gpu_continue_out}; T=${T:-420}; WORKERS=${WORKERS:-6}; EMA=${EMA:-0.999}
PYTHON=${PYTHON:-python3}; RUNS=${RUNS:-/tmp/gpu_continue_runs}; NOLM=${NOLM:-light_no_lm_long}
BATCH=${BATCH:-16}; SIZE=${SIZE:-128}; PAIRS=${PAIRS:-100000}; SCENES=${SCENES:-25}
export OMP_NUM_THREADS=2 PYTHONUNBUFFERED=1 MMKIT_GIT_COMMIT=${MMKIT_GIT_COMMIT:-$(git rev-parse HEAD 2>/dev/null)}
for run in light_proxy light_student "$NOLM"; do
  [ -f "$SRC/$run/checkpoint.pt" ] || { echo "$SRC/$run/checkpoint.pt is missing: the run checkpoints are in git" \
    "history (git checkout a811fe1 -- data/runs restores them)" >&2; exit 1; }
done
mkdir -p "$OUT" "$RUNS"
exec > >(tee -a "$OUT/gpu_continue.log") 2>&1
log() { echo "[$(date +%T)] $*"; }
log "start; commit ${MMKIT_GIT_COMMIT:-unknown}; T=$T s, $WORKERS rendering processes per run"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null || true
cp -r "$SRC/light_proxy" "$SRC/light_student" "$SRC/$NOLM" "$RUNS"/ || exit 1
steps_of() { $PYTHON -c "import torch; print(torch.load('$RUNS/$1/checkpoint.pt', map_location='cpu', weights_only=True)['step'])"; }
log "from step $(steps_of light_student) (student) and $(steps_of $NOLM) (no L_M)"

COMMON=(--model light --stage student --batch-size "$BATCH" --size "$SIZE" --dataset-size "$PAIRS" --bf16 --channels-last
        --no-compile --workers "$WORKERS" --ema "$EMA" --checkpoint-every 2000 --log-every 100 --eval-every 5000
        --quiet --resume)  # (--no-compile: the CPU runs were compiled, and a resume keeps that)
train() {  # NAME ARGS...
  local name=$1; shift
  $PYTHON -m mmkit train --out "$RUNS/$name" "${COMMON[@]}" "$@" >> "$RUNS/$name/train.out" 2>&1
  local rc=$?
  [ $rc -ne 0 ] && touch "$RUNS/FAILED"
  log "$name: exit $rc, $(tail -n 1 "$RUNS/$name/train.out")"
}
rm -f "$RUNS/FAILED"
run() {  # light_student|$NOLM ARGS...: train with that run's own arguments
  local name=$1; shift
  if [ "$name" = light_student ]; then train "$name" --proxy "$RUNS/light_proxy/checkpoint.pt" "$@"
  else train "$name" --ablate proxy "$@"; fi
}
START=$SECONDS
A=$(steps_of light_student); B=$(steps_of $NOLM)
if [ "$A" != "$B" ]; then
  if [ "$A" -lt "$B" ]; then BEHIND=light_student; S=$B; else BEHIND=$NOLM; S=$A; fi
  log "$BEHIND catches up alone to step $S (at most $T s)"
  run $BEHIND --steps "$S" --time-limit "$T"
fi
LEFT=$(( T - (SECONDS - START) ))
if [ "$LEFT" -gt 0 ]; then
  log "both together for $LEFT s"
  run light_student --steps 10000000 --time-limit "$LEFT" &
  P1=$!
  run $NOLM --steps 10000000 --time-limit "$LEFT" &
  P2=$!
  wait $P1 $P2  # (a plain wait would also wait for the tee above)
fi
A=$(steps_of light_student); B=$(steps_of $NOLM); S=$(( A > B ? A : B ))
log "student at $A, no L_M at $B; both to step $S"
[ "$A" -lt "$S" ] && run light_student --steps "$S"
[ "$B" -lt "$S" ] && run $NOLM --steps "$S"
$PYTHON -m mmkit evaluate --content seen --scenes "$SCENES" --checkpoint "$RUNS/light_student/checkpoint.pt" \
  "$RUNS/$NOLM/checkpoint.pt" > "$OUT/evaluation.txt" 2>&1
cat "$OUT/evaluation.txt"
tar -C "$RUNS" -cf "$OUT/runs.tar" light_student "$NOLM"
log "done: $OUT/runs.tar"
[ -e "$RUNS/FAILED" ] && { log "a training call failed: see the train.out of each run"; exit 1; }
exit 0
