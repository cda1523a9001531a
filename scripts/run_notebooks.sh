#!/usr/bin/env bash
# Execute notebooks in quick mode and store their outputs (what nbval then compares):
#   scripts/run_notebooks.sh notebooks/01_architecture.ipynb     (default: all of them)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
for nb in "${@:-notebooks/*.ipynb}"; do
  for f in $nb; do
    MMKIT_QUICK=1 "$BIN/jupyter" nbconvert --to notebook --execute --inplace \
      --ClearMetadataPreprocessor.enabled=True "$f"
  done
done
