#!/usr/bin/env bash
# The recipe of the shipped weights: proxy, then student, per model, then export into mmkit/weights.
# Every stage resumes from its run folder, so the script can be re-run across sessions (or on a GPU
# machine) and continues where it stopped. Usage:
#   scripts/train_weights.sh light            # or base, oh2018
#   PROXY_STEPS=200000 STUDENT_STEPS=200000 scripts/train_weights.sh light
# The run checkpoints (data/runs/*/checkpoint.pt) left the working tree; they are in git history:
#   git checkout a811fe1 -- data/runs        restores them (data/runs keeps the runs' configs and logs).
# A run folder that holds a run's records but not its checkpoint is refused rather than trained again.
set -euo pipefail
MODEL=${1:-light}
PROXY_STEPS=${PROXY_STEPS:-200000}
STUDENT_STEPS=${STUDENT_STEPS:-200000}
SIZE=${SIZE:-128}
BATCH=${BATCH:-4}
RUNS=${RUNS:-data/runs}
MMKIT=${MMKIT:-.venv/bin/mmkit}
WEIGHTS=${WEIGHTS:-mmkit/weights}
PYTHON=${PYTHON:-.venv/bin/python}
# bf16 + channels-last: 2x the steps/s of fp32 on the AMX CPU, 0.08x on an AVX2-only CPU, which has no bf16 kernels
# (python -m mmkit.bench.train_speed): so bf16 on a GPU or where the CPU has the kernels (mmkit.hardware); BF16=1 or
# BF16=0 forces it (a resume may switch it).
BF16=${BF16:-$("$PYTHON" -c "from mmkit.hardware import bf16_is_fast; from mmkit.devices import resolve_device
print(int(bf16_is_fast(resolve_device('auto'))))")}
COMMON=(--model "$MODEL" --batch-size "$BATCH" --size "$SIZE" --checkpoint-every 500 --log-every 50
        --eval-every 2000 --channels-last --quiet)
# (--no-bf16 said, not left out: a resume keeps the run's own setting where a flag is not given)
if [ "$BF16" = 1 ]; then COMMON+=(--bf16); else COMMON+=(--no-bf16); fi

resume() { [ -f "$1/checkpoint.pt" ] && echo --resume || true; }
for run in "$RUNS/$MODEL" "$RUNS/${MODEL}_proxy" "$RUNS/${MODEL}_student" "$RUNS/${MODEL}_no_lm"; do
  if [ -f "$run/config.json" ] && [ ! -f "$run/checkpoint.pt" ]; then
    echo "$run/checkpoint.pt is missing (its run folder is here): the run checkpoints are in git history" \
         "(git checkout a811fe1 -- data/runs restores them)" >&2
    exit 1
  fi
done

if [ "$MODEL" = oh2018 ]; then  # Oh et al. (2018) has no proxy stage: one run on noisy inputs, no L_M
  "$MMKIT" train --out "$RUNS/${MODEL}" --stage student --ablate proxy --steps "$STUDENT_STEPS" \
    "${COMMON[@]}" $(resume "$RUNS/${MODEL}")
  "$PYTHON" -c "from mmkit.pretrained import export_weights; print(export_weights('$RUNS/$MODEL', '$MODEL', '$WEIGHTS'))"
  exit 0
fi
"$MMKIT" train --out "$RUNS/${MODEL}_proxy" --stage proxy --steps "$PROXY_STEPS" "${COMMON[@]}" \
  $(resume "$RUNS/${MODEL}_proxy")
"$MMKIT" train --out "$RUNS/${MODEL}_student" --stage student --proxy "$RUNS/${MODEL}_proxy/checkpoint.pt" \
  --steps "$STUDENT_STEPS" "${COMMON[@]}" $(resume "$RUNS/${MODEL}_student")
# The Table 4 / quality-bar comparison: the same student without L_M, same length.
"$MMKIT" train --out "$RUNS/${MODEL}_no_lm" --stage student --ablate proxy --steps "$STUDENT_STEPS" \
  "${COMMON[@]}" $(resume "$RUNS/${MODEL}_no_lm")
"$PYTHON" -c "from mmkit.pretrained import export_weights; print(export_weights('$RUNS/${MODEL}_student', '$MODEL', '$WEIGHTS'))"
