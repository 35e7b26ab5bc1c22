"""Print the results table of the runs under a directory, from their summary.json files."""

import json
import statistics
import sys
from pathlib import Path


def main(root: str) -> None:
    columns = [
        "algorithm",
        "label strength",
        "test acc",
        "goodness",
        "softmax",
        "val acc",
        "s/epoch",
    ]
    print("| " + " | ".join(columns) + " |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for path in sorted(Path(root).rglob("summary.json")):
        summary = json.loads(path.read_text())
        if summary.get("status") != "finished":
            print(f"| {path.parent} | {summary.get('status')} | | | | | |")
            continue
        algo = summary["config"]["algo"]
        # The median epoch: robust to another job sharing the cores for a while.
        epoch_times = [
            json.loads(line)["train/epoch_time_s"]
            for line in (path.parent / "metrics.jsonl").read_text().splitlines()
        ]
        per_epoch = statistics.median(epoch_times)
        cells = [
            summary["algo"],
            algo.get("label_strength", "-"),
            f"{summary['test/accuracy']:.4f}",
            f"{summary.get('test/accuracy_goodness', float('nan')):.4f}",
            f"{summary.get('test/accuracy_softmax', float('nan')):.4f}",
            f"{summary['val/accuracy']:.4f}",
            f"{per_epoch:.1f}",
        ]
        print("| " + " | ".join(str(cell) for cell in cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
