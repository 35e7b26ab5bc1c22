"""Shared fixtures: tiny generated data, and running train.py the way a user does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from ffbp.data import make_synthetic, to_splits

REPO = Path(__file__).resolve().parents[1]

os.environ.setdefault("WANDB_MODE", "disabled")
os.environ.setdefault("WANDB_SILENT", "true")


@pytest.fixture(scope="session")
def synthetic_splits():
    raw = make_synthetic(train_size=3000, test_size=1000, noise=1.0)
    return to_splits(
        "synthetic", raw, val_size=500, train_limit=None, seed=0, device=torch.device("cpu")
    )


def run_train(
    *overrides: str, cwd: Path, env: dict[str, str] | None = None, timeout: int = 300
) -> subprocess.CompletedProcess:
    """`python train.py OVERRIDES` in `cwd`, as a user would run it."""
    full_env = {**os.environ, "WANDB_MODE": "offline", **(env or {})}
    return subprocess.run(
        [sys.executable, str(REPO / "train.py"), *overrides],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
