"""Building algorithms from their structured configs, for in-process tests."""

from __future__ import annotations

import torch
from omegaconf import OmegaConf

from ffbp.algorithms import ALGORITHMS
from ffbp.config import ALGORITHM_SCHEMAS
from ffbp.model import MLP


def algo_config(name: str, **overrides):
    cfg = OmegaConf.structured(ALGORITHM_SCHEMAS[name]())
    for key, value in overrides.items():
        OmegaConf.update(cfg, key, value)
    return cfg


def build(name: str, hidden_sizes, epochs: int, input_size: int = 784, seed: int = 0, **overrides):
    torch.manual_seed(seed)
    algorithm_class = ALGORITHMS[name]
    model = MLP(
        input_size, list(hidden_sizes), output_size=10 if algorithm_class.uses_output_head else None
    )
    return algorithm_class(algo_config(name, **overrides), model, num_classes=10, epochs=epochs)
