"""Paper-style report (figures, tables, report.md) from run or sweep directories, or from W&B.

python scripts/report.py outputs/multiruns/2026-12-04/10-00-00 --out reports/study
python scripts/report.py --wandb ENTITY/PROJECT --group NAME --out reports/study
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from ffbp.report.build import build_report, describe_problems
from ffbp.report.runs import load_runs
from ffbp.report.wandb_source import load_wandb_runs


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="run or sweep directories")
    parser.add_argument("--out", type=Path, required=True, help="where the report goes")
    parser.add_argument("--wandb", metavar="ENTITY/PROJECT", help="read runs from W&B instead")
    parser.add_argument("--group", help="the W&B group to read (with --wandb)")
    parser.add_argument("--title", default="ffbp report")
    args = parser.parse_args(argv)
    if bool(args.wandb) == bool(args.paths):
        parser.error("give run directories or --wandb ENTITY/PROJECT --group NAME, not both")
    if args.wandb and not args.group:
        parser.error("--wandb needs --group")
    try:
        collection = (
            load_wandb_runs(args.wandb, args.group) if args.wandb else load_runs(args.paths)
        )
        report = build_report(
            collection, args.out, "python scripts/report.py " + shlex.join(argv), args.title
        )
    except (FileNotFoundError, ValueError) as error:
        print(f"report: error: {error}", file=sys.stderr)
        return 2
    if not collection.problems.empty:
        print("runs that failed or did not finish:\n" + describe_problems(collection.problems))
    print(f"report: {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
