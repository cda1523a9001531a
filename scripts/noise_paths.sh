#!/usr/bin/env bash
# Issue 4's L_M question from the inside: for each equal-length pair (with L_M, without), where the noise's cost at
# noise 2 and 5 enters the output (the motion features D or the appearance features), the noise and the motion in
# D, and the teacher the L_M run was trained with (its D* in each network; the teacher's own row last), on 250
# circles scenes (mmkit.noise_paths):
#   scripts/noise_paths.sh > data/runs/noise_paths.txt          (about 5 minutes per pair on 2 CPU cores)
# The run checkpoints (data/runs/*/checkpoint.pt) left the working tree; they are in git history:
#   git checkout a811fe1 -- data/runs        restores them (data/runs keeps the runs' configs and logs).
set -euo pipefail
cd "$(dirname "$0")/.."
MMKIT=${MMKIT:-.venv/bin/mmkit}
R=data/runs
for run in light_student light_no_lm_long light_proxy light_strong_lm light_strong_no_lm light_noisy_lm \
           light_noisy_no_lm light_proxy_long; do   # a run folder without its checkpoint: stop before any work
  if [ -d "$R/$run" ] && [ ! -f "$R/$run/checkpoint.pt" ]; then
    echo "$R/$run/checkpoint.pt is not in the working tree: the run checkpoints are in git history" \
         "(git checkout a811fe1 -- data/runs restores them)" >&2
    exit 1
  fi
done
for trio in "light_student light_no_lm_long light_proxy" "light_strong_lm light_strong_no_lm light_no_lm_long" \
            "light_noisy_lm light_noisy_no_lm light_proxy_long"; do
  set -- $trio
  [ -f "$R/$1/checkpoint.pt" ] && [ -f "$R/$2/checkpoint.pt" ] && [ -f "$R/$3/checkpoint.pt" ] ||
    { echo "skipped (not trained): $*" >&2; continue; }
  "$MMKIT" evaluate --content seen --noise-paths --scenes "${SCENES:-250}" --noise 2 5 --teacher "$R/$3/checkpoint.pt" \
    --checkpoint "$R/$1/checkpoint.pt" "$R/$2/checkpoint.pt" "$R/$3/checkpoint.pt"
done
