"""The same run tables from the W&B API, for runs logged online."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ffbp.report.runs import RunCollection, config_columns

SUMMARY_KEYS_PREFIXES = ("test/", "val/", "train/", "memory/")


def wandb_query(entity_project: str, group: str) -> tuple[str, dict[str, Any]]:
    """The path and filters that select one W&B group's runs."""
    if entity_project.count("/") != 1:
        raise ValueError(f"--wandb expects ENTITY/PROJECT, got {entity_project!r}")
    return entity_project, {"group": group}


def load_wandb_runs(entity_project: str, group: str, api: Any = None) -> RunCollection:
    if api is None:
        import wandb

        api = wandb.Api()
    path, filters = wandb_query(entity_project, group)
    rows, history, problems = [], [], []
    for run in api.runs(path, filters=filters):
        config = dict(run.config)
        summary = dict(run.summary)
        status = summary.get("status", "finished" if run.state == "finished" else run.state)
        row = {
            "run": run.id,
            "status": status,
            "algo": config.get("algo", {}).get("name", run.job_type),
            "seed": config.get("seed"),
            "epochs": config.get("trainer", {}).get("epochs"),
            "overrides": "",
            **{k: v for k, v in summary.items() if k.startswith(SUMMARY_KEYS_PREFIXES)},
        }
        row.update(config_columns(config))
        rows.append(row)
        for record in run.history(pandas=False):
            history.append({"run": run.id, **record})
        if status != "finished":
            problems.append({"run": run.id, "status": status, "error": summary.get("error", "")})
    return RunCollection(
        runs=pd.DataFrame(rows),
        history=pd.DataFrame(history),
        problems=pd.DataFrame(problems, columns=["run", "status", "error"]),
    )
