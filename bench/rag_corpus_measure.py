"""Runs in the generated project's venv for bench/rag_corpus_eval.py; prints one JSON line.

python rag_corpus_measure.py PROJECT LABEL CORPUS MODES ROUNDS

CORPUS is a name from CORPORA. Each corpus is ingested once into its own schema of one embedded
PostgreSQL (PROJECT/build/bench-pg); a re-run only re-ingests what changed. Prints, per search
mode, page-level hit@5 / MRR@10 (per question kind) and latencies (query embedding excluded,
ROUNDS passes over the questions, modes alternating question by question); the candidate pools
(vector and full-text, 40 chunks each, with scores) for offline fusion tuning; a whole-page BM25
baseline (bm25s) on the same questions; the top vector similarity of each question and of
off-topic prompts (for the relevance floor).
"""

import importlib
import json
import re
import statistics
import sys
import time
from pathlib import Path

from rich.console import Console

project, label, corpus_name, modes, rounds = sys.argv[1:6]
project = Path(project)
package = next(p.parent.name for p in (project / "src").glob("*/search.py"))
db = importlib.import_module(f"{package}.db")
Settings = importlib.import_module(f"{package}.config").Settings
get_embedder = importlib.import_module(f"{package}.embeddings").get_embedder
ingest = importlib.import_module(f"{package}.ingest").ingest
load = importlib.import_module(f"{package}.loaders").load
search_module = importlib.import_module(f"{package}.search")
search = search_module.search
print(f"{label}: {search_module.__file__}", file=sys.stderr)

BENCH = Path(__file__).resolve().parent
POOL = 40
OFF_TOPIC = [
    "hello",
    "hi there!",
    "thanks, that helps",
    "Write a haiku about the sea",
    "Tell me a joke",
    "What's the weather like in Paris today?",
    "Who won the football world cup in 2018?",
    "Give me a recipe for banana bread",
    "how are you?",
    "good morning",
    # written with search.py's SMALL_TALK, before it was measured here
    "thanks!",
    "Who won the 2018 World Cup?",
    "Can you recommend a good book?",
    "I love you",
    "lol",
    "what's up?",
    "Tell me about the history of Rome",
    "What is the meaning of life?",
]


def python_files(corpus: Path, questions: list[dict]) -> list[Path]:
    """The pages the questions name, the top level, and whole sections as distractors."""
    named = {corpus / page for q in questions for page in q["evidence"]}
    keep = ("c-api", "distutils", "faq", "howto", "reference", "tutorial", "using")
    return sorted(
        p
        for p in corpus.rglob("*.html")
        if not any(part.startswith("_") for part in p.relative_to(corpus).parts)
        and not p.name.startswith(("genindex", "py-modindex", "search"))
        and (p in named or p.parent == corpus or p.relative_to(corpus).parts[0] in keep)
    )


def git_files(corpus: Path, questions: list[dict]) -> list[Path]:
    """The pages the questions name, less the long ones (embedding on two busy cores is slow):
    git-config, user-manual, git-log, git-diff... (over 30,000 characters of text)."""
    named = sorted({corpus / page for q in questions for page in q["evidence"]})
    return [p for p in named if sum(len(s.text) for s in load(p, p.read_bytes()).sections) < 30_000]


def demo_files(corpus: Path, questions: list[dict]) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if p.is_file())


CORPORA = {
    "demo": (project / "docs", "", demo_files),  # the project's own docs and eval set
    "python": (Path("/usr/share/doc/python3.11/html"), "rag_python_docs.jsonl", python_files),
    "git": (Path("/usr/share/doc/git-doc"), "rag_git_docs.jsonl", git_files),
}
corpus, questions_file, select = CORPORA[corpus_name]
questions_path = (
    BENCH / questions_file if corpus_name != "demo" else project / "eval/questions.jsonl"
)
questions = [json.loads(line) for line in questions_path.read_text().splitlines() if line]
for q in questions:  # the shipped set names one document and no kind
    q.setdefault("evidence", {q.get("doc", ""): q.get("section", "")})
    q.setdefault("kind", "demo")
files = select(corpus, questions)
kept = {f.relative_to(corpus).as_posix() for f in files}
for q in questions:
    q["evidence"] = {p: quote for p, quote in q["evidence"].items() if p in kept}
questions = [q for q in questions if q["evidence"]]  # only what the kept pages answer

settings = Settings(_env_file=None, database_url=db.embedded_url(project / "build" / "bench-pg"))
settings = Settings(
    _env_file=None, database_url=settings.database_url, db_schema=f"corpus_{corpus_name}"
)
(project / "build").mkdir(exist_ok=True)
conn = db.connect(settings)
embedder = get_embedder(settings)
t0 = time.perf_counter()
report = ingest(conn, settings, files, embedder, console=Console(stderr=True, quiet=True))
info = {
    "corpus": corpus_name,
    "pages": len(files),
    "chunks": conn.execute("SELECT count(*) FROM chunks").fetchone()[0],
    "questions": len(questions),
    "ingest_s": round(time.perf_counter() - t0, 1),
    "embedded_now": report.chunks_embedded,
}


