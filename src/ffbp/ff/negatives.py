"""Negative data: which wrong label goes into each negative example."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor


def random_wrong_labels(labels: Tensor, num_labels: int) -> Tensor:
    """Hinton 2022, section 3.3: a uniformly random label that is never the true one.

    Adding 1..num_labels-1 modulo num_labels reaches every wrong label with equal chance.
    """
    offsets = torch.randint(1, num_labels, labels.shape, device=labels.device)
    return (labels + offsets) % num_labels


NEGATIVE_LABELS: dict[str, Callable[[Tensor, int], Tensor]] = {
    "random": random_wrong_labels,
}
