"""The results table: test error as mean +- std over seeds, cost, memory; Markdown and LaTeX."""

from __future__ import annotations

import pandas as pd

from ffbp.report.runs import median_epoch_times

MEMORY_PREFIX = "memory/"


def results_table(runs: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """One row per group of finished runs (see `assign_groups`), numbers unformatted."""
    runs = runs.join(median_epoch_times(history), on="run")
    runs["test_error_pct"] = 100 * (1 - runs["test/accuracy"])
    rows = []
    for group, members in runs.groupby("group", sort=True):
        row = {
            "group": group,
            "algo": members["algo"].iloc[0],
            "seeds": members["seed"].nunique(),
            "test_error_mean": members["test_error_pct"].mean(),
            "test_error_std": members["test_error_pct"].std(ddof=1)
            if len(members) > 1
            else float("nan"),
            "epochs": members["epochs"].iloc[0] if "epochs" in members else float("nan"),
            "epoch_time_s": members["epoch_time_s"].mean(),
            "samples_per_s": members["train/samples_per_s"].mean(),
        }
        for column in sorted(c for c in runs.columns if c.startswith(MEMORY_PREFIX)):
            row[column] = members[column].mean()
        rows.append(row)
    return pd.DataFrame(rows)


def _format(table: pd.DataFrame, plus_minus: str) -> pd.DataFrame:
    def error(row: pd.Series) -> str:
        if pd.isna(row["test_error_std"]):
            return f"{row['test_error_mean']:.2f}"
        return f"{row['test_error_mean']:.2f} {plus_minus} {row['test_error_std']:.2f}"

    formatted = pd.DataFrame(
        {
            "Run group": table["group"],
            "Test error (%)": table.apply(error, axis=1),
            "Seeds": table["seeds"].astype(int),
            "Epochs": table["epochs"].map(lambda v: "" if pd.isna(v) else f"{int(v)}"),
            "Time/epoch (s)": table["epoch_time_s"].map(lambda v: f"{v:.1f}"),
            "Samples/s": table["samples_per_s"].map(lambda v: f"{v:,.0f}"),
        }
    )
    for column in table.columns:
        if column.startswith(MEMORY_PREFIX):
            label = column.removeprefix(MEMORY_PREFIX).replace("_", " ")
            formatted[f"{label} (MiB)"] = table[column].map(lambda v: f"{v / 2**20:.1f}")
    return formatted


def to_markdown(table: pd.DataFrame) -> str:
    formatted = _format(table, "±")
    lines = ["| " + " | ".join(formatted.columns) + " |", "|" + " --- |" * len(formatted.columns)]
    lines += [
        "| " + " | ".join(str(v) for v in row) + " |" for row in formatted.itertuples(index=False)
    ]
    return "\n".join(lines) + "\n"


def to_latex(table: pd.DataFrame) -> str:
    """A booktabs table (\\toprule, \\midrule, \\bottomrule)."""
    formatted = _format(table, "$\\pm$")
    formatted["Run group"] = formatted["Run group"].str.replace("_", "\\_", regex=False)
    return formatted.style.hide(axis="index").to_latex(
        hrules=True, column_format="l" + "r" * (len(formatted.columns) - 1)
    )
