"""Markdown table of the runs under some directories, one row per run (see report.py for
tables grouped over seeds).

    python scripts/runs_table.py outputs/fmnist_ff_variants --columns algo.loss algo.negatives
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from ffbp.report.runs import load_runs, median_epoch_times


def _cell(value) -> str:
    """A value as shown in the table: '-' where a run has none (another algorithm's key)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.4f}" if isinstance(value, float) and value < 1 else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="+", type=Path)
    parser.add_argument("--columns", nargs="*", default=[], help="dotted config keys to show")
    args = parser.parse_args()
    collection = load_runs(args.roots)
    runs, history = collection.runs, collection.history
    epoch_time = median_epoch_times(history)
    header = [
        "run",
        "algo",
        *args.columns,
        "test acc",
        "goodness",
        "softmax",
        "val acc",
        "median s/epoch",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    for row in runs.sort_values("run").to_dict("records"):
        cells = [Path(row["run"]).name, row["algo"]]
        cells += [_cell(row.get(f"config.{column}")) for column in args.columns]
        if row.get("status") != "finished":
            cells += [str(row.get("status")), "", "", "", ""]
        else:
            cells += [
                f"{row['test/accuracy']:.4f}",
                _cell(row.get("test/accuracy_goodness")),
                _cell(row.get("test/accuracy_softmax")),
                f"{row['val/accuracy']:.4f}",
                f"{epoch_time[row['run']]:.1f}",
            ]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
