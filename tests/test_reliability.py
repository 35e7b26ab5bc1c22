"""Checkpoints, exact resume, signals, divergence, and clear errors for bad input."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from conftest import REPO, run_train
from helpers import build

from ffbp.checkpoint import load_checkpoint, restore_rng, save_checkpoint
from ffbp.training import LoopState, TrainingInterrupted, fit


def strip_timing(history):
    return [{k: v for k, v in m.items() if "time" not in k and "per_s" not in k} for m in history]


@pytest.mark.parametrize("name, overrides", [("bp", {}), ("ff", {"label_strength": 8.0})])
def test_interrupted_and_resumed_training_equals_uninterrupted(
    synthetic_splits, tmp_path, name, overrides
):
    def new_algorithm():
        return build(name, [32, 32], epochs=3, seed=5, **overrides)

    common = dict(epochs=3, batch_size=100, eval_batch_size=500, seed=5, progress_bar=False)
    torch.manual_seed(11)
    reference = new_algorithm()
    expected = fit(reference, synthetic_splits, log=lambda _: None, **common)

    torch.manual_seed(11)
    interrupted = new_algorithm()
    steps = iter(range(10**6))
    path = tmp_path / "checkpoint.pt"
    with pytest.raises(TrainingInterrupted):
        fit(
            interrupted,
            synthetic_splits,
            log=lambda _: None,
            save=lambda state: save_checkpoint(path, {}, interrupted, state, None),
            stop_requested=lambda: next(steps) >= 35,  # mid-epoch 2 (25 batches per epoch)
            **common,
        )
    torch.manual_seed(999)  # whatever happened in between must not matter
    checkpoint = load_checkpoint(path)
    assert checkpoint["loop"]["epoch"] == 1 and checkpoint["loop"]["step"] > 0
    resumed = new_algorithm()
    resumed.load_state_dict(checkpoint["algorithm"])
    restore_rng(checkpoint["rng"])
    result = fit(
        resumed,
        synthetic_splits,
        log=lambda _: None,
        state=LoopState.from_dict(checkpoint["loop"]),
        **common,
    )

    assert result.test == expected.test
    assert strip_timing(result.history) == strip_timing(expected.history)
    for a, b in zip(reference.model.parameters(), resumed.model.parameters(), strict=True):
        assert torch.equal(a, b)


def wait_for_lines(path: Path, count: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= count:
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise TimeoutError(f"{path} never reached {count} lines")


SLOW_ENOUGH = [
    "algo=ff",
    "algo.label_strength=8",
    "data=synthetic",
    "data.synthetic_train_size=12000",
    "model.hidden_sizes=[256,256]",
    "trainer.epochs=3",
    "trainer.batch_size=50",
    "trainer.progress_bar=false",
]


def test_sigterm_mid_epoch_then_resume_matches_an_uninterrupted_run(tmp_path):
    reference_dir, run_dir = tmp_path / "reference", tmp_path / "run"
    completed = run_train(
        *SLOW_ENOUGH, "logger=none", f"hydra.run.dir={reference_dir}", cwd=tmp_path
    )
    assert completed.returncode == 0, completed.stderr

    env = {**os.environ, "WANDB_MODE": "offline"}
    command = [sys.executable, str(REPO / "train.py"), *SLOW_ENOUGH, f"hydra.run.dir={run_dir}"]
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    wait_for_lines(run_dir / "metrics.jsonl", 1, process)
    time.sleep(0.3)  # into epoch 2
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert json.loads((run_dir / "summary.json").read_text())["status"] == "interrupted"
    resume_command = re.search(r"Resume with: python train.py (.*)", stderr).group(1).split()
    assert f"hydra.run.dir={run_dir}" in resume_command and "trainer.resume=true" in resume_command

    completed = run_train(*resume_command, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    reference = json.loads((reference_dir / "summary.json").read_text())
    resumed = json.loads((run_dir / "summary.json").read_text())
    assert resumed["status"] == "finished"
    for key in ("test/accuracy", "test/accuracy_goodness", "test/accuracy_softmax", "val/accuracy"):
        assert resumed[key] == reference[key]
    history = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    reference_history = [
        json.loads(line) for line in (reference_dir / "metrics.jsonl").read_text().splitlines()
    ]
    assert [m["epoch"] for m in history] == [1, 2, 3]
    assert strip_timing(history) == strip_timing(reference_history)
    final, reference_final = (
        load_checkpoint(run_dir / "checkpoint.pt"),
        load_checkpoint(reference_dir / "checkpoint.pt"),
    )
    for key, tensor in reference_final["algorithm"]["model"].items():
        assert torch.equal(final["algorithm"]["model"][key], tensor), key
    # One W&B run, continued: both offline directories carry the same run id.
    run_ids = {path.name.rsplit("-", 1)[-1] for path in (run_dir / "wandb").glob("offline-run-*")}
    assert len(run_ids) == 1 and len(list((run_dir / "wandb").glob("offline-run-*"))) == 2


def test_resume_refuses_a_changed_model_or_algorithm(tmp_path):
    run_dir = tmp_path / "run"
    tiny = ["data=synthetic", "trainer.epochs=1", "model.hidden_sizes=[16,16]", "logger=none"]
    assert run_train(*tiny, f"hydra.run.dir={run_dir}", cwd=tmp_path).returncode == 0
    completed = run_train(
        *tiny[:-2],
        "model.hidden_sizes=[32,16]",
        "logger=none",
        f"hydra.run.dir={run_dir}",
        "trainer.resume=true",
        cwd=tmp_path,
    )
    assert completed.returncode == 2
    assert (
        "refusing to resume" in completed.stderr
        and "model.hidden_sizes: [16, 16] -> [32, 16]" in completed.stderr
    )
    completed = run_train(
        *tiny, "algo=bp", f"hydra.run.dir={run_dir}", "trainer.resume=true", cwd=tmp_path
    )
    assert completed.returncode == 2 and "algo.name: ff -> bp" in completed.stderr


def test_a_corrupt_checkpoint_is_named(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "checkpoint.pt").write_bytes(b"not a checkpoint")
    completed = run_train(
        "data=synthetic",
        "logger=none",
        f"hydra.run.dir={run_dir}",
        "trainer.resume=true",
        cwd=tmp_path,
    )
    assert completed.returncode == 2
    assert f"checkpoint {run_dir / 'checkpoint.pt'} is unreadable" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_a_run_directory_is_never_overwritten(tmp_path):
    run_dir = tmp_path / "run"
    tiny = [
        "data=synthetic",
        "trainer.epochs=1",
        "model.hidden_sizes=[16,16]",
        "logger=none",
        f"hydra.run.dir={run_dir}",
    ]
    assert run_train(*tiny, cwd=tmp_path).returncode == 0
    before = (run_dir / "summary.json").read_text()
    completed = run_train(*tiny, cwd=tmp_path)
    assert completed.returncode == 2 and "already holds a run" in completed.stderr
    assert (run_dir / "summary.json").read_text() == before


def test_divergence_stops_with_layer_epoch_and_step_and_keeps_records(tmp_path):
    run_dir = tmp_path / "run"
    completed = run_train(
        "algo=bp",
        "data=synthetic",
        "trainer.epochs=3",
        "model.hidden_sizes=[16,16]",
        "algo.optimizer.name=sgd",
        "algo.optimizer.lr=1e12",
        f"hydra.run.dir={run_dir}",
        cwd=tmp_path,
    )
    assert completed.returncode == 3, completed.stderr
    message = completed.stderr.strip().splitlines()[-1]
    assert re.search(
        r"NaN or infinite at epoch 1/3, step \d+ \(non-finite: .*hidden layer 1 weights", message
    ), message
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "failed" and "NaN or infinite" in summary["error"]
    wandb_summary = subprocess.run(
        [
            str(Path(sys.executable).parent / "wandb"),
            "leet",
            "inspect",
            "--summary",
            "--json",
            str(next((run_dir / "wandb").glob("offline-run-*"))),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(wandb_summary)["summary"]["status"] == "failed"


@pytest.mark.parametrize(
    "override, message",
    [
        ("trainer.epoch=3", "Key 'epoch' not in 'TrainerConfig'"),
        ("trainer.epochs=many", "Value 'many' of type 'str' could not be converted to Integer"),
        ("trainer.epochs=0", "trainer.epochs=0: must be > 0"),
        ("model.hidden_sizes=[]", "model.hidden_sizes is empty"),
        ("model.hidden_sizes=[0]", "every width must be > 0"),
        ("trainer.batch_size=99999", "trainer.batch_size=99999 exceeds the 5000 training examples"),
        ("algo.optimizer.lr=0", "algo.optimizer.lr=0.0: must be > 0"),
        ("algo.threshold=-1", "algo.threshold=-1.0: must be >= 0"),
        ("data=imagenet", "Could not find 'data/imagenet'"),
        ("data.name=mnist data.root=/nonexistent data.download=false", "dataset 'mnist' not found"),
        ("hydra.run.dir=/dev/null/run", "cannot write the output directory /dev/null/run"),
        ("device=cuda", "device=cuda but no CUDA GPU is visible"),
    ],
)
def test_bad_input_exits_with_one_clear_line(tmp_path, override, message):
    if override == "device=cuda" and torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    completed = run_train("data=synthetic", "logger=none", *override.split(), cwd=tmp_path)
    assert completed.returncode in (1, 2)  # Hydra's own errors exit 1, ffbp's checks 2
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr


def test_online_logging_without_a_key_falls_back_to_offline(tmp_path):
    run_dir = tmp_path / "run"
    env = {"WANDB_API_KEY": "", "HOME": str(tmp_path), "WANDB_MODE": ""}
    completed = run_train(
        "data=synthetic",
        "trainer.epochs=1",
        "model.hidden_sizes=[16,16]",
        "logger.mode=online",
        f"hydra.run.dir={run_dir}",
        cwd=tmp_path,
        env=env,
    )
    assert completed.returncode == 0, completed.stderr
    assert "logging offline instead" in completed.stderr
    assert "wandb sync" in completed.stdout
    assert list((run_dir / "wandb").glob("offline-run-*"))


def test_a_preemption_signal_is_handed_on_after_the_checkpoint():
    """SLURM warns with SIGUSR2, which submitit's handler answers by requeueing the job: the run
    stops and checkpoints first, then passes the signal on."""
    from ffbp.run import StopOnSignals

    calls = []
    previous = signal.signal(signal.SIGUSR2, lambda number, frame: calls.append(number))
    try:
        with StopOnSignals() as stop:
            os.kill(os.getpid(), signal.SIGUSR2)
            time.sleep(0.01)
            assert stop.requested() and stop.received == signal.SIGUSR2
            assert calls == []  # not yet: the checkpoint comes first
        stop.hand_over()
        assert calls == [signal.SIGUSR2]
    finally:
        signal.signal(signal.SIGUSR2, previous)
