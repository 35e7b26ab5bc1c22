"""Sweeps as a user runs them: Hydra multirun, Optuna, and the submitit launcher."""

import json
import sqlite3
from pathlib import Path

import optuna
import yaml
from conftest import run_train
from test_end_to_end import wandb_records

TINY = [
    "data=synthetic",
    "trainer.epochs=1",
    "model.hidden_sizes=[32,32]",
    "trainer.progress_bar=false",
]


def run_dirs(sweep_dir: Path) -> list[Path]:
    return sorted(path.parent for path in sweep_dir.glob("*/summary.json"))


def test_a_two_by_two_multirun_gives_four_runs_in_one_wandb_group(tmp_path):
    sweep_dir = tmp_path / "sweep"
    completed = run_train(
        "-m", "algo=bp,ff", "seed=0,1", *TINY, f"hydra.sweep.dir={sweep_dir}", cwd=tmp_path
    )
    assert completed.returncode == 0, completed.stderr
    dirs = run_dirs(sweep_dir)
    assert len(dirs) == 4
    summaries = [json.loads((d / "summary.json").read_text()) for d in dirs]
    assert sorted((s["algo"], s["seed"]) for s in summaries) == [
        ("bp", 0),
        ("bp", 1),
        ("ff", 0),
        ("ff", 1),
    ]
    assert all(s["status"] == "finished" for s in summaries)
    runs = [next(r["run"] for r in wandb_records(d) if r["type"] == "run") for d in dirs]
    assert len({run["run_id"] for run in runs}) == 4
    assert {run["run_group"] for run in runs} == {sweep_dir.name}
    assert sorted(run["job_type"] for run in runs) == ["bp", "bp", "ff", "ff"]


def trial_states(sweep_dir: Path) -> list[str]:
    study = optuna.load_study(study_name="ff_synthetic", storage=f"sqlite:///{sweep_dir}/optuna.db")
    return [trial.state.name for trial in study.trials]


def test_optuna_sweep_stores_its_study_and_continues_it(tmp_path):
    sweep_dir = tmp_path / "optuna"
    arguments = ["hparams_search=ff_optuna", *TINY, "logger=none", f"hydra.sweep.dir={sweep_dir}"]
    completed = run_train(*arguments, "hydra.sweeper.n_trials=3", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert trial_states(sweep_dir) == ["COMPLETE"] * 3
    best = yaml.safe_load((sweep_dir / "optimization_results.yaml").read_text())
    values = [
        json.loads((d / "summary.json").read_text())["val/accuracy"] for d in run_dirs(sweep_dir)
    ]
    assert best["best_value"] == max(values)
    assert "algo.optimizer.lr" in best["best_params"]
    assert "Best value" in completed.stdout + completed.stderr

    completed = run_train(*arguments, "hydra.sweeper.n_trials=2", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert trial_states(sweep_dir) == ["COMPLETE"] * 5
    assert len(run_dirs(sweep_dir)) == 5  # the continued sweep kept the first three runs


def test_a_failing_trial_does_not_stop_the_sweep(tmp_path):
    config_dir = tmp_path / "extra_configs" / "hparams_search"
    config_dir.mkdir(parents=True)
    (config_dir / "failing.yaml").write_text(
        # Not the grid sampler: it orders the grid with Python's unseeded `random`, and when the
        # failed trial is told last the plugin's grid-exhausted stop raises. A seeded random
        # sampler draws both values here, failing one first (seed 0).
        """# @package _global_
defaults:
  - override /hydra/sweeper: optuna
  - override /hydra/sweeper/sampler: random
hydra:
  mode: MULTIRUN
  sweeper:
    storage: sqlite:///${hydra.sweep.dir}/optuna.db
    study_name: failing
    direction: maximize
    n_trials: 2
    max_failure_rate: 1.0
    sampler:
      seed: 0
    params:
      trainer.batch_size: choice(100000, 100)
"""
    )
    sweep_dir = tmp_path / "sweep"
    completed = run_train(
        f"--config-dir={config_dir.parent}",
        "hparams_search=failing",
        *TINY,
        "logger=none",
        f"hydra.sweep.dir={sweep_dir}",
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr
    assert "trainer.batch_size=100000 exceeds" in completed.stderr
    with sqlite3.connect(sweep_dir / "optuna.db") as db:
        states = sorted(state for (state,) in db.execute("SELECT state FROM trials"))
    assert states == ["COMPLETE", "FAIL"]
    assert len(run_dirs(sweep_dir)) == 1


def test_submitit_local_executor_runs_jobs_with_records(tmp_path):
    sweep_dir = tmp_path / "sweep"
    completed = run_train(
        "-m",
        "hydra/launcher=submitit_local",
        "algo=bp,ff",
        *TINY,
        "logger=none",
        f"hydra.sweep.dir={sweep_dir}",
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr
    dirs = run_dirs(sweep_dir)
    assert len(dirs) == 2
    assert all(json.loads((d / "summary.json").read_text())["status"] == "finished" for d in dirs)
    assert (sweep_dir / ".submitit").is_dir()


def test_joblib_launcher_runs_jobs_in_parallel_processes(tmp_path):
    sweep_dir = tmp_path / "sweep"
    completed = run_train(
        "-m",
        "hydra/launcher=local_parallel",
        "algo=bp,ff",
        *TINY,
        "logger=none",
        f"hydra.sweep.dir={sweep_dir}",
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr
    summaries = [json.loads((d / "summary.json").read_text()) for d in run_dirs(sweep_dir)]
    assert sorted(s["algo"] for s in summaries) == ["bp", "ff"]
    assert all(s["status"] == "finished" for s in summaries)
