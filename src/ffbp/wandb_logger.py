"""Weights & Biases tracking, offline by default so nothing leaves the machine unasked."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

ONLINE_INIT_TIMEOUT_S = 30
OFFLINE_INSTEAD = (
    "logging offline instead; upload later with the `wandb sync` command printed at the end"
)


def _settings(wandb):
    return wandb.Settings(console="off", silent=True, init_timeout=ONLINE_INIT_TIMEOUT_S)


def _has_api_key() -> bool:
    if os.environ.get("WANDB_API_KEY"):
        return True
    try:
        import wandb

        return bool(wandb.Api(timeout=5).api_key)
    except Exception:  # noqa: BLE001 - no key, no network: either way, no online logging
        return False


class WandbRun:
    """One W&B run: metrics per epoch against `epoch`, the summary at the end, always finished."""

    def __init__(
        self,
        run_dir: Path,
        project: str,
        entity: str | None,
        group: str,
        job_type: str,
        mode: str,
        tags: list[str],
        config: dict[str, Any],
        name: str,
        run_id: str | None = None,
    ):
        import wandb

        if os.environ.get("WANDB_MODE") == "":
            # W&B rejects an empty WANDB_MODE; ours already fell back to offline for it.
            del os.environ["WANDB_MODE"]
        arguments = dict(
            project=project,
            entity=entity,
            group=group,
            job_type=job_type,
            tags=tags,
            config=config,
            name=name,
            dir=str(run_dir),
            id=run_id,
            resume="allow" if run_id else None,
        )
        if mode == "online" and not _has_api_key():
            warnings.warn(
                "logger.mode=online but no W&B API key is set (wandb login, or WANDB_API_KEY): "
                + OFFLINE_INSTEAD,
                stacklevel=2,
            )
            mode = "offline"
        self.mode = mode
        try:
            self.run = wandb.init(mode=mode, settings=_settings(wandb), **arguments)
        except Exception as error:  # noqa: BLE001 - any W&B failure must not stop training
            if mode != "online":
                raise
            warnings.warn(
                f"W&B could not start online ({type(error).__name__}: {error}): " + OFFLINE_INSTEAD,
                stacklevel=2,
            )
            self.mode = "offline"
            self.run = wandb.init(mode="offline", settings=_settings(wandb), **arguments)
        # Every metric is plotted against the epoch, so BP and FF runs share their panels.
        self.run.define_metric("epoch")
        self.run.define_metric("*", step_metric="epoch")

    @property
    def run_id(self) -> str | None:
        return None if self.mode == "disabled" else self.run.id

    @property
    def directory(self) -> Path | None:
        if self.mode == "disabled":
            return None
        return Path(self.run.dir).parent

    def log(self, metrics: dict[str, Any]) -> None:
        self.run.log(metrics)

    def finish(self, summary: dict[str, Any], exit_code: int) -> None:
        for key, value in summary.items():
            self.run.summary[key] = value
        self.run.finish(exit_code=exit_code)

    def describe(self) -> str:
        if self.mode == "disabled":
            return "W&B disabled"
        if self.mode == "offline":
            return f"W&B offline run {self.directory} (upload: wandb sync {self.directory})"
        return f"W&B run {self.run.url}"
