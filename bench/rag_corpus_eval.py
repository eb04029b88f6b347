"""Retrieval quality on a real corpus: the Python 3.11 docs (Debian `python3.11-doc`).

    apt-get install -y python3.11-doc
    python bench/rag_corpus_eval.py [--project DIR] [--before REF] [--modes vector,fulltext,hybrid]

Generates templates/rag-pipeline from this checkout (or reuses --project, a generated copy
after `make setup`), ingests every HTML page of /usr/share/doc/python3.11/html into an
embedded PostgreSQL kept in the project (build/bench-pg; a re-run only re-ingests what
changed), and prints per search mode: document-level hit@5 and MRR@10 over
bench/rag_python_docs.jsonl (57 hand-labelled questions: keyword, paraphrased, multi-page),
hit@5 per kind, and p50/p95 query latency (query embedding excluded, computed once), then
the same for the project's own demo set (eval/questions.jsonl over docs/).

--before REF also renders REF's rag-pipeline sources and measures them with the same venv
(PYTHONPATH), in their own schema: before and after in one run, on one server.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from render import render  # bench/render.py, beside this script

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path("/usr/share/doc/python3.11/html")
QUESTIONS = Path(__file__).resolve().parent / "rag_python_docs.jsonl"
MEASURE = Path(__file__).resolve().parent / "rag_corpus_measure.py"


def measure(project: Path, label: str, src: Path, modes: str, subset: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(
        [project / ".venv/bin/python", MEASURE, project, label, CORPUS, QUESTIONS, modes, subset],
        env=env,
        cwd=project,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def table(title: str, rows: dict[str, dict]) -> None:
    print(f"\n{title}")
    print(
        "| run | mode | hit@5 | MRR@10 | keyword hit@5 | paraphrased hit@5 | multi-page hit@5"
        " | p50 ms | p95 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for label, result in rows.items():
        for mode, m in result.items():
            kinds = m.get("kinds", {})
            cell = [
                f"{kinds[k]:.3f}" if k in kinds else "-"
                for k in ("keyword", "paraphrased", "multi-page")
            ]
            print(
                f"| {label} | {mode} | {m['hit@5']:.3f} | {m['mrr@10']:.3f} | "
                f"{' | '.join(cell)} | {m['p50_ms']:.1f} | {m['p95_ms']:.1f} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="a generated rag project after make setup")
    parser.add_argument("--before", help="git ref to compare with (e.g. main)")
    parser.add_argument("--modes", default="vector,fulltext,hybrid")
    parser.add_argument(
        "--subset",
        choices=["all", "small"],
        default="all",
        help="small: the pages the questions name plus c-api, distutils, faq, howto, reference,"
        " tutorial, using (~230 pages) instead of all ~530 (embedding is the slow part)",
    )
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"error: {CORPUS} not found; apt-get install -y python3.11-doc")
    project = args.project
    if project is None:
        project = REPO / "build" / "bench-rag-corpus"
        render("rag-pipeline", project, overwrite=True)
        subprocess.run(["make", "setup"], cwd=project, check=True, stdout=subprocess.DEVNULL)
    project = project.resolve()
    runs = {}
    if args.before:
        before = project / "build" / f"before-{args.before}"
        if not before.exists():
            render("rag-pipeline", before, ref=args.before)
        runs[f"before ({args.before})"] = measure(
            project, "before", before / "src", args.modes, args.subset
        )
    runs["after"] = measure(project, "after", project / "src", args.modes, args.subset)
    table(f"Python 3.11 docs, {QUESTIONS.name}", {k: v["corpus"] for k, v in runs.items()})
    table(
        "shipped demo set (eval/questions.jsonl over docs/)",
        {k: v["demo"] for k, v in runs.items()},
    )
    for label, result in runs.items():
        print(f"{label}: {json.dumps(result['ingest'])}")


if __name__ == "__main__":
    main()
