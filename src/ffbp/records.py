"""Local run records next to Hydra's outputs: `metrics.jsonl`, `summary.json`, `environment.json`.

They are written as the run goes (metrics line by line, flushed), so nothing already measured
is lost if a run dies, and they are readable without W&B.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    os.replace(partial, path)


class RunRecords:
    def __init__(self, run_dir: Path, history: list[dict[str, Any]] | None = None):
        """`history`: the epochs a resumed run already logged; metrics.jsonl restarts from
        exactly those, so no epoch is missing or duplicated whenever the run stopped."""
        self.run_dir = run_dir
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.metrics_path = run_dir / "metrics.jsonl"
        self.summary_path = run_dir / "summary.json"
        self._metrics_file = open(self.metrics_path, "w")  # noqa: SIM115 - open for the run
        for metrics in history or []:
            self.log(metrics)

    def log(self, metrics: dict[str, Any]) -> None:
        record = {key: _json_safe(value) for key, value in metrics.items()}
        self._metrics_file.write(json.dumps(record) + "\n")
        self._metrics_file.flush()

    def write(self, name: str, payload: dict[str, Any]) -> None:
        write_json_atomically(self.run_dir / name, payload)

    def close(self) -> None:
        self._metrics_file.close()
