"""One training run from a resolved config: set-up, training, records, and a short report."""

from __future__ import annotations

import os
import random
import shutil
import signal
import threading
from pathlib import Path
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig

from ffbp.algorithms import build_algorithm
from ffbp.checkpoint import (
    CHECKPOINT_NAME,
    CheckpointError,
    config_differences,
    load_checkpoint,
    move_to,
    restore_rng,
    save_checkpoint,
)
from ffbp.config import ConfigError, Device, WeightInit, to_plain_dict, validate
from ffbp.data import DatasetCorruptError, DatasetUnavailableError, DataSplits, load_data
from ffbp.performance import tune_cpu_allocator
from ffbp.provenance import environment, git_state
from ffbp.records import RunRecords
from ffbp.training import DivergenceError, LoopState, TrainingInterrupted, fit
from ffbp.wandb_logger import WandbRun


class StartupError(RuntimeError):
    """The run cannot start (bad value, missing data, no such device); nothing was trained."""


class RunInterrupted(RuntimeError):
    """A signal stopped the run after it saved a checkpoint; `signal_number` says which."""

    def __init__(self, message: str, signal_number: int):
        super().__init__(message)
        self.signal_number = signal_number


def seed_everything(seed: int) -> None:
    """The one place randomness is seeded: Python, NumPy and torch (all devices)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def resolve_device(requested: Device | str) -> torch.device:
    requested = Device(requested)
    cuda, mps = torch.cuda.is_available(), torch.backends.mps.is_available()
    if requested == Device.auto:
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if requested == Device.cuda and not cuda:
        raise ConfigError(
            "device=cuda but no CUDA GPU is visible here; use device=auto or device=cpu"
        )
    if requested == Device.mps and not mps:
        raise ConfigError(
            "device=mps but the MPS backend is not available; use device=auto or device=cpu"
        )
    return torch.device(requested.value)


HYDRA_ONLY_ENTRIES = {".hydra", "train.log", "main.log"}


def remove_unstarted_run(run_dir: Path) -> None:
    """Delete a run directory that holds nothing but Hydra's own start-up files."""
    if run_dir.is_dir() and {entry.name for entry in run_dir.iterdir()} <= HYDRA_ONLY_ENTRIES:
        shutil.rmtree(run_dir, ignore_errors=True)


def find_checkpoint(cfg: DictConfig, run_dir: Path) -> dict[str, Any] | None:
    """The checkpoint to resume from, checked against this run's config; None: start fresh."""
    if cfg.trainer.resume_from:
        path = Path(cfg.trainer.resume_from).expanduser()
    elif cfg.trainer.resume:
        path = run_dir / CHECKPOINT_NAME
        if not path.exists():  # a requeued job that never reached its first checkpoint
            print(f"ffbp: no checkpoint in {run_dir}: starting from the beginning")
            return None
    else:
        return None
    payload = load_checkpoint(path)
    differences = config_differences(payload["config"], to_plain_dict(cfg))
    if differences:
        raise CheckpointError(
            f"refusing to resume from {path}: the config differs from the checkpoint's in "
            + "; ".join(differences)
        )
    payload["path"] = path
    return payload


def prepare(cfg: DictConfig, run_dir: Path) -> tuple[torch.device, DataSplits, dict | None]:
    """Everything that can fail because of the user's input, done before any training."""
    try:
        validate(cfg)
        device = resolve_device(cfg.device)
        run_dir.mkdir(parents=True, exist_ok=True)
        if not os.access(run_dir, os.W_OK):
            raise ConfigError(f"the run directory {run_dir} is not writable; set hydra.run.dir")
        checkpoint = find_checkpoint(cfg, run_dir)
        if checkpoint is None and (run_dir / "summary.json").exists():
            raise ConfigError(
                f"{run_dir} already holds a run; choose another hydra.run.dir, or continue it "
                "with trainer.resume=true"
            )
        seed_everything(cfg.seed)
        data = load_data(cfg.data, cfg.seed, device)
        if cfg.trainer.batch_size > len(data.train):
            raise ConfigError(
                f"trainer.batch_size={cfg.trainer.batch_size} exceeds the "
                f"{len(data.train)} training examples"
            )
    except (
        ConfigError,
        CheckpointError,
        DatasetUnavailableError,
        DatasetCorruptError,
        ValueError,
    ) as error:
        remove_unstarted_run(run_dir)
        raise StartupError(str(error)) from error
    return device, data, checkpoint


