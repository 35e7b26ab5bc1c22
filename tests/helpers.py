"""Building algorithms from their structured configs, for in-process tests."""

from __future__ import annotations

import torch

from ffbp.algorithms import build_algorithm
from ffbp.config import algorithm_config as algo_config

__all__ = ["algo_config", "build"]


def build(name: str, hidden_sizes, epochs: int, input_size: int = 784, seed: int = 0, **overrides):
    torch.manual_seed(seed)
    return build_algorithm(algo_config(name, **overrides), input_size, hidden_sizes, 10, epochs)
