"""Normalisation of each layer's input, so only the direction of the activity vector passes on.

Without it the next layer could read the previous layer's goodness off the vector's length
and would learn nothing new (Hinton 2022, section 2.1).
"""

from __future__ import annotations

from collections.abc import Callable

import torch.nn.functional as F
from torch import Tensor

EPSILON = 1e-8


def rms_normalize(activities: Tensor) -> Tensor:
    """Hinton's code: scale each vector to unit root-mean-square, x / sqrt(mean(x^2) + eps).

    torch's fused rms_norm computes exactly this (with no learned gain).
    """
    return F.rms_norm(activities, activities.shape[-1:], eps=EPSILON)


def l2_normalize(activities: Tensor) -> Tensor:
    """Scale each vector to unit Euclidean length."""
    return F.normalize(activities, dim=1, eps=EPSILON)


def layer_norm(activities: Tensor) -> Tensor:
    """LayerNorm without learned gain or bias: zero mean and unit variance per vector."""
    return F.layer_norm(activities, activities.shape[-1:], eps=1e-5)


def no_normalization(activities: Tensor) -> Tensor:
    return activities


NORMALIZATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "rms": rms_normalize,
    "l2": l2_normalize,
    "layernorm": layer_norm,
    "none": no_normalization,
}
