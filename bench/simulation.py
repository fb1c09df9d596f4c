"""The large versions of tests/profiles/test_simulation.py and test_coverage.py: more replicates, several sample sizes.

    .venv/bin/python bench/simulation.py [--replicates 2000] [--phone-replicates 200]

Two synthetic cities with a known truth, surveyed with a known bias, profiled by the real code:

1. Urban men answer 3 times more often than rural women: per sample size, the mean absolute
   error of the raw and the raked H against the city's true H, and how often each one's 95%
   interval covers the truth.
2. People without a phone of their own answer 4 times less often, nothing else is biased
   (issue #15): raked on district and gender only, then with a census target on the phone
   question too. Per scenario: mean error, how often the interval covers the truth overall and
   per district, how often the sensitivity range does, and how many profiles carry the
   `unreached` warning.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "profiles")]

import simulated_city  # noqa: E402
import simulated_phones  # noqa: E402


def raked_city(replicates: int, seed: int) -> None:
    true_h = simulated_city.TRUE_H
    print(f"1. true H = {true_h:.4f}; urban men answer 3x more often than rural women")
    print(f"{'sample':>8} {'raw error':>10} {'raked error':>12} {'raw cover':>10} {'raked cover':>12} {'seconds':>8}")
    for size in (300, 1000, 3000, 10000):
        started = time.perf_counter()
        result = simulated_city.draw(replicates, size, seed)
        print(f"{size:>8} {np.abs(result.raw_H - true_h).mean():>10.4f} {np.abs(result.raked_H - true_h).mean():>12.4f} "
              f"{result.coverage(result.raw_ci):>10.1%} {result.coverage(result.raked_ci):>12.1%} {time.perf_counter() - started:>8.1f}")


def phones(replicates: int, seed: int) -> None:
    no_phone = simulated_phones.CELLS[..., 0].sum() / simulated_phones.CELLS.sum()
    print(f"\n2. true H = {simulated_phones.TRUE_H:.4f}; {no_phone:.1%} have no phone of their own and answer 4x less often; "
          f"the flow assumes {simulated_phones.FLOW.profile.coverage.assumed_share:.0%}")
    districts = simulated_phones.DISTRICTS
    print(f"{'sample':>7} {'scenario':<20} {'error':>7} {'cover':>6} " + " ".join(f"{d:>7}" for d in districts)
          + f" {'range':>6} " + " ".join(f"{d:>7}" for d in districts) + f" {'warned':>7} {'seconds':>8}")
    for size in (600, 1500, 5000):
        started = time.perf_counter()
        scenarios = simulated_phones.draw(replicates, size, seed)
        seconds = time.perf_counter() - started
        for name, s in scenarios.items():
            by_district, ranges = s.district_coverage(), s.district_sensitivity_coverage()
            print(f"{size:>7} {name:<20} {s.mean_error:>7.4f} {s.coverage():>6.0%} "
                  + " ".join(f"{by_district[d]:>7.0%}" for d in districts)
                  + f" {s.sensitivity_coverage():>6.0%} " + " ".join(f"{ranges[d]:>7.0%}" for d in districts)
                  + f" {s.warned.mean():>7.0%} {seconds:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicates", type=int, default=2000)
    parser.add_argument("--phone-replicates", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    raked_city(args.replicates, args.seed)
    phones(args.phone_replicates, args.seed)


if __name__ == "__main__":
    main()
