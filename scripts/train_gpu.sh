#!/usr/bin/env bash
# The recipe of the shipped weights on one GPU machine (how they were made; see data/runs/README.md):
# render a fixed set of pairs once into a cache (all CPU cores), then train the stages concurrently on the
# one GPU, each stopped by a time limit with a checkpoint (--resume continues any of them later):
#   stage 1 (T1 s): light proxy, base proxy      | oh2018 (one noisy-input run, T1 + T2 s)
#   stage 2 (T2 s): light student, light without L_M (same step count), base student
# Usage: MMKIT_GIT_COMMIT=$(git rev-parse HEAD) scripts/train_gpu.sh RUNS_DIR
# Env: T1, T2 (seconds), PAIRS (fixed set size), SIZE, BATCH, CACHE (folder), PYTHON.
# The run checkpoints (data/runs/*/checkpoint.pt) left the working tree; they are in git history:
#   git checkout a811fe1 -- data/runs        restores them (data/runs keeps the runs' configs and logs).
# A run folder that holds a run's records but not its checkpoint is refused rather than trained again.
set -uo pipefail
RUNS=${1:-gpu_runs}
T1=${T1:-480}; T2=${T2:-540}; PAIRS=${PAIRS:-100000}; SIZE=${SIZE:-128}; BATCH=${BATCH:-16}
CACHE=${CACHE:-/tmp/mmkit_pairs_${SIZE}_${PAIRS}}; PYTHON=${PYTHON:-python3}
export OMP_NUM_THREADS=2 PYTHONUNBUFFERED=1
for run in oh2018 light_proxy base_proxy light_student light_no_lm base_student; do
  if [ -f "$RUNS/$run/config.json" ] && [ ! -f "$RUNS/$run/checkpoint.pt" ]; then
    echo "$RUNS/$run/checkpoint.pt is missing (its run folder is here): the run checkpoints are in git history" \
         "(git checkout a811fe1 -- data/runs restores them)" >&2
    exit 1
  fi
done
mkdir -p "$RUNS"
log() { echo "[$(date +%T)] $*"; }
log "start; commit ${MMKIT_GIT_COMMIT:-unknown}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
$PYTHON -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"
# L_p needs torchvision's ImageNet VGG-16 file; use one if this machine has it (never downloaded, never committed).
if [ -z "${MMKIT_VGG16:-}" ]; then
  VGG=$(find /root/.cache /opt /usr/local /home -name 'vgg16-*.pth' 2>/dev/null | head -1)
  [ -n "$VGG" ] && export MMKIT_VGG16=$VGG
fi
log "VGG-16 file: ${MMKIT_VGG16:-none (training without L_p)}"
# One BLAS thread per rendering process: with 2 each, 16 processes ran at 289 pairs/s on 16 cores (346 s for 100k).
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
  $PYTHON -m mmkit.data.cache "$CACHE" --pairs "$PAIRS" --size "$SIZE" || exit 1
log "cache ready"

COMMON=(--batch-size "$BATCH" --size "$SIZE" --dataset-size "$PAIRS" --cache "$CACHE" --bf16 --channels-last
        --checkpoint-every 2000 --log-every 100 --eval-every 5000 --quiet --steps 10000000)
resume() { [ -f "$1/checkpoint.pt" ] && echo --resume || true; }
train() {  # NAME TIME_LIMIT ARGS...: one run, its output in RUNS/NAME.out
  local name=$1 limit=$2; shift 2
  $PYTHON -m mmkit train --out "$RUNS/$name" --time-limit "$limit" "${COMMON[@]}" "$@" \
    $(resume "$RUNS/$name") > "$RUNS/$name.out" 2>&1
  log "$name finished (exit $?): $(tail -n 2 "$RUNS/$name.out" | tr '\n' ' ')"
}
steps_of() { $PYTHON -c "import torch; print(torch.load('$1/checkpoint.pt', weights_only=True)['step'])"; }

train oh2018 $((T1 + T2)) --model oh2018 --stage student --ablate proxy &
train light_proxy "$T1" --model light --stage proxy &
P1=$!
train base_proxy "$T1" --model base --stage proxy &
P2=$!
wait $P1 $P2
log "stage 1 done: light_proxy $(steps_of "$RUNS/light_proxy") steps, base_proxy $(steps_of "$RUNS/base_proxy") steps"

# Equal length for the L_M comparison: a fixed step count both runs reach within T2 (estimated from
# stage 1's light proxy speed; the student also runs the frozen proxy, hence the margin).
S2=$(( $(steps_of "$RUNS/light_proxy") * T2 / T1 * 6 / 10 / 1000 * 1000 ))
[ "$S2" -lt 1000 ] && S2=1000
log "stage 2: light student and light without L_M for $S2 steps each"
train light_student $((T2 + 120)) --model light --stage student --proxy "$RUNS/light_proxy/checkpoint.pt" \
  --steps "$S2" &
train light_no_lm $((T2 + 120)) --model light --stage student --ablate proxy --steps "$S2" &
train base_student "$T2" --model base --stage student --proxy "$RUNS/base_proxy/checkpoint.pt" &
wait
log "all done"
touch "$RUNS/DONE"
