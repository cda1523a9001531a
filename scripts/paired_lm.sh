#!/usr/bin/env bash
# Issue 4's L_M question, every equal-length pair in data/runs (with L_M first, without second), scored scene by
# scene on 250 circles scenes (the first 25 are the usual benchmark) at noise 0 / 2 / 5; the seeds of the noisier
# recipe in one call, so that their mean difference and its standard error between seeds come out too:
#   scripts/paired_lm.sh > data/runs/paired_lm.txt          (about 30 s per pair on 2 CPU cores)
# The run checkpoints (data/runs/*/checkpoint.pt) left the working tree; they are in git history:
#   git checkout a811fe1 -- data/runs        restores them (data/runs keeps the runs' configs and logs).
set -euo pipefail
cd "$(dirname "$0")/.."
MMKIT=${MMKIT:-.venv/bin/mmkit}
R=data/runs
trained() {
  [ -f "$R/$1/checkpoint.pt" ] && [ -f "$R/$2/checkpoint.pt" ] || { echo "skipped (not trained): $*" >&2; return 1; }
}
restored() {  # a run folder that holds its records but not its checkpoint: stop before any work
  for run in "$@"; do
    if [ -d "$R/$run" ] && [ ! -f "$R/$run/checkpoint.pt" ]; then
      echo "$R/$run/checkpoint.pt is not in the working tree: the run checkpoints are in git history" \
           "(git checkout a811fe1 -- data/runs restores them)" >&2
      exit 1
    fi
  done
}
restored light_student_23000 light_no_lm light_student_38000 light_no_lm_38000 light_student_57000 light_no_lm_57000 \
  light_student_78000 light_no_lm_78000 light_student light_no_lm_long light_lm_scratch light_branch_lm \
  light_branch_no_lm light_strong_lm light_strong_no_lm light_noisy_lm light_noisy_no_lm light_noisy_s1_lm \
  light_noisy_s1_no_lm light_noisy_s2_lm light_noisy_s2_no_lm
for pair in "light_student_23000 light_no_lm" "light_student_38000 light_no_lm_38000" \
            "light_student_57000 light_no_lm_57000" "light_student_78000 light_no_lm_78000" \
            "light_student light_no_lm_long" "light_lm_scratch light_no_lm" "light_branch_lm light_branch_no_lm" \
            "light_strong_lm light_strong_no_lm"; do
  set -- $pair
  trained "$1" "$2" || continue
  "$MMKIT" evaluate --content seen --paired --scenes "${SCENES:-250}" --checkpoint "$R/$1/checkpoint.pt" "$R/$2/checkpoint.pt"
done
seeds=()
for s in light_noisy light_noisy_s1 light_noisy_s2; do
  trained "${s}_lm" "${s}_no_lm" && seeds+=("$R/${s}_lm/checkpoint.pt" "$R/${s}_no_lm/checkpoint.pt")
done
if [ ${#seeds[@]} -gt 0 ]; then
  "$MMKIT" evaluate --content seen --paired --scenes "${SCENES:-250}" --checkpoint "${seeds[@]}"
fi
