"""ai-eng's overhead over plain Copier, as ratios measured in one run.

Targets: `ai-eng --help` <= 0.5x `copier --help`; `ai-eng new <t> --defaults` <= 1.1x
`copier copy` of the same template from the same source.

    python bench/cli.py [--runs 5] [--template rag-pipeline]
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
from pathlib import Path

BIN = Path(sys.executable).parent


def median_seconds(cmd: list[str], runs: int, cleanup: Path | None = None) -> float:
    times = []
    for _ in range(runs):
        if cleanup is not None:
            shutil.rmtree(cleanup, ignore_errors=True)
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--template", default="rag-pipeline")
    args = parser.parse_args()

    from ai_eng.source import BUNDLE_SRC, ensure_bundle

    ensure_bundle()
    bundle = str(Path(BUNDLE_SRC).expanduser())
    work = Path(tempfile.mkdtemp(prefix="ai-eng-bench-"))
    dest = work / "proj"
    ai_eng, copier = str(BIN / "ai-eng"), str(BIN / "copier")
    os.environ.setdefault("GIT_AUTHOR_NAME", "bench")
    os.environ.setdefault("GIT_AUTHOR_EMAIL", "bench@localhost")
    os.environ.setdefault("GIT_COMMITTER_NAME", "bench")
    os.environ.setdefault("GIT_COMMITTER_EMAIL", "bench@localhost")

    rows = []
    h_ai = median_seconds([ai_eng, "--help"], args.runs)
    h_cp = median_seconds([copier, "--help"], args.runs)
    rows.append(("--help", h_ai, h_cp, 0.5))
    copy = [
        copier,
        "copy",
        "--quiet",
        "--defaults",
        "--vcs-ref",
        "HEAD",
        "-d",
        f"template={args.template}",
        bundle,
        str(dest),
    ]
    new = [ai_eng, "new", str(dest), "-a", args.template, "--defaults"]
    c_cp = median_seconds(copy, args.runs, cleanup=dest)
    c_ai = median_seconds(new, args.runs, cleanup=dest)
    c_ai_nogit = median_seconds([*new, "--no-git"], args.runs, cleanup=dest)
    rows.append((f"new {args.template} (incl. git init+commit)", c_ai, c_cp, 1.1))
    rows.append((f"new {args.template} --no-git", c_ai_nogit, c_cp, 1.1))
    shutil.rmtree(work, ignore_errors=True)

    print(f"median of {args.runs} runs each")
    print(f"{'what':45} {'ai-eng':>8} {'copier':>8} {'ratio':>6} {'target':>7}")
    for what, ours, theirs, target in rows:
        ratio = ours / theirs
        flag = "ok" if ratio <= target else "OVER"
        print(f"{what:45} {ours:8.3f} {theirs:8.3f} {ratio:6.2f} <={target:<5} {flag}")


if __name__ == "__main__":
    main()
