"""Retrieval quality on two real documentation sets, fusion tuned on one and reported on the other.

    apt-get install -y python3.11-doc git-doc
    python bench/rag_corpus_eval.py [--project DIR] [--before REF] [--corpora python,git]

Corpora (see CORPORA in rag_corpus_measure.py): the Python 3.11 docs (199 pages: the pages
bench/rag_python_docs.jsonl names plus the top level and the c-api, faq, howto, reference,
tutorial, using sections; 57 questions), the Git manual (`git-doc`: the 53 pages that
bench/rag_git_docs.jsonl names with under 30,000 characters of text, 51 of its 60 questions,
keyword and paraphrased) and the project's own docs and eval set (`--corpora demo`). Each is
ingested once into its own schema of an embedded PostgreSQL kept in the project (build/bench-pg).

Prints per corpus and run: vector / full-text / hybrid / a whole-page BM25 baseline (bm25s):
page hit@5, MRR@10, keyword and paraphrased hit@5, p50 latency at k=5 (min/median/max of the
per-round p50s; modes alternate question by question in the same run); the targets; then the
fusion candidates tuned on one corpus and scored on the other (both directions) from the
retrievers' candidate pools; then the relevance floor: on-topic top similarities vs off-topic
prompts, and how many sources hybrid search returns for each off-topic prompt.

--before REF also renders REF's rag-pipeline sources and measures them with the same venv.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from render import render  # bench/render.py, beside this script

REPO = Path(__file__).resolve().parent.parent
MEASURE = Path(__file__).resolve().parent / "rag_corpus_measure.py"
MODES = "vector,fulltext,hybrid"


def measure(project: Path, label: str, src: Path, corpus: str, rounds: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(
        [project / ".venv/bin/python", MEASURE, project, label, corpus, MODES, str(rounds)],
        env=env,
        cwd=project,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def table(title: str, runs: dict[str, dict]) -> None:
    print(f"\n{title}")
    print(
        "| run | mode | hit@5 | MRR@10 | keyword hit@5 | paraphrased hit@5 | p50 ms (min/med/max) |"
    )
    print("|---|---|---|---|---|---|---|")
    for label, run in runs.items():
        for mode, m in run["results"].items():
            kinds = m["kinds"]
            p50s = m["round_p50s"]
            print(
                f"| {label} | {mode} | {m['hit@5']:.3f} | {m['mrr@10']:.3f} | "
                f"{kinds.get('keyword', float('nan')):.3f} | "
                f"{kinds.get('paraphrased', float('nan')):.3f} | "
                f"{min(p50s):.1f} / {statistics.median(p50s):.1f} / {max(p50s):.1f} |"
            )


def targets(run: dict) -> None:
    r = run["results"]
    single = max(r["vector"]["mrr@10"], r["fulltext"]["mrr@10"])
    single_hit = max(r["vector"]["hit@5"], r["fulltext"]["hit@5"])
    vec = statistics.median(r["vector"]["round_p50s"])
    checks = [
        ("hybrid hit@5 >= 0.95", r["hybrid"]["hit@5"], 0.95),
        ("hybrid MRR@10 >= 0.82", r["hybrid"]["mrr@10"], 0.82),
        ("hybrid hit@5 >= best single mode", r["hybrid"]["hit@5"], single_hit),
        ("hybrid MRR@10 >= best single mode", r["hybrid"]["mrr@10"], single),
        ("full-text hit@5 >= bm25s pages", r["fulltext"]["hit@5"], r["bm25s (pages)"]["hit@5"]),
    ]
    for name, value, target in checks:
        print(
            f"  {'PASS' if value >= target - 1e-9 else 'FAIL'} {name}: {value:.3f} vs {target:.3f}"
        )
    for mode in ("fulltext", "hybrid"):
        ratio = statistics.median(r[mode]["round_p50s"]) / vec
        print(f"  {'PASS' if ratio <= 3 else 'FAIL'} {mode} p50 / vector p50 <= 3: {ratio:.2f}x")


# Fusion candidates over the retrievers' pools (40 chunks each, scores as the retrievers give).
def _pages(scored: dict[int, float], page_of: dict[int, str]) -> list[str]:
    ranked = []
    for cid in sorted(scored, key=lambda c: (-scored[c], c)):
        if page_of[cid] not in ranked:
            ranked.append(page_of[cid])
    return ranked


def rrf(pool: dict, question: str, w: float) -> dict[int, float]:
    scores: dict[int, float] = {}
    for ranking, weight in ((pool["vector"], w), (pool["fulltext"], 1.0)):
        for rank, (cid, _, _) in enumerate(ranking, 1):
            scores[cid] = scores.get(cid, 0.0) + weight / (60 + rank)
    return scores


def convex(pool: dict, question: str, alpha: float) -> dict[int, float]:
    """Bruch et al.'s TM2C2: scores over [theoretical min, observed max], alpha * vector."""
    scores: dict[int, float] = {}
    for ranking, weight, low in ((pool["vector"], alpha, -1.0), (pool["fulltext"], 1 - alpha, 0.0)):
        if not ranking:
            continue
        top = max(s for _, _, s in ranking)
        for cid, _, s in ranking:
            scores[cid] = scores.get(cid, 0.0) + weight * (s - low) / ((top - low) or 1.0)
    return scores


