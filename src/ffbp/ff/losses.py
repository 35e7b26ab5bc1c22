"""Per-layer FF losses: each layer's own objective, computed from its goodness alone.

Every loss takes the positive goodness (batch,), the negative goodness (batch * k,), where
the k negatives of positive i are rows i*k .. i*k+k-1, and the layer's `LossSettings`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor


@dataclass(frozen=True)
class LossSettings:
    threshold: float
    temperature: float = 1.0
    symba_alpha: float = 4.0


def p_positive(goodness: Tensor, threshold: float, temperature: float = 1.0) -> Tensor:
    """Hinton 2022, eq. 1: p(positive) = sigmoid((goodness - threshold) / temperature)."""
    return torch.sigmoid((goodness - threshold) / temperature)


def logistic_loss(
    positive_goodness: Tensor, negative_goodness: Tensor, settings: LossSettings
) -> Tensor:
    """Binary cross-entropy of eq. 1: p(positive) near 1 on positive data, near 0 on negative.

    -log p = softplus(-logit) and -log(1 - p) = softplus(logit), computed stably; positive and
    negative data weigh equally, whatever the number of negatives.
    """
    positive_logits = (positive_goodness - settings.threshold) / settings.temperature
    negative_logits = (negative_goodness - settings.threshold) / settings.temperature
    return (F.softplus(-positive_logits).mean() + F.softplus(negative_logits).mean()) / 2


def softplus_threshold_loss(
    positive_goodness: Tensor, negative_goodness: Tensor, settings: LossSettings
) -> Tensor:
    """softplus(-(G_pos - theta)) + softplus(G_neg - theta), as in the PyTorch FF example."""
    return (
        F.softplus(-(positive_goodness - settings.threshold)).mean()
        + F.softplus(negative_goodness - settings.threshold).mean()
    )


def symba_loss(
    positive_goodness: Tensor, negative_goodness: Tensor, settings: LossSettings
) -> Tensor:
    """SymBa (Lee & Song 2023): softplus(-alpha (G_pos - G_neg)) on each positive-negative pair.

    No threshold: only the gap between a positive and its own negatives counts, so the
    gradients on positive and negative data stay balanced.
    """
    negatives_per_positive = negative_goodness.shape[0] // positive_goodness.shape[0]
    paired_positive = positive_goodness.repeat_interleave(negatives_per_positive)
    return F.softplus(-settings.symba_alpha * (paired_positive - negative_goodness)).mean()


LayerLoss = Callable[[Tensor, Tensor, LossSettings], Tensor]

LAYER_LOSSES: dict[str, LayerLoss] = {
    "logistic": logistic_loss,
    "softplus_threshold": softplus_threshold_loss,
    "symba": symba_loss,
}
