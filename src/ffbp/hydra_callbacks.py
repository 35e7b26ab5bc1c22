"""Hydra callbacks named in configs/train.yaml."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig


def _make_writable_dir(directory: str, setting: str) -> None:
    path = Path(directory)
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not os.access(path, os.W_OK):
            raise PermissionError("not writable")
    except OSError as error:
        print(
            f"ffbp: error: cannot write the output directory {path} ({error}); choose another "
            f"with {setting}=...",
            file=sys.stderr,
        )
        sys.exit(2)


class PrepareOutputDirs(Callback):
    """Check the output directory before any work, with a one-line error instead of Hydra's
    traceback. In a multirun, create the sweep directory before the sweeper starts, so an
    Optuna study can keep its SQLite file there (Hydra creates it only at the first job)."""

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        _make_writable_dir(config.hydra.run.dir, "hydra.run.dir")

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        _make_writable_dir(config.hydra.sweep.dir, "hydra.sweep.dir")
