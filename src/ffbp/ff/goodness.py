"""Goodness of a layer's activities: high for positive data, low for negative data."""

from __future__ import annotations

from collections.abc import Callable

from torch import Tensor


def sum_of_squares(activities: Tensor) -> Tensor:
    """Hinton 2022, section 2: goodness = sum of squared ReLU activities.

    (batch, units) -> (batch,)
    """
    return activities.pow(2).sum(dim=1)


GOODNESS_FUNCTIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "sum_of_squares": sum_of_squares,
}
