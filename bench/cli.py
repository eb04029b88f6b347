"""ai-eng's overhead over plain Copier, as ratios measured in one run.

Targets: `ai-eng --help` <= 0.5x `copier --help`; `ai-eng new <t> --defaults` <= 1.1x
`copier copy` of the same template from the same source. Runs alternate (ABAB...) so that
machine load hits both sides alike; each row shows min / median / max seconds and the ratio
of the medians (and of the mins).

    python bench/cli.py [--runs 7] [--template rag-pipeline]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent


def timed(cmd: list[str], before: Callable[[], None] | None = None) -> float:
    if before is not None:
        before()
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    return time.perf_counter() - start


def abab(
    ours: list[str], theirs: list[str], runs: int, before: Callable[[], None] | None = None
) -> tuple[list[float], list[float]]:
    """Alternate the two commands `runs` times each (after one untimed warm-up of each)."""
    timed(ours, before)
    timed(theirs, before)
    a, b = [], []
    for _ in range(runs):
        a.append(timed(ours, before))
        b.append(timed(theirs, before))
    return a, b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--template", default="rag-pipeline")
    args = parser.parse_args()

    from ai_eng.source import BUNDLE_SRC, ensure_bundle

    ensure_bundle()
    bundle = str(Path(BUNDLE_SRC).expanduser())
    work = Path(tempfile.mkdtemp(prefix="ai-eng-bench-"))
    dest = work / "proj"
    ai_eng, copier = str(BIN / "ai-eng"), str(BIN / "copier")
    for var in ("AUTHOR", "COMMITTER"):
        os.environ.setdefault(f"GIT_{var}_NAME", "bench")
        os.environ.setdefault(f"GIT_{var}_EMAIL", "bench@localhost")

    def clean() -> None:
        shutil.rmtree(dest, ignore_errors=True)

    copy = [copier, "copy", "--quiet", "--defaults", "--vcs-ref", "HEAD",
            "-d", f"template={args.template}", bundle, str(dest)]  # fmt: skip
    new = [ai_eng, "new", str(dest), "-a", args.template, "--defaults"]
    rows = [
        ("--help", *abab([ai_eng, "--help"], [copier, "--help"], args.runs), 0.5),
        (f"new {args.template} --no-git", *abab([*new, "--no-git"], copy, args.runs, clean), 1.1),
        (f"new {args.template} (+ git init, commit)", *abab(new, copy, args.runs, clean), None),
    ]
    shutil.rmtree(work, ignore_errors=True)

    def mmm(times: list[float]) -> str:
        return f"{min(times):.3f}/{statistics.median(times):.3f}/{max(times):.3f}"

    print(f"{args.runs} alternating runs each (ABAB); seconds min/median/max")
    print(f"{'what':40} {'ai-eng':>19} {'copier':>19} {'ratio med':>9} {'ratio min':>9} target")
    for what, ours, theirs, target in rows:
        ratio = statistics.median(ours) / statistics.median(theirs)
        ratio_min = min(ours) / min(theirs)
        verdict = (
            "(info)" if target is None else f"<={target} {'ok' if ratio <= target else 'OVER'}"
        )
        print(
            f"{what:40} {mmm(ours):>19} {mmm(theirs):>19} {ratio:9.2f} {ratio_min:9.2f} {verdict}"
        )


if __name__ == "__main__":
    main()
