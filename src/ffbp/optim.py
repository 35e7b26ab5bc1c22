"""Optimisers and learning-rate schedules named in the configs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

from ffbp.config import LRSchedule, OptimizerName


def build_optimizer(cfg, param_groups: Iterable[dict[str, Any]]) -> torch.optim.Optimizer:
    """An `OptimizerConfig` as a torch optimiser; groups may override lr and weight decay.

    Each group remembers its base learning rate, which `set_lr_factor` scales.
    """
    groups = [
        {"lr": cfg.lr, "weight_decay": cfg.weight_decay, **group, "params": list(group["params"])}
        for group in param_groups
    ]
    for group in groups:
        group["base_lr"] = group["lr"]
    # The fused kernels update every parameter in one pass: on the CPU here about 5x (Adam)
    # and 25x (SGD) faster than the per-tensor `foreach` ones, with the same arithmetic.
    fused = {"fused": True} if _fused_supported(groups) else {"foreach": True}
    if cfg.name == OptimizerName.sgd:
        return torch.optim.SGD(groups, momentum=cfg.momentum, dampening=cfg.dampening, **fused)
    return torch.optim.Adam(groups, **fused)


def _fused_supported(groups: list[dict[str, Any]]) -> bool:
    devices = {p.device.type for group in groups for p in group["params"]}
    return devices <= {"cpu", "cuda"} and all(
        p.is_floating_point() for group in groups for p in group["params"]
    )


def lr_factor(schedule: LRSchedule, epoch: int, epochs: int) -> float:
    """Multiplier of the base learning rates in 0-indexed `epoch` of `epochs`.

    `hinton`: constant for the first half, then linear decay towards 0 (Hinton's released
    code: gain (1 + 2 (E - e)) / E for 1-indexed epochs e > E/2).
    """
    if schedule == LRSchedule.hinton and epoch + 1 > epochs / 2:
        return (1 + 2 * (epochs - (epoch + 1))) / epochs
    return 1.0


def set_lr_factor(optimizer: torch.optim.Optimizer, factor: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = group["base_lr"] * factor
