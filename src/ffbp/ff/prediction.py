"""Prediction by goodness: try every label, keep the one the network finds most positive."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from ffbp.model import MLP


def goodness_per_label(
    model: MLP,
    inputs: Tensor,
    embed: Callable[[Tensor, Tensor], Tensor],
    num_labels: int,
    normalize: Callable[[Tensor], Tensor],
    goodness: Callable[[Tensor], Tensor],
    from_layer: int,
) -> Tensor:
    """Hinton 2022, section 3.3: goodness summed over hidden layers `from_layer`..L per label.

    All labels go through the network in one pass of batch x labels rows. -> (batch, labels)
    """
    batch = inputs.shape[0]
    labels = torch.arange(num_labels, device=inputs.device).repeat(batch)
    candidates = embed(
        inputs.repeat_interleave(num_labels, dim=0), labels
    )  # (batch*labels, features)
    activities = model.hidden_activities(candidates, normalize)
    total_goodness = sum(
        goodness(layer_activity) for layer_activity in activities[from_layer - 1 :]
    )
    return total_goodness.view(batch, num_labels)