def default_group(cfg: DictConfig, sweep_dir: str | None) -> str:
    if cfg.logger.group:
        return cfg.logger.group
    return Path(sweep_dir).name if sweep_dir else cfg.data.name


class StopOnSignals:
    """SIGINT, SIGTERM and SIGUSR2 (SLURM's warning before a time limit or preemption, which
    submitit uses to requeue) ask the loop to stop at the next step; a second SIGINT stops at
    once. After the checkpoint, `hand_over` passes the signal to the handler that was there
    before (submitit's requeue), so a requeued job resumes from this very step."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGUSR2)

    def __init__(self) -> None:
        self.received: int | None = None
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> StopOnSignals:
        if threading.current_thread() is threading.main_thread():
            for number in self.SIGNALS:
                self.previous[number] = signal.signal(number, self._handle)
        return self

    def _handle(self, number: int, frame: Any) -> None:
        if self.received == signal.SIGINT and number == signal.SIGINT:
            raise KeyboardInterrupt
        self.received = number
        print(
            f"\nffbp: {signal.Signals(number).name} received: saving a checkpoint after this step"
        )

    def requested(self) -> bool:
        return self.received is not None

    def hand_over(self) -> None:
        previous = self.previous.get(self.received)
        if callable(previous) and previous is not signal.default_int_handler:
            previous(self.received, None)

    def __exit__(self, *exc_info: Any) -> None:
        for number, handler in self.previous.items():
            signal.signal(number, handler)


def train(
    cfg: DictConfig,
    run_dir: Path,
    sweep_dir: str | None = None,
    overrides: list[str] | None = None,
) -> float | None:
    """Train `cfg.algo` on `cfg.data`; return the validation accuracy that sweeps maximise."""
    tune_cpu_allocator()
    device, data, checkpoint = prepare(cfg, run_dir)
    algorithm = build_algorithm(
        cfg.algo,
        data.input_size,
        list(cfg.model.hidden_sizes),
        data.num_classes,
        cfg.trainer.epochs,
        data.image_shape,
        init=WeightInit(cfg.model.init).value,
        device=device,
    )
    model = algorithm.model
    loop = LoopState()
    if checkpoint is not None:
        algorithm.load_state_dict(move_to(checkpoint["algorithm"], device))
        loop = LoopState.from_dict(
            {**checkpoint["loop"], "sums": move_to(checkpoint["loop"]["sums"], device)}
        )
        restore_rng(checkpoint["rng"])

    resolved_config = to_plain_dict(cfg)
    provenance = {"git": git_state(), "environment": environment(), "device": str(device)}
    wandb_run = None
    if cfg.logger.backend == "wandb":
        try:
            wandb_run = WandbRun(
                run_dir=run_dir,
                project=cfg.logger.project,
                entity=cfg.logger.entity,
                group=default_group(cfg, sweep_dir),
                job_type=cfg.algo.name,
                mode=resolved_config["logger"]["mode"],
                tags=list(cfg.logger.tags),
                config={**resolved_config, "git_commit": provenance["git"]["commit"]},
                name=run_dir.name,
                run_id=checkpoint["wandb_run_id"] if checkpoint else None,
            )
        except Exception as error:  # noqa: BLE001 - nothing has run yet: leave no half run
            if checkpoint is None:
                shutil.rmtree(run_dir / "wandb", ignore_errors=True)
                remove_unstarted_run(run_dir)
            raise StartupError(f"W&B could not start ({type(error).__name__}: {error})") from error
    records = RunRecords(run_dir, history=loop.history)
    records.write("environment.json", provenance)
    wandb_run_id = wandb_run.run_id if wandb_run else None

    def log(metrics: dict[str, Any]) -> None:
        records.log(metrics)
        if wandb_run is not None:
            wandb_run.log(metrics)

    def save(state: LoopState) -> None:
        save_checkpoint(run_dir / CHECKPOINT_NAME, resolved_config, algorithm, state, wandb_run_id)

    summary: dict[str, Any] = {
        "status": "running",
        "algo": cfg.algo.name,
        "dataset": cfg.data.name,
        "seed": cfg.seed,
        "hidden_sizes": list(cfg.model.hidden_sizes),
        "num_parameters": sum(p.numel() for p in model.parameters()),
        "train_examples": len(data.train),
        "device": str(device),
        "git_commit": provenance["git"]["commit"],
        "git_dirty": provenance["git"]["dirty"],
        "run_dir": str(run_dir),
        "resumed_from": str(checkpoint["path"]) if checkpoint else None,
        "wandb": wandb_run.describe() if wandb_run else "W&B off (logger=none)",
        "config": resolved_config,
    }
    records.write("summary.json", summary)
    exit_code = 1
    try:
        with StopOnSignals() as stop:
            result = fit(
                algorithm,
                data,
                epochs=cfg.trainer.epochs,
                batch_size=cfg.trainer.batch_size,
                eval_batch_size=cfg.trainer.eval_batch_size,
                seed=cfg.seed,
                log=log,
                progress_bar=cfg.trainer.progress_bar,
                state=loop,
                save=save,
                checkpoint_every=cfg.trainer.checkpoint_every,
                stop_requested=stop.requested,
            )
        summary.update(
            {
                "status": "finished",
                **result.val,
                **result.test,
                "train/time_s": result.train_time_s,
                "train/samples_per_s": result.samples_per_s,
                "epochs": result.epochs,
            }
        )
        exit_code = 0
    except TrainingInterrupted as interruption:
        summary.update({"status": "interrupted", "error": str(interruption)})
        resume = " ".join(
            [
                *(
                    o
                    for o in overrides or []
                    if not o.startswith(("trainer.resume", "hydra.run.dir"))
                ),
                f"hydra.run.dir={run_dir}",
                "trainer.resume=true",
            ]
        )
        raise RunInterrupted(
            f"{interruption}; checkpoint saved in {run_dir / CHECKPOINT_NAME}.\n"
            f"Resume with: python train.py {resume}",
            stop.received or signal.SIGTERM,
        ) from interruption
    except DivergenceError as error:
        summary.update({"status": "failed", "error": str(error)})
        raise
    except BaseException as error:
        summary.update({"status": "failed", "error": f"{type(error).__name__}: {error}"})
        raise
    finally:
        records.write("summary.json", summary)
        records.close()
        if wandb_run is not None:
            metrics = {k: v for k, v in summary.items() if "/" in k or k in ("status", "error")}
            wandb_run.finish(metrics, exit_code=exit_code)
        if summary["status"] == "interrupted":
            stop.hand_over()  # e.g. submitit's requeue, now that the checkpoint is on disk
    print(report(summary))
    return summary.get("val/accuracy")


def report(summary: dict[str, Any]) -> str:
    accuracies = ", ".join(
        f"{key.removeprefix('test/')} {value:.4f}"
        for key, value in summary.items()
        if key.startswith("test/accuracy_")
    )
    lines = [
        f"{summary['algo']} on {summary['dataset']}: test accuracy {summary['test/accuracy']:.4f}"
        + (f" ({accuracies})" if accuracies else ""),
        f"trained {summary['epochs']} epochs in {summary['train/time_s']:.1f} s "
        f"({summary['train/samples_per_s']:.0f} samples/s)",
        f"run directory: {summary['run_dir']}",
        summary["wandb"],
    ]
    return "\n".join(lines)
