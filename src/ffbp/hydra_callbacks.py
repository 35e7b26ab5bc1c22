"""Hydra callbacks named in configs/train.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig


class CreateSweepDir(Callback):
    """Create the sweep directory before the sweeper starts, so an Optuna study can keep its
    SQLite file there (Hydra itself creates it only when the first job launches)."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        Path(config.hydra.sweep.dir).mkdir(parents=True, exist_ok=True)
