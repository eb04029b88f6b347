"""Runs in the generated project's venv for bench/rag_corpus_eval.py; prints one JSON line.

python rag_corpus_measure.py PROJECT LABEL CORPUS QUESTIONS MODES SUBSET
"""

import importlib
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path

from rich.console import Console

project, label, corpus, questions_path, modes, subset = sys.argv[1:7]
project, corpus = Path(project), Path(corpus)
package = next(p.parent.name for p in (project / "src").glob("*/search.py"))
if importlib.util.find_spec(package) is None:
    sys.exit(f"no package {package}")
db = importlib.import_module(f"{package}.db")
Settings = importlib.import_module(f"{package}.config").Settings
get_embedder = importlib.import_module(f"{package}.embeddings").get_embedder
ingest = importlib.import_module(f"{package}.ingest").ingest
search = importlib.import_module(f"{package}.search").search
print(f"{label}: {importlib.import_module(package).__file__}", file=sys.stderr)

pgdir = project / "build" / "bench-pg"
pgdir.parent.mkdir(parents=True, exist_ok=True)
url = db.embedded_url(pgdir)
quiet = Console(stderr=True, quiet=True)


def run(schema: str, roots: list[Path], questions: list[dict], relevant) -> tuple[dict, dict]:
    settings = Settings(_env_file=None, database_url=url, db_schema=schema)
    conn = db.connect(settings)
    embedder = get_embedder(settings)
    t0 = time.perf_counter()
    report = ingest(conn, settings, roots, embedder, console=quiet)
    info = {
        "schema": schema,
        "s": round(time.perf_counter() - t0, 1),
        "chunks": conn.execute("SELECT count(*) FROM chunks").fetchone()[0],
        "documents": conn.execute("SELECT count(*) FROM documents").fetchone()[0],
        "median_chars": conn.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY length(text)) FROM chunks"
        ).fetchone()[0],
        "embedded_now": report.chunks_embedded,
    }
    vectors = embedder.embed([q["question"] for q in questions])
    results = {}
    for mode in modes.split(","):
        search(conn, embedder, questions[0]["question"], 40, mode=mode, query_vector=vectors[0])
        hit5, rr, times, kinds = [], [], [], {}
        for q, v in zip(questions, vectors, strict=True):
            t = time.perf_counter()
            hits = search(conn, embedder, q["question"], 40, mode=mode, query_vector=v)
            times.append((time.perf_counter() - t) * 1000)
            ranked = []
            for h in hits:
                if h.source not in [r[0] for r in ranked]:
                    ranked.append((h.source, h))
            first = next((i for i, (s, h) in enumerate(ranked, 1) if relevant(q, s, h)), None)
            hit5.append(float(first is not None and first <= 5))
            rr.append(1 / first if first and first <= 10 else 0.0)
            kinds.setdefault(q.get("kind", "all"), []).append(hit5[-1])
        times.sort()
        results[mode] = {
            "hit@5": statistics.mean(hit5),
            "mrr@10": statistics.mean(rr),
            "kinds": {k: statistics.mean(v) for k, v in kinds.items()},
            "p50_ms": statistics.median(times),
            "p95_ms": times[int(0.95 * (len(times) - 1))],
        }
    conn.close()
    return results, info


def page(source: str) -> str:
    path = Path(source)
    path = path if path.is_absolute() else project / path
    return path.resolve().relative_to(corpus.resolve()).as_posix()


questions = [json.loads(line) for line in Path(questions_path).read_text().splitlines() if line]
files = sorted(
    p
    for p in corpus.rglob("*.html")
    if not any(part.startswith("_") for part in p.relative_to(corpus).parts)
    and not p.name.startswith(("genindex", "py-modindex", "search"))
)
if subset == "small":  # pages the questions name; top-level pages and whole sections as distractors
    named = {corpus / page for q in questions for page in q["evidence"]}
    keep = ("c-api", "distutils", "faq", "howto", "reference", "tutorial", "using")
    files = [
        p
        for p in files
        if p in named or p.parent == corpus or p.relative_to(corpus).parts[0] in keep
    ]
corpus_results, corpus_info = run(
    f"corpus_{label}", files, questions, lambda q, s, h: page(s) in q["evidence"]
)
demo = [
    json.loads(line) for line in (project / "eval/questions.jsonl").read_text().splitlines() if line
]
for q in demo:
    q["kind"] = "demo"
demo_results, demo_info = run(
    f"demo_{label}", [project / "docs"], demo, lambda q, s, h: s.endswith("/" + q["doc"])
)
print(json.dumps({"corpus": corpus_results, "demo": demo_results, "ingest": corpus_info}))
