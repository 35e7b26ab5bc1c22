"""`python train.py ...` in a subprocess, as a user runs it, and the records it leaves."""

import json
import subprocess
import sys
from pathlib import Path

from conftest import run_train

RECORD_KEYS = {
    "test/accuracy",
    "val/accuracy",
    "train/time_s",
    "train/samples_per_s",
    "algo",
    "dataset",
    "seed",
    "git_commit",
    "config",
}


def read_metrics(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def wandb_records(run_dir: Path) -> list[dict]:
    (offline_run,) = (run_dir / "wandb").glob("offline-run-*")
    wandb_cli = Path(sys.executable).parent / "wandb"
    listing = subprocess.run(
        [str(wandb_cli), "leet", "inspect", "--json", str(offline_run)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [json.loads(line) for line in listing.splitlines() if line.startswith("{")]


def test_backprop_run_writes_records_and_an_offline_wandb_run(tmp_path):
    run_dir = tmp_path / "run"
    completed = run_train(
        "algo=bp",
        "data=synthetic",
        "trainer.epochs=2",
        "model.hidden_sizes=[64,64]",
        f"hydra.run.dir={run_dir}",
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary.keys() >= RECORD_KEYS
    assert (
        summary["status"] == "finished"
        and summary["algo"] == "bp"
        and summary["dataset"] == "synthetic"
    )
    assert summary["test/accuracy"] > 0.9
    assert summary["config"]["model"]["hidden_sizes"] == [64, 64]
    environment = json.loads((run_dir / "environment.json").read_text())
    assert environment["environment"]["packages"]["torch"]
    metrics = read_metrics(run_dir)
    assert [m["epoch"] for m in metrics] == [1, 2]
    assert {"train/loss", "train/accuracy", "val/accuracy", "train/samples_per_s"} <= metrics[
        0
    ].keys()
    assert summary["val/accuracy"] == metrics[-1]["val/accuracy"]
    # The user sees the result, the run directory and how to upload the offline run.
    assert "test accuracy" in completed.stdout and str(run_dir) in completed.stdout
    assert "wandb sync" in completed.stdout

    records = wandb_records(run_dir)
    (run_record,) = [r["run"] for r in records if r["type"] == "run"]
    assert run_record["job_type"] == "bp" and run_record["run_group"] == "synthetic"
    assert run_record["config"]["update"]["model"]["hidden_sizes"] == [64, 64]
    history = [r["history"]["item"] for r in records if r["type"] == "history"]
    assert [h["epoch"] for h in history] == [1, 2]
    for logged, local in zip(history, metrics, strict=True):
        assert logged["val/accuracy"] == local["val/accuracy"]
        assert logged["train/loss"] == local["train/loss"]
    exits = [r for r in records if r["type"] == "exit"]
    assert exits and exits[-1]["exit"].get("exit_code", 0) == 0


def test_forward_forward_run_records_per_layer_metrics(tmp_path):
    run_dir = tmp_path / "run"
    completed = run_train(
        "algo=ff",
        "data=synthetic",
        "trainer.epochs=2",
        "model.hidden_sizes=[64,64]",
        "algo.label_strength=8",
        "logger=none",
        f"hydra.run.dir={run_dir}",
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["algo"] == "ff" and summary["status"] == "finished"
    assert summary["test/accuracy"] == summary["test/accuracy_goodness"]
    assert {
        "test/accuracy_softmax",
        "val/accuracy_goodness",
        "val/accuracy_softmax",
    } <= summary.keys()
    metrics = read_metrics(run_dir)
    for layer in (1, 2):
        for name in ("loss", "goodness_pos", "goodness_neg", "separation"):
            assert f"ff/layer{layer}/{name}" in metrics[-1]
    assert not (run_dir / "wandb").exists()
