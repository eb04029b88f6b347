"""The notebook template's `make test` (CI mode) on N pytest-xdist workers vs one process
(the baseline), alternated ABAB in the same run; prints min/median/max seconds and the ratio
of the medians (target: the suite within 120 s on 2 cores).

Needs a generated local-model-notebook project after `make setup`:

    python bench/notebook_tests.py PROJECT_DIR [--rounds 2] [--workers 2]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def run(project: Path, workers: int) -> float:
    start = time.monotonic()
    result = subprocess.run(
        ["make", "test", f"TEST_WORKERS={workers}"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if result.returncode != 0:
        print(f"error: make test TEST_WORKERS={workers} failed:\n{result.stderr[-2000:]}")
        raise SystemExit(2)
    return time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="a set-up local-model-notebook project")
    parser.add_argument("--rounds", type=int, default=2, help="A/B pairs (default 2: ABAB)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not (args.project / ".venv" / ".setup-done").exists():
        sys.exit(f"error: run `make setup` in {args.project} first")

    times: dict[int, list[float]] = {1: [], args.workers: []}
    for _ in range(args.rounds):
        for workers in (1, args.workers):  # A = baseline, B = workers
            times[workers].append(run(args.project, workers))
            print(f"workers={workers}: {times[workers][-1]:.0f}s", flush=True)
    for workers, values in times.items():
        low, mid, high = min(values), statistics.median(values), max(values)
        print(f"workers={workers}: min {low:.0f}s  median {mid:.0f}s  max {high:.0f}s")
    ratio = statistics.median(times[args.workers]) / statistics.median(times[1])
    print(f"ratio (workers={args.workers} / 1): {ratio:.2f}x")


if __name__ == "__main__":
    main()
