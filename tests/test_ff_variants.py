"""FF variants: every combination the configs allow runs, and each loss and goodness learns."""

import itertools
import math

import pytest
import torch
import torch.nn.functional as F
from helpers import build

from ffbp.config import UNSUPERVISED_NEGATIVES
from ffbp.ff.goodness import GOODNESS_FUNCTIONS, default_threshold, mean_of_squares, sum_of_squares
from ffbp.ff.hybrid_images import hybrid_images, hybrid_masks, partners_of_other_classes
from ffbp.ff.losses import LAYER_LOSSES, LossSettings, softplus_threshold_loss, symba_loss
from ffbp.ff.negatives import NEGATIVE_LABELS, all_wrong_labels, hard_wrong_labels
from ffbp.ff.normalization import NORMALIZATIONS, layer_norm
from ffbp.training import fit


def test_mean_of_squares_and_default_thresholds():
    activities = torch.tensor([[1.0, 2.0], [0.0, 3.0]])
    assert mean_of_squares(activities).tolist() == [2.5, 4.5]
    assert default_threshold(sum_of_squares, 2000) == 2000
    assert default_threshold(mean_of_squares, 2000) == 1


def test_softplus_threshold_and_symba_losses_by_hand():
    positive, negative = torch.tensor([5.0]), torch.tensor([9.0])
    loss = softplus_threshold_loss(positive, negative, LossSettings(threshold=6.0))
    assert loss.item() == pytest.approx(math.log1p(math.exp(1)) + math.log1p(math.exp(3)), rel=1e-6)
    # Two negatives for one positive: each pair counts once.
    loss = symba_loss(
        positive, torch.tensor([9.0, 4.0]), LossSettings(threshold=0.0, symba_alpha=4.0)
    )
    expected = (math.log1p(math.exp(16)) + math.log1p(math.exp(-4))) / 2
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    # SymBa pairs positive i with its own negatives, not with another example's.
    loss = symba_loss(
        torch.tensor([1.0, 10.0]), torch.tensor([2.0, 9.0]), LossSettings(0.0, symba_alpha=1.0)
    )
    assert loss.item() == pytest.approx(math.log1p(math.exp(1)) / 2 + math.log1p(math.exp(-1)) / 2)


def test_layer_norm_has_zero_mean_and_unit_variance():
    normalised = layer_norm(torch.randn(4, 50) * 3 + 2)
    assert torch.allclose(normalised.mean(dim=1), torch.zeros(4), atol=1e-5)
    assert torch.allclose(normalised.var(dim=1, unbiased=False), torch.ones(4), atol=1e-3)


def test_all_wrong_labels_pairs_each_positive_with_its_nine_wrong_copies():
    labels = torch.tensor([0, 3, 9])
    wrong = all_wrong_labels(labels, num_labels=10).view(3, 9)
    for row, label in zip(wrong, labels, strict=True):
        assert sorted(row.tolist()) == sorted(set(range(10)) - {label.item()})


def test_hard_negatives_follow_the_readout_and_never_hit_the_true_label():
    torch.manual_seed(0)
    draws = 40000
    labels = torch.zeros(draws, dtype=torch.long)
    logits = torch.log(torch.tensor([0.5, 0.3, 0.1, 0.05, 0.02, 0.01, 0.01, 0.005, 0.003, 0.002]))
    negatives = hard_wrong_labels(labels, 10, logits.expand(draws, 10))
    assert not (negatives == labels).any()
    frequencies = torch.bincount(negatives, minlength=10).float() / draws
    expected = F.softmax(logits[1:], dim=0)  # the readout's distribution over the wrong labels
    assert torch.allclose(frequencies[1:], expected, atol=0.01)
    uniform = torch.full((9,), 1 / 9)
    assert (frequencies[1:] - uniform).abs().max() > 0.3  # uniform sampling would fail above


def test_hybrid_masks_have_large_regions_and_follow_the_seed():
    masks = hybrid_masks(64, 28, 28, blur_steps=10, generator=torch.Generator().manual_seed(1))
    assert set(masks.unique().tolist()) == {0.0, 1.0}
    assert all(0 < mask.mean() < 1 for mask in masks)  # both values in each mask
    # Neighbours agree almost always: regions, not pixel noise (which agrees half the time).
    horizontal = (masks[..., 1:] == masks[..., :-1]).float().mean()
    vertical = (masks[..., 1:, :] == masks[..., :-1, :]).float().mean()
    assert horizontal > 0.85 and vertical > 0.85
    noise = (torch.rand(64, 1, 28, 28) > 0.5).float()
    assert (noise[..., 1:] == noise[..., :-1]).float().mean() < 0.6
    again = hybrid_masks(64, 28, 28, blur_steps=10, generator=torch.Generator().manual_seed(1))
    assert torch.equal(masks, again)


