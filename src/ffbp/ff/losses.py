"""Per-layer FF losses: each layer's own objective, computed from its goodness alone."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor


def p_positive(goodness: Tensor, threshold: float, temperature: float = 1.0) -> Tensor:
    """Hinton 2022, eq. 1: p(positive) = sigmoid((goodness - threshold) / temperature)."""
    return torch.sigmoid((goodness - threshold) / temperature)


def logistic_loss(
    positive_goodness: Tensor, negative_goodness: Tensor, threshold: float, temperature: float
) -> Tensor:
    """Binary cross-entropy of eq. 1: p(positive) near 1 on positive data, near 0 on negative.

    -log p = softplus(-logit) and -log(1 - p) = softplus(logit), computed stably; the mean is
    over all positive and negative examples.
    """
    positive_logits = (positive_goodness - threshold) / temperature
    negative_logits = (negative_goodness - threshold) / temperature
    return (F.softplus(-positive_logits).mean() + F.softplus(negative_logits).mean()) / 2


LayerLoss = Callable[[Tensor, Tensor, float, float], Tensor]

LAYER_LOSSES: dict[str, LayerLoss] = {
    "logistic": logistic_loss,
}
