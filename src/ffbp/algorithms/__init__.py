"""The training algorithms, by the name that `algo=` selects."""

from ffbp.algorithms.backprop import Backprop
from ffbp.algorithms.base import Algorithm
from ffbp.algorithms.forward_forward import ForwardForward

ALGORITHMS: dict[str, type[Algorithm]] = {"bp": Backprop, "ff": ForwardForward}

__all__ = ["ALGORITHMS", "Algorithm", "Backprop", "ForwardForward"]
