#!/usr/bin/env bash
# The runs behind experiments/fmnist_bp_vs_ff/README.md (about 25 minutes on 2 CPU cores).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-outputs/fmnist_bp_vs_ff}
python train.py -m experiment=fmnist_bp trainer.progress_bar=false hydra.sweep.dir="$out/bp"
python train.py -m experiment=fmnist_ff algo.label_strength=1,4,8 trainer.progress_bar=false \
    hydra.sweep.dir="$out/ff"
python scripts/runs_table.py "$out" --columns algo.label_strength
