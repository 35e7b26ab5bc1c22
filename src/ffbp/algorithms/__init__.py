"""The training algorithms, by the name that `algo=` selects."""

from __future__ import annotations

import torch

from ffbp.algorithms.backprop import Backprop
from ffbp.algorithms.base import Algorithm
from ffbp.algorithms.forward_forward import ForwardForward
from ffbp.model import MLP

ALGORITHMS: dict[str, type[Algorithm]] = {"bp": Backprop, "ff": ForwardForward}


def build_algorithm(
    cfg,
    input_size: int,
    hidden_sizes: list[int],
    num_classes: int,
    epochs: int,
    image_shape: tuple[int, int, int] = (1, 28, 28),
    init: str = "normal_fan_in",
    device: torch.device | str = "cpu",
) -> Algorithm:
    """The MLP (with an output head only where the algorithm trains one) and its algorithm."""
    algorithm_class = ALGORITHMS[cfg.name]
    model = MLP(
        input_size,
        list(hidden_sizes),
        output_size=num_classes if algorithm_class.uses_output_head else None,
        init=init,
    ).to(device)
    return algorithm_class(cfg, model, num_classes, epochs, image_shape)


__all__ = ["ALGORITHMS", "Algorithm", "Backprop", "ForwardForward", "build_algorithm"]
