"""Backpropagation: one global loss at the top, gradients through every layer by autograd."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ffbp.algorithms.base import Algorithm
from ffbp.optim import build_optimizer


class Backprop(Algorithm):
    uses_output_head = True
    prediction_methods = ("forward",)

    def __init__(self, cfg, model, num_classes: int, epochs: int, image_shape=(1, 28, 28)):
        super().__init__(cfg, model, num_classes, epochs, image_shape)
        self.optimizer = build_optimizer(cfg.optimizer, [{"params": model.parameters()}])

    def train_step(self, inputs: Tensor, labels: Tensor) -> dict[str, Tensor]:
        logits = self.model(inputs)
        loss = F.cross_entropy(logits, labels)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()  # the chain rule: every layer waits for the layers above it
        self.optimizer.step()
        accuracy = (logits.argmax(dim=1) == labels).float().mean()
        return {"train/loss": loss.detach(), "train/accuracy": accuracy}

    @torch.inference_mode()
    def predict(self, inputs: Tensor) -> dict[str, Tensor]:
        return {"forward": self.model(inputs).argmax(dim=1)}
