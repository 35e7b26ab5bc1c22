"""The training loop every algorithm shares: epochs, batches, evaluation, timing and records.

The loop's position (`LoopState`) is explicit so that a run can stop after any step and
continue later exactly as if it had never stopped: the batch order of an epoch is regenerated
from the batch generator's state at the epoch's start, and the finished steps are skipped.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor
from tqdm.auto import tqdm

from ffbp.algorithms.base import Algorithm
from ffbp.data import DataSplits, ShuffledBatches, Split, ordered_batches

# Reading a value on the host forces a device sync: the loss for the progress bar and the
# divergence check happen every this many steps, not every step.
CHECK_EVERY_STEPS = 25


class DivergenceError(RuntimeError):
    """The loss or the weights became NaN or infinite."""


class TrainingInterrupted(Exception):
    """A stop was requested (SIGINT, SIGTERM); the loop saved its state first."""


@dataclass
class LoopState:
    epoch: int = 0  # 0-indexed epoch in progress (or next to start)
    step: int = 0  # batches of that epoch already done
    generator_state: Tensor | None = None  # batch generator at the start of `epoch`
    sums: dict[str, Tensor] = field(default_factory=dict)  # this epoch's metric sums so far
    epoch_elapsed_s: float = 0.0
    train_time_s: float = 0.0
    samples_seen: int = 0
    val_metrics: dict[str, float] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> LoopState:
        return cls(**values)


@dataclass
class FitResult:
    val: dict[str, float]
    test: dict[str, float]
    train_time_s: float
    samples_per_s: float
    epochs: int
    history: list[dict[str, Any]]


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


def _check_finite(
    algorithm: Algorithm, state: LoopState, first_bad_step: Tensor, epochs: int
) -> None:
    bad_step = int(first_bad_step)
    if bad_step < 0:
        return
    layers = ", ".join(algorithm.nonfinite_parts(state.sums)) or "unknown"
    raise DivergenceError(
        f"the loss became NaN or infinite at epoch {state.epoch + 1}/{epochs}, step {bad_step + 1} "
        f"(non-finite: {layers}); lower the learning rate or check the inputs"
    )


def fit(
    algorithm: Algorithm,
    data: DataSplits,
    epochs: int,
    batch_size: int,
    eval_batch_size: int,
    seed: int,
    log: Callable[[dict[str, Any]], None],
    progress_bar: bool = True,
    state: LoopState | None = None,
    save: Callable[[LoopState], None] | None = None,
    checkpoint_every: int = 0,
    stop_requested: Callable[[], bool] = lambda: False,
) -> FitResult:
    """Train for `epochs` (continuing from `state`), evaluate on validation after each epoch and
    on test at the end. `save` is called with the loop's state after every `checkpoint_every`
    epochs and before stopping on request."""
    device = data.train.inputs.device
    state = state or LoopState()
    generator = torch.Generator().manual_seed(seed)
    batches = ShuffledBatches(data.train, batch_size, generator)
    while state.epoch < epochs:
        epoch = state.epoch
        lr_metrics = algorithm.start_epoch(epoch)
        if state.generator_state is None:
            state.generator_state = generator.get_state()
        generator.set_state(state.generator_state)  # the same batch order as before a stop
        first_bad_step = torch.tensor(-1, device=device)
        synchronize(device)
        started = time.perf_counter() - state.epoch_elapsed_s
        bar = tqdm(
            total=len(batches),
            initial=state.step,
            desc=f"epoch {epoch + 1}/{epochs}",
            unit="batch",
            leave=False,
            disable=not progress_bar,
        )
        for step, (inputs, labels) in enumerate(batches.epoch(state.step), start=state.step):
            step_metrics = algorithm.train_step(inputs, labels)
            for name, value in step_metrics.items():
                state.sums[name] = state.sums.get(name, 0) + value.detach() * len(labels)
            loss_is_finite = torch.isfinite(step_metrics["train/loss"])
            first_bad_step = torch.where(
                loss_is_finite | (first_bad_step >= 0), first_bad_step, step
            )
            state.step = step + 1
            bar.update(1)
            if step % CHECK_EVERY_STEPS == 0:
                _check_finite(algorithm, state, first_bad_step, epochs)
                if progress_bar:
                    bar.set_postfix(loss=f"{step_metrics['train/loss'].item():.4f}")
            if stop_requested() and state.step < len(batches):
                _check_finite(algorithm, state, first_bad_step, epochs)
                synchronize(device)
                state.epoch_elapsed_s = time.perf_counter() - started
                bar.close()
                if save is not None:
                    save(state)
                raise TrainingInterrupted(f"stopped at epoch {epoch + 1}, step {state.step}")
        _check_finite(algorithm, state, first_bad_step, epochs)
        synchronize(device)
        epoch_time_s = time.perf_counter() - started
        bar.close()
        state.train_time_s += epoch_time_s
        state.samples_seen += len(data.train)
        epoch_metrics: dict[str, Any] = {"epoch": epoch + 1, **lr_metrics}
        epoch_metrics.update(
            {name: total.item() / len(data.train) for name, total in state.sums.items()}
        )
        epoch_metrics.update(
            {
                "train/epoch_time_s": epoch_time_s,
                "train/time_s": state.train_time_s,
                "train/samples_per_s": len(data.train) / epoch_time_s,
            }
        )
        if data.val is not None:
            state.val_metrics = evaluate(algorithm, data.val, eval_batch_size, "val")
            epoch_metrics.update(state.val_metrics)
        log(epoch_metrics)
        state.history.append(epoch_metrics)
        _print_epoch(epoch_metrics)
        state.epoch, state.step, state.sums, state.epoch_elapsed_s = epoch + 1, 0, {}, 0.0
        state.generator_state = generator.get_state()  # the next epoch's order starts here
        stopping = stop_requested() and state.epoch < epochs
        due = checkpoint_every and (state.epoch % checkpoint_every == 0 or state.epoch == epochs)
        if save is not None and (due or stopping):
            save(state)
        if stopping:
            raise TrainingInterrupted(f"stopped after epoch {state.epoch}")
    test_metrics = evaluate(algorithm, data.test, eval_batch_size, "test")
    return FitResult(
        val=state.val_metrics,
        test=test_metrics,
        train_time_s=state.train_time_s,
        samples_per_s=state.samples_seen / state.train_time_s if state.train_time_s else math.nan,
        epochs=epochs,
        history=state.history,
    )


def _print_epoch(metrics: dict[str, Any]) -> None:
    parts = [f"epoch {metrics['epoch']}", f"loss {metrics['train/loss']:.4f}"]
    if "train/accuracy" in metrics:
        parts += [f"train acc {metrics['train/accuracy']:.4f}"]
    parts += [f"{key} {value:.4f}" for key, value in metrics.items() if key.startswith("val/")]
    parts += [f"{metrics['train/epoch_time_s']:.1f}s"]
    tqdm.write(" | ".join(parts))
