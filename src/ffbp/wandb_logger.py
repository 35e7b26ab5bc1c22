"""Weights & Biases tracking, offline by default so nothing leaves the machine unasked."""

from __future__ import annotations

from pathlib import Path
from typing import Any


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
    ):
        import wandb

        self.mode = mode
        self.run = wandb.init(
            project=project,
            entity=entity,
            group=group,
            job_type=job_type,
            mode=mode,
            tags=tags,
            config=config,
            name=name,
            dir=str(run_dir),
            settings=wandb.Settings(console="off", silent=True),
        )
        # Every metric is plotted against the epoch, so BP and FF runs share their panels.
        self.run.define_metric("epoch")
        self.run.define_metric("*", step_metric="epoch")

    @property
    def directory(self) -> Path | None:
        if self.mode == "disabled":
            return None
        return Path(self.run.dir).parent

    def log(self, metrics: dict[str, Any]) -> None:
        self.run.log(metrics)

    def finish(self, summary: dict[str, Any], failed: bool) -> None:
        for key, value in summary.items():
            self.run.summary[key] = value
        self.run.finish(exit_code=1 if failed else 0)

    def describe(self) -> str:
        if self.mode == "disabled":
            return "W&B disabled"
        if self.mode == "offline":
            return f"W&B offline run {self.directory} (upload: wandb sync {self.directory})"
        return f"W&B run {self.run.url}"
