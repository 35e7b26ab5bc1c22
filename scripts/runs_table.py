"""Markdown table of the runs under some directories, from their summary.json and metrics.jsonl.

python scripts/runs_table.py outputs/fmnist_ff_vs_bp --columns algo.label_strength
"""

from __future__ import annotations

import argparse
import json
import statistics
from functools import reduce
from pathlib import Path


def config_value(config: dict, dotted: str):
    return reduce(
        lambda node, key: node.get(key, "-") if isinstance(node, dict) else "-",
        dotted.split("."),
        config,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="+", type=Path)
    parser.add_argument("--columns", nargs="*", default=[], help="dotted config keys to show")
    args = parser.parse_args()
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
    for root in args.roots:
        for path in sorted(root.rglob("summary.json")):
            summary = json.loads(path.read_text())
            cells = [path.parent.name, summary["algo"]]
            cells += [str(config_value(summary["config"], column)) for column in args.columns]
            if summary.get("status") != "finished":
                print("| " + " | ".join(cells + [summary.get("status", "?")] + [""] * 4) + " |")
                continue
            # The median epoch: robust to another job sharing the cores for a while.
            epoch_times = [
                json.loads(line)["train/epoch_time_s"]
                for line in (path.parent / "metrics.jsonl").read_text().splitlines()
            ]
            cells += [
                f"{summary['test/accuracy']:.4f}",
                f"{summary.get('test/accuracy_goodness', float('nan')):.4f}",
                f"{summary.get('test/accuracy_softmax', float('nan')):.4f}",
                f"{summary['val/accuracy']:.4f}",
                f"{statistics.median(epoch_times):.1f}",
            ]
            print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
