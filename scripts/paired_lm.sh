#!/usr/bin/env bash
# Issue 4's L_M question, every equal-length pair in data/runs (with L_M first, without second), scored scene by
# scene on 250 circles scenes (the first 25 are the usual benchmark) at noise 0 / 2 / 5:
#   scripts/paired_lm.sh > data/runs/paired_lm.txt          (about 30 s per pair on 2 CPU cores)
set -euo pipefail
cd "$(dirname "$0")/.."
MMKIT=${MMKIT:-.venv/bin/mmkit}
R=data/runs
for pair in "light_student_23000 light_no_lm" "light_lm_scratch light_no_lm" "light_branch_lm light_branch_no_lm" \
            "light_noisy_lm light_noisy_no_lm" "light_noisy_s1_lm light_noisy_s1_no_lm"; do
  set -- $pair
  [ -f "$R/$1/checkpoint.pt" ] && [ -f "$R/$2/checkpoint.pt" ] || { echo "skipped (not trained): $pair" >&2; continue; }
  "$MMKIT" evaluate --paired --scenes "${SCENES:-250}" --checkpoint "$R/$1/checkpoint.pt" "$R/$2/checkpoint.pt"
done
