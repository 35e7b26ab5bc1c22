"""Putting the label into the input (Hinton 2022, section 3.3)."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor


def embed_label(inputs: Tensor, labels: Tensor, num_labels: int, strength: float = 1.0) -> Tensor:
    """Replace the first `num_labels` inputs with the one-hot label times `strength`."""
    embedded = inputs.clone()
    embedded[:, :num_labels] = F.one_hot(labels, num_labels).to(inputs.dtype) * strength
    return embedded


def embed_neutral_label(inputs: Tensor, num_labels: int, value: float = 0.1) -> Tensor:
    """The neutral label: `value` (0.1 in the paper) in each of the first `num_labels` inputs."""
    embedded = inputs.clone()
    embedded[:, :num_labels] = value
    return embedded
