"""Paper-style reports from runs: a tidy table of runs, figures, results tables, report.md."""

from ffbp.report.runs import RunCollection, load_runs

__all__ = ["RunCollection", "load_runs"]