def page(source: str) -> str:
    path = Path(source)
    path = path if path.is_absolute() else project / path
    return path.resolve().relative_to(corpus.resolve()).as_posix()


def pages(hits) -> list[str]:
    ranked = []
    for h in hits:
        if (p := page(h.source)) not in ranked:
            ranked.append(p)
    return ranked


def score(ranked: list[str], q: dict) -> tuple[float, float]:
    first = next((i for i, p in enumerate(ranked, 1) if p in q["evidence"]), None)
    return float(first is not None and first <= 5), (1 / first if first and first <= 10 else 0.0)


vectors = embedder.embed([q["question"] for q in questions])
off_vectors = embedder.embed(OFF_TOPIC)
mode_list = modes.split(",")
# Quality at k=40 chunks (pages deduplicated), timings at k=5 (what a chat asks for).
results = {}
for mode in mode_list:
    hit5, rr, kinds = [], [], {}
    for q, v in zip(questions, vectors, strict=True):
        h, r = score(
            pages(search(conn, embedder, q["question"], POOL, mode=mode, query_vector=v)), q
        )
        hit5.append(h)
        rr.append(r)
        kinds.setdefault(q["kind"], []).append(h)
    results[mode] = {
        "hit@5": statistics.mean(hit5),
        "mrr@10": statistics.mean(rr),
        "kinds": {k: statistics.mean(v) for k, v in kinds.items()},
        "per_question": hit5,
    }
times = {mode: [] for mode in mode_list}
for _ in range(int(rounds)):
    for q, v in zip(questions, vectors, strict=True):
        for mode in mode_list:
            t = time.perf_counter()
            search(conn, embedder, q["question"], 5, mode=mode, query_vector=v)
            times[mode].append((time.perf_counter() - t) * 1000)
for mode in mode_list:
    results[mode]["p50_ms"] = statistics.median(times[mode])
    chunked = [
        times[mode][i * len(questions) : (i + 1) * len(questions)] for i in range(int(rounds))
    ]
    results[mode]["round_p50s"] = [statistics.median(c) for c in chunked]

# Candidate pools for offline fusion tuning (raw retrievers, no floor, no fusion).
pools = []
for q, v in zip(questions, vectors, strict=True):
    vec = search_module.vector_search(conn, v, POOL)
    ft = search_module.fulltext_search(conn, q["question"], POOL)
    pools.append(
        {
            "vector": [(h.chunk_id, page(h.source), h.score) for h in vec],
            "fulltext": [(h.chunk_id, page(h.source), h.score) for h in ft],
        }
    )
off_top = [search_module.vector_search(conn, v, 1)[0].score for v in off_vectors]
off_hybrid = {
    text: len(search(conn, embedder, text, 5, query_vector=v))
    for text, v in zip(OFF_TOPIC, off_vectors, strict=True)
}

# Whole-page BM25 baseline: every page's text as one document, bm25s's defaults.
import bm25s  # noqa: E402  (installed in the project venv by rag_corpus_eval.py)

SkipFile = importlib.import_module(f"{package}.loaders").SkipFile
names, texts = [], []
for f in files:
    try:
        doc = load(f, f.read_bytes())
    except SkipFile:  # as ingest does: a page with no text (e.g. a redirect) is no document
        continue
    names.append(f.relative_to(corpus).as_posix())
    texts.append(doc.title + "\n" + "\n".join(s.heading + "\n" + s.text for s in doc.sections))
split = [re.sub(r"(\w)\.(?=\w)", r"\1 ", t) for t in texts]  # os.path.join -> os path join
retriever = bm25s.BM25()
retriever.index(bm25s.tokenize(split, stopwords="en", show_progress=False), show_progress=False)
hit5, rr, kinds, bm_times = [], [], {}, []
for q in questions:
    t = time.perf_counter()
    tokens = bm25s.tokenize(
        [re.sub(r"(\w)\.(?=\w)", r"\1 ", q["question"])], stopwords="en", show_progress=False
    )
    docs, _ = retriever.retrieve(tokens, k=10, show_progress=False)
    bm_times.append((time.perf_counter() - t) * 1000)
    h, r = score([names[i] for i in docs[0]], q)
    hit5.append(h)
    rr.append(r)
    kinds.setdefault(q["kind"], []).append(h)
results["bm25s (pages)"] = {
    "hit@5": statistics.mean(hit5),
    "mrr@10": statistics.mean(rr),
    "kinds": {k: statistics.mean(v) for k, v in kinds.items()},
    "per_question": hit5,
    "p50_ms": statistics.median(bm_times),
    "round_p50s": [statistics.median(bm_times)],
}
conn.close()
print(
    json.dumps(
        {
            "results": results,
            "info": info,
            "pools": pools,
            "top_vector": [p["vector"][0][2] for p in pools],
            "off_topic_top_vector": dict(zip(OFF_TOPIC, off_top, strict=True)),
            "off_topic_hybrid_hits": off_hybrid,
            "questions": questions,
        }
    )
)
