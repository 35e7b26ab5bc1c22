"""Benchmark backprop and Forward-Forward on the same MLP: throughput against a matmul ceiling,
prediction cost, and the memory held for backward. Prints a table and writes JSON.

    python scripts/benchmark.py                       # 3 x 1000, batch 512, this machine
    python scripts/benchmark.py --quick               # seconds: a small net, few steps
    python scripts/benchmark.py --device cuda --hidden-sizes 2000 2000 2000 2000
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from ffbp.benchmark import BenchmarkSettings, depth_scaling_figure, format_results, run_benchmark
from ffbp.performance import tune_cpu_allocator


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden-sizes", type=int, nargs="+", default=[1000, 1000, 1000])
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, help="torch intra-op threads (default: torch's)")
    parser.add_argument("--steps", type=int, default=30, help="timed steps per measurement")
    parser.add_argument("--depth-width", type=int, default=1000, help="width for the depth scan")
    parser.add_argument("--quick", action="store_true", help="a small net and few steps")
    parser.add_argument("--figure", type=Path, help="also plot depth scaling to FIGURE.png/.pdf")
    parser.add_argument(
        "--no-allocator-tuning", action="store_true", help="keep glibc's default malloc thresholds"
    )
    parser.add_argument("--json", type=Path, default=Path("outputs/benchmark.json"))
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    allocator_tuned = False if args.no_allocator_tuning else tune_cpu_allocator()
    settings = BenchmarkSettings(
        hidden_sizes=args.hidden_sizes,
        batch_size=args.batch_size,
        device=args.device,
        steps=args.steps,
        depth_width=args.depth_width,
    )
    if args.quick:
        settings = BenchmarkSettings(
            hidden_sizes=[64, 64],
            batch_size=64,
            device=args.device,
            steps=3,
            warmup=1,
            depth_width=64,
        )
    results = run_benchmark(settings)
    results["allocator_tuned"] = allocator_tuned
    print(format_results(results))
    print(f"glibc malloc thresholds raised: {allocator_tuned}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {args.json}")
    if args.figure:
        args.figure.parent.mkdir(parents=True, exist_ok=True)
        print("wrote", *depth_scaling_figure(results, args.figure))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
