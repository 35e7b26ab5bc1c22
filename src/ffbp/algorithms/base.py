"""What every algorithm provides to the shared training loop (ffbp.training)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import torch
from torch import Tensor, nn

from ffbp.model import MLP
from ffbp.optim import lr_factor, set_lr_factor


class Algorithm(ABC):
    """How the MLP's parameters get their updates, and how it predicts.

    Subclasses differ only in `train_step` and `predict`; epochs, batching, evaluation and
    records live in the shared loop so the two algorithms are timed and logged identically.
    """

    uses_output_head: bool = False
    prediction_methods: tuple[str, ...] = ("forward",)

    def __init__(
        self,
        cfg,
        model: MLP,
        num_classes: int,
        epochs: int,
        image_shape: tuple[int, int, int] = (1, 28, 28),
    ):
        self.cfg = cfg
        self.model = model
        self.num_classes = num_classes
        self.epochs = epochs
        self.image_shape = image_shape
        self.primary_method = self.prediction_methods[0]

    def start_epoch(self, epoch: int) -> dict[str, float]:
        """Set the learning rate for 0-indexed `epoch`; returns what to log about it."""
        factor = lr_factor(self.cfg.optimizer.lr_schedule, epoch, self.epochs)
        set_lr_factor(self.optimizer, factor)
        return {"train/lr": self.cfg.optimizer.lr * factor}

    def state_dict(self) -> dict[str, Any]:
        """Everything a checkpoint needs to continue training exactly."""
        return {"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])

    def modules_by_name(self) -> dict[str, nn.Module]:
        named = {f"hidden layer {i}": layer for i, layer in enumerate(self.model.hidden_layers, 1)}
        if self.model.head is not None:
            named["output head"] = self.model.head
        return named

    def nonfinite_parts(self, metric_sums: dict[str, Tensor]) -> list[str]:
        """Which metrics and which layers' weights hold NaN or infinity: for error messages."""
        parts = [
            name for name, total in metric_sums.items() if not bool(torch.isfinite(total).all())
        ]
        for name, module in self.modules_by_name().items():
            if not all(bool(torch.isfinite(p).all()) for p in module.parameters()):
                parts.append(f"{name} weights")
        return parts

    @abstractmethod
    def train_step(self, inputs: Tensor, labels: Tensor) -> dict[str, Tensor]:
        """One update on a batch; returns batch-mean metrics as detached 0-d tensors."""

    @abstractmethod
    def predict(self, inputs: Tensor) -> dict[str, Tensor]:
        """Predicted labels for each of `prediction_methods`."""
