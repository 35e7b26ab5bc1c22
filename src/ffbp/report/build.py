"""A report directory: figures (PNG and PDF), the results table (Markdown, LaTeX), report.md."""

from __future__ import annotations

import datetime
from pathlib import Path

import pandas as pd

from ffbp.report.figures import ff_layer_figures, learning_curves
from ffbp.report.runs import RunCollection, assign_groups
from ffbp.report.tables import results_table, to_latex, to_markdown

CAPTIONS = {
    "val_accuracy_vs_epoch": "Validation accuracy per epoch: mean over seeds, band = one std.",
    "val_accuracy_vs_time": "Validation accuracy against cumulative training time "
    "(evaluation excluded).",
}


def build_report(collection: RunCollection, out_dir: Path, command: str, title: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    finished = collection.finished
    if finished.empty:
        raise ValueError("no finished runs to report on")
    runs, varying = assign_groups(finished)
    history = collection.history[collection.history["run"].isin(runs["run"])]
    table = results_table(runs, history)
    (out_dir / "results.md").write_text(to_markdown(table))
    (out_dir / "results.tex").write_text(to_latex(table))
    table.to_csv(out_dir / "results.csv", index=False)
    figures = {
        **learning_curves(runs, history, out_dir),
        **ff_layer_figures(runs, history, out_dir),
    }

    lines = [
        f"# {title}",
        "",
        f"Made by `{command}` on {datetime.date.today().isoformat()} from "
        f"{len(collection.runs)} runs ({len(finished)} finished).",
        "",
        "## Results",
        "",
        "Test error: mean ± sample standard deviation over seeds. Time per epoch: median over a "
        "run's epochs (training only), averaged over seeds. Also in `results.tex` (booktabs) "
        "and `results.csv`.",
        "",
        to_markdown(table),
        "## Figures",
        "",
    ]
    for name in figures:
        caption = CAPTIONS.get(
            name,
            "Forward-Forward, per layer: mean goodness of positive (solid) "
            "and negative (dashed) training data, and the share of examples "
            "whose positive goodness beats their negative goodness.",
        )
        lines += [f"![{caption}]({name}.png)", "", f"*{caption}* ([PDF]({name}.pdf))", ""]
    lines += ["## How the runs differ", ""]
    for algo, parameters in varying.items():
        shown = (
            ", ".join(f"`{p.removeprefix('config.')}`" for p in parameters)
            or "nothing but the seed"
        )
        lines.append(f"- {algo}: {shown}")
    lines += ["", "## Commands", "", "Each run's own overrides of `python train.py`:", ""]
    for group, members in runs.groupby("group", sort=True):
        lines.append(f"**{group}**")
        lines.append("")
        lines.append("```")
        lines += [
            f"python train.py {overrides}".rstrip()
            for overrides in sorted(set(members["overrides"]))
        ]
        lines += ["```", ""]
    lines += ["## Runs that failed or did not finish", ""]
    if collection.problems.empty:
        lines.append("None.")
    else:
        lines += [
            f"- `{row.run}`: {row.status}"
            + (f" ({row.error})" if isinstance(row.error, str) and row.error else "")
            for row in collection.problems.itertuples()
        ]
    report = out_dir / "report.md"
    report.write_text("\n".join(lines) + "\n")
    return report


def describe_problems(problems: pd.DataFrame) -> str:
    return "\n".join(f"{row.status}: {row.run}" for row in problems.itertuples())
