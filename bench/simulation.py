"""The large version of tests/profiles/test_simulation.py: more replicates, several sample sizes.

    .venv/bin/python bench/simulation.py [--replicates 2000]

Prints, per sample size, the mean absolute error of the raw and the raked H against the city's
true H, and how often each one's 95% interval covers the truth.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "profiles")]

from simulated_city import TRUE_H, draw  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicates", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"true H = {TRUE_H:.4f}; urban men answer 3x more often than rural women")
    print(f"{'sample':>8} {'raw error':>10} {'raked error':>12} {'raw cover':>10} {'raked cover':>12} {'seconds':>8}")
    for size in (300, 1000, 3000, 10000):
        started = time.perf_counter()
        result = draw(args.replicates, size, args.seed)
        print(f"{size:>8} {np.abs(result.raw_H - TRUE_H).mean():>10.4f} {np.abs(result.raked_H - TRUE_H).mean():>12.4f} "
              f"{result.coverage(result.raw_ci):>10.1%} {result.coverage(result.raked_ci):>12.1%} {time.perf_counter() - started:>8.1f}")


if __name__ == "__main__":
    main()
