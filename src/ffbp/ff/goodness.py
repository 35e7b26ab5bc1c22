"""Goodness of a layer's activities: high for positive data, low for negative data."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor


def sum_of_squares(activities: Tensor) -> Tensor:
    """Hinton 2022, section 2: goodness = sum of squared ReLU activities.

    (batch, units) -> (batch,)
    """
    return activities.pow(2).sum(dim=1)


def mean_of_squares(activities: Tensor) -> Tensor:
    """Mean of squared activities (the PyTorch example, DeeperForward): width-independent."""
    return activities.pow(2).mean(dim=1)


GOODNESS_FUNCTIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "sum_of_squares": sum_of_squares,
    "mean_of_squares": mean_of_squares,
}


def default_threshold(goodness: Callable[[Tensor], Tensor], width: int) -> float:
    """The goodness of an activity vector with unit RMS: the layer's width for Hinton's sum of
    squares (his threshold), 1 for the mean of squares."""
    return float(goodness(torch.ones(1, width)))
