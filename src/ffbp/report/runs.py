"""Every run under some directories as tidy pandas tables: one row per run, one per run-epoch."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from ffbp.config import flatten

# Config keys that never describe the experiment, only where or how it ran.
IGNORED_CONFIG_PREFIXES = (
    "config.logger.",
    "config.trainer.progress_bar",
    "config.data.root",
    "config.device",
)


@dataclass
class RunCollection:
    runs: pd.DataFrame  # one row per run: status, metrics of summary.json, config.* columns
    history: pd.DataFrame  # one row per run and epoch: run, epoch and the logged metrics
    problems: pd.DataFrame  # runs that failed, did not finish, or left no readable records

    @property
    def finished(self) -> pd.DataFrame:
        return self.runs[self.runs["status"] == "finished"]


def config_columns(config: dict) -> dict[str, object]:
    """A run's resolved config as `config.dotted.key` columns (lists as hashable tuples)."""
    return {
        f"config.{key}": tuple(value) if isinstance(value, list) else value
        for key, value in flatten(config).items()
    }


def _read_run(run_dir: Path) -> tuple[dict, list[dict]]:
    summary = json.loads((run_dir / "summary.json").read_text())
    row = {key: value for key, value in summary.items() if key != "config"}
    row["hidden_sizes"] = tuple(row.get("hidden_sizes") or ())
    row["run"] = str(run_dir)
    row.update(config_columns(summary.get("config", {})))
    overrides = run_dir / ".hydra" / "overrides.yaml"
    row["overrides"] = (
        " ".join(yaml.safe_load(overrides.read_text()) or []) if overrides.exists() else ""
    )
    history = []
    metrics = run_dir / "metrics.jsonl"
    if metrics.exists():
        for line in metrics.read_text().splitlines():
            if line.strip():
                history.append({"run": str(run_dir), **json.loads(line)})
    return row, history


def median_epoch_times(history: pd.DataFrame) -> pd.Series:
    """Each run's median training time per epoch: robust to another job sharing the cores for
    a while. Indexed by run."""
    if "train/epoch_time_s" not in history:
        return pd.Series(dtype=float, name="epoch_time_s")
    return history.groupby("run")["train/epoch_time_s"].median().rename("epoch_time_s")


def run_directories(paths: list[Path]) -> list[Path]:
    """Run directories at or below `paths`: those with a summary or with metrics."""
    found = set()
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(f"no such run or sweep directory: {path}")
        for marker in ("summary.json", "metrics.jsonl"):
            found.update(candidate.parent for candidate in path.rglob(marker))
    return sorted(found)


def load_runs(paths: list[Path]) -> RunCollection:
    rows, history, problems = [], [], []
    for run_dir in run_directories([Path(p) for p in paths]):
        try:
            row, run_history = _read_run(run_dir)
        except (OSError, ValueError) as error:
            problems.append({"run": str(run_dir), "status": "unreadable", "error": str(error)})
            continue
        rows.append(row)
        history.extend(run_history)
        if row.get("status") != "finished":
            status = row.get("status", "unknown")
            if status == "running":
                status = "did not finish"
            problems.append({"run": str(run_dir), "status": status, "error": row.get("error", "")})
    return RunCollection(
        runs=pd.DataFrame(rows),
        history=pd.DataFrame(history),
        problems=pd.DataFrame(problems, columns=["run", "status", "error"]),
    )


def varying_parameters(runs: pd.DataFrame) -> list[str]:
    """Config keys whose values differ between the runs, apart from the seed and the keys that
    only say where or how a run ran."""
    columns = []
    for column in runs.columns:
        if not column.startswith("config.") or column in ("config.seed", "config.algo.name"):
            continue
        if column.startswith(IGNORED_CONFIG_PREFIXES):
            continue
        if runs[column].astype(str).nunique(dropna=False) > 1:
            columns.append(column)
    return columns


def assign_groups(runs: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Label each run with its group: the algorithm plus the parameters that vary among that
    algorithm's runs (so BP's optimiser does not split FF's runs, nor the reverse)."""
    runs = runs.copy()
    varying = {}
    labels = pd.Series(index=runs.index, dtype=object)
    for algo, runs_of_algo in runs.groupby("algo"):
        varying[algo] = varying_parameters(runs_of_algo.dropna(axis=1, how="all"))
        for index, row in runs_of_algo.iterrows():
            parts = [str(algo)] + [
                f"{parameter.removeprefix('config.')}={row[parameter]}"
                for parameter in varying[algo]
            ]
            labels[index] = ", ".join(parts)
    runs["group"] = labels
    return runs, varying
