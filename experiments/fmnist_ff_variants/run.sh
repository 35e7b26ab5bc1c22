#!/usr/bin/env bash
# Which FF choices matter? Loss x negative data on the Fashion-MNIST comparison net (3 x 1000,
# label strength 4), 3 epochs each, plus unsupervised FF with hybrid-image negatives.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-outputs/fmnist_ff_variants}
common=(experiment=fmnist_ff trainer.epochs=3 trainer.progress_bar=false logger.group=fmnist_ff_variants)
python train.py -m "${common[@]}" algo.loss=logistic,softplus_threshold,symba \
    algo.negatives=random,hard,all hydra.sweep.dir="$out/supervised"
python train.py -m "${common[@]}" algo.negatives=hybrid_images algo.prediction=softmax \
    hydra.sweep.dir="$out/unsupervised"
python scripts/runs_table.py "$out" --columns algo.loss algo.negatives
