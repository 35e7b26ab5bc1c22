"""Checkpoints: written atomically, loaded with `weights_only=True`, checked against the config."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ffbp.algorithms.base import Algorithm
from ffbp.config import flatten
from ffbp.training import LoopState

CHECKPOINT_NAME = "checkpoint.pt"
FORMAT_VERSION = 1
# Keys a resumed run may change: where and how it is shown, not what it computes.
MAY_CHANGE_ON_RESUME = (
    "trainer.resume",
    "trainer.resume_from",
    "trainer.progress_bar",
    "logger.",
    "device",
)


class CheckpointError(RuntimeError):
    """A checkpoint is missing, unreadable, or does not match the run's config."""


def capture_rng() -> dict[str, Any]:
    numpy_state = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": (
            numpy_state[0],
            torch.from_numpy(numpy_state[1].astype(np.int64)),
            *numpy_state[2:],
        ),
        "python": random.getstate(),
    }


def restore_rng(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    name, keys, *rest = state["numpy"]
    np.random.set_state((name, keys.numpy().astype(np.uint32), *rest))
    random.setstate(state["python"])


def save_checkpoint(
    path: Path,
    config: dict[str, Any],
    algorithm: Algorithm,
    loop: LoopState,
    wandb_run_id: str | None,
) -> None:
    """Write to a temporary file, then rename: a crash mid-write never leaves a torn checkpoint."""
    payload = {
        "format": FORMAT_VERSION,
        "config": config,
        "algorithm": algorithm.state_dict(),
        "loop": loop.as_dict(),
        "rng": capture_rng(),
        "wandb_run_id": wandb_run_id,
    }
    partial = path.with_name(path.name + ".partial")
    torch.save(payload, partial)
    os.replace(partial, path)


def load_checkpoint(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise CheckpointError(f"no checkpoint at {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - torch raises many kinds for a bad file
        raise CheckpointError(
            f"checkpoint {path} is unreadable "
            f"({type(error).__name__}: {str(error).splitlines()[0]}); delete it to start over"
        ) from error
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_VERSION:
        raise CheckpointError(f"{path} is not an ffbp checkpoint (format {FORMAT_VERSION})")
    return payload


def config_differences(saved: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """`key: saved -> current` for every setting that a resumed run may not change."""
    old, new = flatten(saved), flatten(current)
    differences = []
    for key in sorted(old.keys() | new.keys()):
        if key.startswith(MAY_CHANGE_ON_RESUME):
            continue
        if old.get(key, "<absent>") != new.get(key, "<absent>"):
            differences.append(f"{key}: {old.get(key, '<absent>')} -> {new.get(key, '<absent>')}")
    return differences


def move_to(value: Any, device: torch.device) -> Any:
    if isinstance(value, torch.Tensor):
        return value.to(device)
    if isinstance(value, dict):
        return {key: move_to(item, device) for key, item in value.items()}
    if isinstance(value, list):
        return [move_to(item, device) for item in value]
    return value