def looks_like_keywords(question: str) -> bool:
    words = question.split()
    return not question.rstrip().endswith("?") and len(words) <= 6


def adaptive(pool: dict, question: str, alphas: tuple[float, float]) -> dict[int, float]:
    return convex(pool, question, alphas[0] if looks_like_keywords(question) else alphas[1])


GRID = [i / 20 for i in range(21)]
CANDIDATES = {
    "weighted RRF (w = vector weight)": (rrf, [0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0]),
    "convex TM2C2 (alpha = vector weight)": (convex, GRID),
    "query-adaptive convex (alpha keyword, alpha other)": (
        adaptive,
        list(itertools.product(GRID, GRID)),
    ),
}


def evaluate(fuse, param, run: dict) -> tuple[float, float]:
    hits, rrs = [], []
    for q, pool in zip(run["questions"], run["pools"], strict=True):
        page_of = {cid: page for cid, page, _ in pool["vector"] + pool["fulltext"]}
        ranked = _pages(fuse(pool, q["question"], param), page_of)
        first = next((i for i, p in enumerate(ranked, 1) if p in q["evidence"]), None)
        hits.append(float(first is not None and first <= 5))
        rrs.append(1 / first if first and first <= 10 else 0.0)
    return statistics.mean(hits), statistics.mean(rrs)


def tune(runs: dict[str, dict]) -> None:
    print("\nfusion tuned on one corpus (best MRR@10, then hit@5), scored on the other")
    print(
        "| candidate | tuned on | parameter | tuned hit@5 / MRR@10 | other corpus"
        " | other hit@5 / MRR@10 |"
    )
    print("|---|---|---|---|---|---|")
    for name, (fuse, params) in CANDIDATES.items():
        for tuned_on, other in itertools.permutations(runs, 2):
            best = max(params, key=lambda p: evaluate(fuse, p, runs[tuned_on])[::-1])
            t_hit, t_mrr = evaluate(fuse, best, runs[tuned_on])
            o_hit, o_mrr = evaluate(fuse, best, runs[other])
            print(
                f"| {name} | {tuned_on} | {best} | {t_hit:.3f} / {t_mrr:.3f} | {other} |"
                f" {o_hit:.3f} / {o_mrr:.3f} |"
            )


def floor(runs: dict[str, dict]) -> None:
    print("\nrelevance floor: top vector similarity of each question vs off-topic prompts")
    for name, run in runs.items():
        on = sorted(run["top_vector"])
        off = sorted(run["off_topic_top_vector"].values())
        print(
            f"  {name}: on-topic min {on[0]:.3f} p5 {on[len(on) // 20]:.3f} median"
            f" {statistics.median(on):.3f}; off-topic max {off[-1]:.3f} median"
            f" {statistics.median(off):.3f}"
        )
        print(f"  {name}: hybrid sources per off-topic prompt: {run['off_topic_hybrid_hits']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="a generated rag project after make setup")
    parser.add_argument("--before", help="git ref to compare with (e.g. main)")
    parser.add_argument("--corpora", default="python,git")
    parser.add_argument("--rounds", type=int, default=3, help="timing passes over the questions")
    args = parser.parse_args()
    for path in ("/usr/share/doc/python3.11/html", "/usr/share/doc/git-doc"):
        if not Path(path).is_dir():
            sys.exit(f"error: {path} not found; apt-get install -y python3.11-doc git-doc")
    project = args.project
    if project is None:
        project = REPO / "build" / "bench-rag-corpus"
        render("rag-pipeline", project, overwrite=True)
        subprocess.run(["make", "setup"], cwd=project, check=True, stdout=subprocess.DEVNULL)
    project = project.resolve()
    subprocess.run([project / ".venv/bin/pip", "install", "-q", "bm25s"], check=True)
    after = {}
    for corpus in args.corpora.split(","):
        runs = {}
        if args.before:
            before = project / "build" / f"before-{args.before}"
            if not before.exists():
                render("rag-pipeline", before, ref=args.before)
            runs[f"before ({args.before})"] = measure(
                project, "before", before / "src", corpus, args.rounds
            )
        runs["after"] = after[corpus] = measure(
            project, "after", project / "src", corpus, args.rounds
        )
        info = runs["after"]["info"]
        table(
            f"{corpus}: {info['pages']} pages, {info['chunks']} chunks,"
            f" {info['questions']} questions",
            runs,
        )
        for label, run in runs.items():
            print(f"targets, {label}:")
            targets(run)
    if len(after) > 1:
        tune(after)
    floor(after)


if __name__ == "__main__":
    main()
