#!/usr/bin/env bash
# The runs behind experiments/fmnist_bp_vs_ff/README.md: about 90 minutes on 2 CPU cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-outputs/fmnist_bp_vs_ff}
# The comparison: 3 seeds of each algorithm on the same net, data, epochs and batch size.
python train.py -m experiment=fmnist_bp seed=0,1,2 trainer.progress_bar=false hydra.sweep.dir="$out/bp"
python train.py -m experiment=fmnist_ff seed=0,1,2 trainer.progress_bar=false hydra.sweep.dir="$out/ff"
# Hinton's label strength (1) against stronger labels, seed 0.
python train.py -m experiment=fmnist_ff algo.label_strength=1,8 trainer.progress_bar=false \
    hydra.sweep.dir="$out/ff_label_strength"
python scripts/report.py "$out/bp" "$out/ff" --out experiments/fmnist_bp_vs_ff/report \
    --title "Backprop vs Forward-Forward on Fashion-MNIST (3 x 1000 ReLU MLP, 20 epochs)"
python scripts/runs_table.py "$out" --columns algo.label_strength
