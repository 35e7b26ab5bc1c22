"""Negative data: which wrong labels go into the negative examples.

Each function maps the true labels (batch,) to wrong labels (batch * k,), the k negatives of
example i in rows i*k .. i*k+k-1. `readout_logits` (batch, labels) are the softmax readout's
current scores, for strategies that pick confusable labels. Unsupervised negatives, which
carry no label at all, are in `hybrid_images.py`.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor


def random_wrong_labels(
    labels: Tensor, num_labels: int, readout_logits: Tensor | None = None
) -> Tensor:
    """Hinton 2022, section 3.3: a uniformly random label that is never the true one.

    Adding 1..num_labels-1 modulo num_labels reaches every wrong label with equal chance.
    """
    offsets = torch.randint(1, num_labels, labels.shape, device=labels.device)
    return (labels + offsets) % num_labels


def hard_wrong_labels(
    labels: Tensor, num_labels: int, readout_logits: Tensor | None = None
) -> Tensor:
    """Hinton's code: draw the wrong label from the readout's predicted distribution over the
    wrong labels, so labels the network confuses with the true one are chosen more often."""
    if readout_logits is None:
        raise ValueError("hard negatives need the softmax readout's logits")
    wrong_logits = readout_logits.float().scatter(1, labels.unsqueeze(1), float("-inf"))
    return torch.multinomial(torch.softmax(wrong_logits, dim=1), num_samples=1).squeeze(1)


def all_wrong_labels(
    labels: Tensor, num_labels: int, readout_logits: Tensor | None = None
) -> Tensor:
    """Every positive paired with all its num_labels - 1 wrong-label copies."""
    offsets = torch.arange(1, num_labels, device=labels.device)
    return ((labels.unsqueeze(1) + offsets) % num_labels).flatten()  # (batch * (labels - 1),)


NegativeLabels = Callable[[Tensor, int, Tensor | None], Tensor]

NEGATIVE_LABELS: dict[str, NegativeLabels] = {
    "random": random_wrong_labels,
    "hard": hard_wrong_labels,
    "all": all_wrong_labels,
}
