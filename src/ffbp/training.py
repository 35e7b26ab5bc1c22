"""The training loop every algorithm shares: epochs, batches, evaluation, timing and records."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import Tensor
from tqdm.auto import tqdm

from ffbp.algorithms.base import Algorithm
from ffbp.data import DataSplits, ShuffledBatches, Split, ordered_batches

PROGRESS_EVERY_STEPS = 25  # reading the loss for the bar forces a device sync; not every step


@dataclass
class FitResult:
    val: dict[str, float]
    test: dict[str, float]
    train_time_s: float
    samples_per_s: float
    epochs: int
    history: list[dict[str, float]] = field(default_factory=list)


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


@torch.inference_mode()
def evaluate(algorithm: Algorithm, split: Split, batch_size: int, prefix: str) -> dict[str, float]:
    """Accuracy of every prediction method; `{prefix}/accuracy` is the algorithm's primary one."""
    correct: dict[str, Tensor] = {}
    for inputs, labels in ordered_batches(split, batch_size):
        for method, predictions in algorithm.predict(inputs).items():
            correct[method] = correct.get(method, 0) + (predictions == labels).sum()
    accuracies = {method: count.item() / len(split) for method, count in correct.items()}
    metrics = {f"{prefix}/accuracy": accuracies[algorithm.primary_method]}
    if len(accuracies) > 1:
        metrics.update(
            {f"{prefix}/accuracy_{method}": value for method, value in accuracies.items()}
        )
    return metrics


def fit(
    algorithm: Algorithm,
    data: DataSplits,
    epochs: int,
    batch_size: int,
    eval_batch_size: int,
    seed: int,
    log: Callable[[dict[str, float]], None],
    progress_bar: bool = True,
) -> FitResult:
    """Train for `epochs`, evaluate on validation after each, on test once at the end."""
    device = data.train.inputs.device
    batches = ShuffledBatches(data.train, batch_size, torch.Generator().manual_seed(seed))
    train_time_s, samples_seen = 0.0, 0
    history: list[dict[str, float]] = []
    val_metrics: dict[str, float] = {}
    for epoch in range(epochs):
        epoch_metrics = {"epoch": epoch + 1, **algorithm.start_epoch(epoch)}
        sums: dict[str, Tensor] = {}
        synchronize(device)
        started = time.perf_counter()
        bar = tqdm(
            batches,
            desc=f"epoch {epoch + 1}/{epochs}",
            unit="batch",
            leave=False,
            disable=not progress_bar,
        )
        for step, (inputs, labels) in enumerate(bar):
            step_metrics = algorithm.train_step(inputs, labels)
            for name, value in step_metrics.items():
                sums[name] = sums.get(name, 0) + value * len(labels)
            if progress_bar and step % PROGRESS_EVERY_STEPS == 0:
                bar.set_postfix(loss=f"{step_metrics['train/loss'].item():.4f}")
        synchronize(device)
        epoch_time_s = time.perf_counter() - started
        bar.close()
        train_time_s += epoch_time_s
        samples_seen += len(data.train)
        epoch_metrics.update({name: total.item() / len(data.train) for name, total in sums.items()})
        epoch_metrics.update(
            {
                "train/epoch_time_s": epoch_time_s,
                "train/time_s": train_time_s,
                "train/samples_per_s": len(data.train) / epoch_time_s,
            }
        )
        if data.val is not None:
            val_metrics = evaluate(algorithm, data.val, eval_batch_size, "val")
            epoch_metrics.update(val_metrics)
        log(epoch_metrics)
        history.append(epoch_metrics)
        _print_epoch(epoch_metrics)
    test_metrics = evaluate(algorithm, data.test, eval_batch_size, "test")
    return FitResult(
        val=val_metrics,
        test=test_metrics,
        train_time_s=train_time_s,
        samples_per_s=samples_seen / train_time_s,
        epochs=epochs,
        history=history,
    )


def _print_epoch(metrics: dict[str, float]) -> None:
    parts = [f"epoch {metrics['epoch']}", f"loss {metrics['train/loss']:.4f}"]
    parts += [f"train acc {metrics['train/accuracy']:.4f}"]
    parts += [f"{key} {value:.4f}" for key, value in metrics.items() if key.startswith("val/")]
    parts += [f"{metrics['train/epoch_time_s']:.1f}s"]
    tqdm.write(" | ".join(parts))
