"""Peer normalisation (Hinton's released code): no unit may stay always off or always on."""

from __future__ import annotations

import torch
from torch import Tensor


class PeerNormalization:
    """Regress each unit's running mean activity on positive data towards its layer's mean.

    Hinton adds strength * (layer mean - unit mean) to the gradient of goodness with respect
    to every unit's total input, for every positive case and not gated by the ReLU, so it can
    revive units that are always off. Because a layer is linear up to its ReLU, the mean total
    input over the batch is `layer(mean input)`; the returned term, strength * sum over units
    of (unit mean - layer mean) * mean total input, has exactly that gradient (descent sign).
    """

    def __init__(self, hidden_sizes: list[int], strength: float, momentum: float, device):
        self.strength = strength
        self.momentum = momentum
        # Hinton's code starts every running mean at 0.5.
        self.running_means = [torch.full((width,), 0.5, device=device) for width in hidden_sizes]

    def loss(
        self, layer_index: int, positive_activities: Tensor, mean_total_input: Tensor
    ) -> Tensor:
        """`positive_activities`: (batch, units); `mean_total_input`: (units,), with gradient."""
        running_mean = self.running_means[layer_index]
        batch_mean = positive_activities.detach().mean(dim=0)
        running_mean.mul_(self.momentum).add_(batch_mean, alpha=1 - self.momentum)
        deviation = running_mean - running_mean.mean()  # unit mean - layer mean
        return self.strength * (deviation * mean_total_input).sum()
