"""Both trainers learn; FF's updates stay inside each layer."""

import pytest
import torch
from helpers import algo_config, build
from hypothesis import given, settings
from hypothesis import strategies as st

from ffbp.training import evaluate, fit

# Standardised inputs dilute a one-hot label of strength 1 (Hinton's, for raw pixels); a
# stronger label makes the synthetic task learnable in a few epochs.
FF_QUICK = {"label_strength": 8.0}


def train(algorithm, splits, epochs):
    history = []
    result = fit(
        algorithm,
        splits,
        epochs=epochs,
        batch_size=100,
        eval_batch_size=500,
        seed=0,
        log=history.append,
        progress_bar=False,
    )
    return result, history


def test_backprop_learns_the_synthetic_task(synthetic_splits):
    algorithm = build("bp", [128, 128], epochs=3)
    before = evaluate(algorithm, synthetic_splits.test, 500, "test")["test/accuracy"]
    result, history = train(algorithm, synthetic_splits, epochs=3)
    assert before < 0.3
    assert result.test["test/accuracy"] > 0.9
    assert history[-1]["train/loss"] < history[0]["train/loss"]


def test_forward_forward_learns_the_synthetic_task(synthetic_splits):
    algorithm = build("ff", [256, 256], epochs=3, **FF_QUICK)
    before = evaluate(algorithm, synthetic_splits.test, 500, "test")
    result, history = train(algorithm, synthetic_splits, epochs=3)
    assert before["test/accuracy_goodness"] < 0.3
    assert result.test["test/accuracy"] == result.test["test/accuracy_goodness"] > 0.9
    assert result.test["test/accuracy_softmax"] > 0.9
    for layer in (1, 2):
        assert history[-1][f"ff/layer{layer}/separation"] > 0.9
        assert (
            history[-1][f"ff/layer{layer}/goodness_pos"]
            > history[-1][f"ff/layer{layer}/goodness_neg"]
        )


def test_forward_forward_reports_the_configured_primary_method(synthetic_splits):
    algorithm = build("ff", [64, 64], epochs=1, prediction="softmax", **FF_QUICK)
    metrics = evaluate(algorithm, synthetic_splits.val, 500, "val")
    assert metrics["val/accuracy"] == metrics["val/accuracy_softmax"]


@settings(max_examples=15, deadline=None)
@given(
    widths=st.lists(st.integers(2, 12), min_size=2, max_size=4),
    batch=st.integers(1, 6),
    seed=st.integers(0, 1000),
)
def test_each_ff_layer_loss_reaches_only_its_own_layer(widths, batch, seed):
    algorithm = build("ff", widths, epochs=1, input_size=20, seed=seed)
    torch.manual_seed(seed)
    inputs, labels = torch.randn(batch, 20), torch.randint(10, (batch,))
    positive, negative = algorithm.positive_and_negative(inputs, labels, torch.zeros(batch, 10))
    losses = {index: loss for index, loss, _ in algorithm.layer_losses(positive, negative)}
    layers = list(algorithm.model.hidden_layers)
    for index, loss in losses.items():
        for other, layer in enumerate(layers):
            gradients = torch.autograd.grad(
                loss, list(layer.parameters()), retain_graph=True, allow_unused=True
            )
            if other != index:
                assert all(g is None for g in gradients), (
                    f"layer {index + 1}'s loss reached layer {other + 1}"
                )


def test_one_ff_step_equals_separate_per_layer_updates(synthetic_splits):
    """Summing the layer losses is only a shortcut: each layer gets its own loss's gradient."""
    inputs, labels = synthetic_splits.train.inputs[:32], synthetic_splits.train.labels[:32]
    combined = build("ff", [32, 32, 32], epochs=1, peer_normalization=0.0)
    separate = build("ff", [32, 32, 32], epochs=1, peer_normalization=0.0)
    torch.manual_seed(1)
    combined.train_step(inputs, labels)
    torch.manual_seed(1)
    positive, negative = separate.positive_and_negative(inputs, labels, torch.zeros(32, 10))
    for index, loss, _ in separate.layer_losses(positive, negative):
        layer = separate.model.hidden_layers[index]
        weight_gradient, bias_gradient = torch.autograd.grad(
            loss, [layer.weight, layer.bias], retain_graph=True
        )
        with torch.no_grad():
            # SGD with momentum buffer starting at the gradient: first step is lr * (g + wd * w).
            lr, decay = separate.cfg.optimizer.lr, separate.cfg.optimizer.weight_decay
            expected_weight = layer.weight - lr * (weight_gradient + decay * layer.weight)
            expected_bias = layer.bias - lr * (bias_gradient + decay * layer.bias)
        updated = combined.model.hidden_layers[index]
        assert torch.allclose(updated.weight, expected_weight, atol=1e-6)
        assert torch.allclose(updated.bias, expected_bias, atol=1e-6)


def test_layerwise_schedule_trains_one_layer_at_a_time(synthetic_splits):
    algorithm = build("ff", [32, 32], epochs=2, schedule="layerwise", **FF_QUICK)
    layers = algorithm.model.hidden_layers
    snapshots = [[layer.weight.detach().clone() for layer in layers]]
    for epoch in range(2):
        algorithm.start_epoch(epoch)
        for start in range(0, 500, 100):
            algorithm.train_step(
                synthetic_splits.train.inputs[start : start + 100],
                synthetic_splits.train.labels[start : start + 100],
            )
        snapshots.append([layer.weight.detach().clone() for layer in layers])
    changed = [
        [not torch.equal(before, after) for before, after in zip(a, b, strict=True)]
        for a, b in zip(snapshots[:-1], snapshots[1:], strict=True)
    ]
    assert changed == [[True, False], [False, True]]


def test_layerwise_needs_an_epoch_per_layer():
    from omegaconf import OmegaConf

    from ffbp.config import ConfigError, TrainConfig, validate

    cfg = OmegaConf.structured(TrainConfig(algo=algo_config("ff")))
    cfg.model.hidden_sizes = [8, 8, 8]
    cfg.trainer.epochs = 2
    cfg.algo.schedule = "layerwise"
    with pytest.raises(ConfigError, match="layerwise"):
        validate(cfg)


@pytest.mark.parametrize("name, overrides", [("bp", {}), ("ff", FF_QUICK)])
def test_one_seed_fixes_the_whole_run(synthetic_splits, name, overrides):
    runs = []
    for _ in range(2):
        algorithm = build(name, [32, 32], epochs=2, seed=7, **overrides)
        result, history = train(algorithm, synthetic_splits, epochs=2)
        weights = [p.detach().clone() for p in algorithm.model.parameters()]
        runs.append((result, history, weights))
    (first, first_history, first_weights), (second, second_history, second_weights) = runs
    assert first.test == second.test
    for a, b in zip(first_history, second_history, strict=True):
        assert {k: v for k, v in a.items() if "time" not in k and "per_s" not in k} == {
            k: v for k, v in b.items() if "time" not in k and "per_s" not in k
        }
    assert all(torch.equal(a, b) for a, b in zip(first_weights, second_weights, strict=True))
