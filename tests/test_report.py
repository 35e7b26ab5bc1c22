"""Reports built from real (tiny) runs of both algorithms over several seeds."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, run_train

from ffbp.report.runs import assign_groups, load_runs
from ffbp.report.wandb_source import load_wandb_runs, wandb_query

TINY = [
    "data=synthetic",
    "trainer.epochs=2",
    "model.hidden_sizes=[32,32]",
    "logger=none",
    "trainer.progress_bar=false",
]


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """Three seeds of each algorithm, two seeds of FF with another label strength, one run that
    failed and one that never finished."""
    root = tmp_path_factory.mktemp("study")
    for name, overrides in [
        ("main", ["algo=bp,ff", "seed=0,1,2"]),
        ("strength", ["algo=ff", "algo.label_strength=8", "seed=0,1"]),
    ]:
        completed = run_train("-m", *overrides, *TINY, f"hydra.sweep.dir={root / name}", cwd=root)
        assert completed.returncode == 0, completed.stderr
    template = next((root / "main").glob("*_bp_seed0"))
    for status in ("failed", "running"):
        copy = root / "broken" / status
        shutil.copytree(template, copy)
        summary = json.loads((copy / "summary.json").read_text())
        summary["status"] = status
        summary["error"] = "RuntimeError: boom" if status == "failed" else None
        (copy / "summary.json").write_text(json.dumps(summary))
    return root


def make_report(study: Path, out: Path, *paths: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "scripts" / "report.py"), *paths, "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=study,
    )


def test_report_files_are_valid_figures_and_tables(study, tmp_path):
    completed = make_report(
        study, tmp_path / "report", str(study / "main"), str(study / "strength")
    )
    assert completed.returncode == 0, completed.stderr
    out = tmp_path / "report"
    pngs, pdfs = sorted(out.glob("*.png")), sorted(out.glob("*.pdf"))
    names = {p.stem for p in pngs}
    assert {"val_accuracy_vs_epoch", "val_accuracy_vs_time"} <= names
    assert any(name.startswith("ff_layers_") for name in names)
    assert {p.stem for p in pdfs} == names
    assert all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 5000 for p in pngs)
    assert all(p.read_bytes().startswith(b"%PDF") and p.stat().st_size > 2000 for p in pdfs)
    latex = (out / "results.tex").read_text()
    assert "\\toprule" in latex and "\\bottomrule" in latex and "$\\pm$" in latex
    report = (out / "report.md").read_text()
    assert "![" in report and "| Run group |" in report and "python train.py" in report


def test_table_means_and_stds_equal_the_summaries(study, tmp_path):
    completed = make_report(study, tmp_path / "report", str(study / "main"))
    assert completed.returncode == 0, completed.stderr
    table = pd.read_csv(tmp_path / "report" / "results.csv").set_index("group")
    for algo in ("bp", "ff"):
        errors = [
            100 * (1 - json.loads(path.read_text())["test/accuracy"])
            for path in (study / "main").glob(f"*_{algo}_seed*/summary.json")
        ]
        assert len(errors) == 3
        row = table.loc[algo]
        assert row["seeds"] == 3
        assert row["test_error_mean"] == pytest.approx(pd.Series(errors).mean())
        assert row["test_error_std"] == pytest.approx(pd.Series(errors).std(ddof=1))


def test_failed_and_unfinished_runs_are_listed(study, tmp_path):
    completed = make_report(study, tmp_path / "report", str(study))
    assert completed.returncode == 0, completed.stderr
    report = (tmp_path / "report" / "report.md").read_text()
    failures = report.split("## Runs that failed or did not finish")[1]
    assert "broken/failed`: failed (RuntimeError: boom)" in failures
    assert "broken/running`: did not finish" in failures
    assert "did not finish" in completed.stdout


def test_grouping_finds_the_parameters_that_differ(study):
    collection = load_runs([study / "main", study / "strength"])
    runs, varying = assign_groups(collection.finished)
    assert varying == {"bp": [], "ff": ["config.algo.label_strength"]}
    assert sorted(runs["group"].unique()) == [
        "bp",
        "ff, algo.label_strength=1.0",
        "ff, algo.label_strength=8.0",
    ]


def test_report_refuses_missing_directories(tmp_path):
    completed = make_report(tmp_path, tmp_path / "out", str(tmp_path / "absent"))
    assert completed.returncode == 2
    assert "no such run or sweep directory" in completed.stderr


class FakeApi:
    def __init__(self):
        self.calls = []

    def runs(self, path, filters):
        self.calls.append((path, filters))
        return []


def test_wandb_source_queries_one_group():
    assert wandb_query("me/ffbp", "fmnist") == ("me/ffbp", {"group": "fmnist"})
    with pytest.raises(ValueError, match="ENTITY/PROJECT"):
        wandb_query("ffbp", "fmnist")
    api = FakeApi()
    collection = load_wandb_runs("me/ffbp", "fmnist", api=api)
    assert api.calls == [("me/ffbp", {"group": "fmnist"})]
    assert collection.runs.empty