def test_hybrid_images_mix_two_images_of_different_classes():
    torch.manual_seed(0)
    labels = torch.arange(20) % 10
    partners = partners_of_other_classes(labels)
    assert not (labels[partners] == labels).any()
    inputs = torch.randn(20, 784)
    hybrids = hybrid_images(inputs, labels, (1, 28, 28), blur_steps=10)
    from_first = hybrids == inputs
    assert from_first.float().mean() > 0.2 and (~from_first).float().mean() > 0.2


SUPERVISED = sorted(NEGATIVE_LABELS)
COMBINATIONS = list(
    itertools.product(
        sorted(GOODNESS_FUNCTIONS),
        sorted(LAYER_LOSSES),
        sorted(NORMALIZATIONS),
        [*SUPERVISED, UNSUPERVISED_NEGATIVES],
        ["simultaneous", "layerwise"],
        [0.0, 0.03],
    )
)


def test_every_option_combination_trains_without_error(synthetic_splits):
    inputs, labels = synthetic_splits.train.inputs[:40], synthetic_splits.train.labels[:40]
    for goodness, loss, normalization, negatives, schedule, peer in COMBINATIONS:
        options = dict(
            goodness=goodness,
            loss=loss,
            normalization=normalization,
            negatives=negatives,
            schedule=schedule,
            peer_normalization=peer,
            prediction="softmax" if negatives == UNSUPERVISED_NEGATIVES else "goodness",
            readout_from_layer=1,
        )
        algorithm = build("ff", [16, 16], epochs=2, **options)
        for epoch in range(2):
            algorithm.start_epoch(epoch)
            metrics = algorithm.train_step(inputs, labels)
            assert all(torch.isfinite(value) for value in metrics.values()), options
        predictions = algorithm.predict(inputs)
        assert algorithm.primary_method in predictions, options
        assert all(((p >= 0) & (p < 10)).all() for p in predictions.values())


# The mean of squares is 1/width of the sum: its logits need sharpening (temperature 0.1,
# SymBa alpha 40) and SGD at Hinton's rate barely moves, while Adam ignores the gradient's
# scale (the PyTorch example, which popularised this goodness, uses Adam).
OPTIONS_FOR = {
    "sum_of_squares": {},
    "mean_of_squares": {
        "optimizer.name": "adam",
        "optimizer.lr": 0.003,
        "optimizer.lr_schedule": "constant",
        "readout_lr": 0.003,
        "temperature": 0.1,
        "symba_alpha": 40.0,
        "goodness_from_layer": 1,
    },
}


@pytest.mark.parametrize(
    "goodness, loss",
    [(goodness, loss) for goodness in sorted(GOODNESS_FUNCTIONS) for loss in sorted(LAYER_LOSSES)],
)
def test_each_loss_and_goodness_learns_the_synthetic_task(synthetic_splits, goodness, loss):
    algorithm = build(
        "ff",
        [256, 256],
        epochs=3,
        goodness=goodness,
        loss=loss,
        label_strength=8.0,
        **OPTIONS_FOR[goodness],
    )
    result = fit(
        algorithm, synthetic_splits, 3, 100, 500, seed=0, log=lambda _: None, progress_bar=False
    )
    assert result.test["test/accuracy"] > 0.85, result.test


def test_unsupervised_ff_learns_with_a_linear_readout(synthetic_splits):
    algorithm = build(
        "ff",
        [256, 256, 256],
        epochs=3,
        negatives=UNSUPERVISED_NEGATIVES,
        prediction="softmax",
        readout_from_layer=1,
    )
    result = fit(
        algorithm, synthetic_splits, 3, 100, 500, seed=0, log=lambda _: None, progress_bar=False
    )
    assert set(result.test) == {"test/accuracy"}
    assert result.test["test/accuracy"] > 0.85


def test_without_the_readout_ff_skips_the_neutral_pass_and_predicts_by_goodness(synthetic_splits):
    algorithm = build("ff", [256, 256], epochs=3, readout=False, label_strength=8.0)
    weights_before = algorithm.readout.weight.detach().clone()
    result = fit(
        algorithm, synthetic_splits, 3, 100, 500, seed=0, log=lambda _: None, progress_bar=False
    )
    assert set(result.test) == {"test/accuracy"}
    assert result.test["test/accuracy"] > 0.9
    assert torch.equal(algorithm.readout.weight, weights_before)  # never trained
    assert "train/readout_loss" not in result.history[-1]
