"""Numbers to improve against: ingest throughput, query latency, recall@10 of HNSW vs exact.

Runs in its own schema (rag_bench) so the data you ingested is never touched.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
from rich.console import Console

from . import db
from .config import Settings
from .ingest import ingest
from .search import search, vector_search

BENCH_SCHEMA = "rag_bench"


def percentile_ms(samples: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(samples) * 1000, q))


def measure_queries(conn, embedder, texts: list[str], vectors: np.ndarray, k: int):
    """HNSW and hybrid latency (query embedding excluded); recall@k of HNSW vs exact."""
    hnsw, hybrid, recalls = [], [], []
    for text, vector in zip(texts, vectors, strict=True):
        t0 = time.perf_counter()
        approx = vector_search(conn, vector, k)
        hnsw.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        search(conn, embedder, text, k, mode="hybrid", query_vector=vector)
        hybrid.append(time.perf_counter() - t0)
        exact = {h.chunk_id for h in vector_search(conn, vector, k, exact=True)}
        recalls.append(len(exact & {h.chunk_id for h in approx}) / max(1, len(exact)))
    return {
        "queries": len(texts),
        "vector_p50_ms": percentile_ms(hnsw, 50),
        "vector_p95_ms": percentile_ms(hnsw, 95),
        "hybrid_p50_ms": percentile_ms(hybrid, 50),
        "hybrid_p95_ms": percentile_ms(hybrid, 95),
        f"recall@{k}": float(np.mean(recalls)),
    }


def bench_corpus(settings: Settings, embedder, docs: Path, questions: list[str], console: Console):
    bench_settings = settings.model_copy(update={"db_schema": BENCH_SCHEMA})
    conn = db.connect(bench_settings)
    try:
        first = ingest(conn, bench_settings, [docs], embedder, reset=True, console=console)
        again = ingest(conn, bench_settings, [docs], embedder, console=console)
        texts = questions or [r[0] for r in conn.execute("SELECT heading FROM chunks LIMIT 50")]
        vectors = embedder.embed(texts)
        result = {
            "documents": first.added,
            "chunks": first.chunks,
            "ingest_s": first.total_s,
            "chunks_per_s": first.chunks_per_s,
            "model_load_s": first.model_s,
            "embed_s": first.embed_s,
            "db_s": first.db_s,
            "other_s": first.total_s - first.model_s - first.embed_s - first.db_s,
            "reingest_s": again.total_s,
        }
        result.update(measure_queries(conn, embedder, texts, vectors, 10))
        return result
    finally:
        conn.close()


def bench_synthetic(
    settings: Settings,
    n: int,
    *,
    dim: int = 384,
    queries: int = 100,
    seed: int = 0,
    console: Console | None = None,
):
    """n random unit vectors around 1,000 cluster centres (embeddings cluster by topic),
    loaded by binary COPY into the real chunks table, HNSW built, then timed."""
    if not 1_000 <= n <= 2_000_000:
        raise ValueError("--synthetic takes between 1,000 and 2,000,000 chunks")
    console = console or Console(stderr=True)
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((1000, dim)).astype(np.float32)

    def sample(count: int) -> np.ndarray:
        points = centres[rng.integers(0, len(centres), count)]
        points = points + 0.7 * rng.standard_normal((count, dim)).astype(np.float32)
        return points / np.linalg.norm(points, axis=1, keepdims=True)

    bench_settings = settings.model_copy(update={"db_schema": BENCH_SCHEMA + "_synthetic"})
    conn = db.connect(bench_settings)
    try:
        db.reset(conn)
        db.fix_embedding_dimension(conn, f"synthetic-{dim}", dim)
        t0 = time.perf_counter()
        per_doc = 1000
        with conn.transaction(), conn.cursor() as cur:
            for start in range(0, n, per_doc):
                count = min(per_doc, n - start)
                cur.execute(
                    "INSERT INTO documents (source, title, content_hash, n_chunks)"
                    " VALUES (%s, %s, '', %s) RETURNING id",
                    (f"synthetic/{start // per_doc}.txt", "synthetic", count),
                )
                doc_id = cur.fetchone()[0]
                with cur.copy(
                    "COPY chunks (document_id, position, text, content_hash, embedding)"
                    " FROM STDIN WITH (FORMAT BINARY)"
                ) as copy:
                    copy.set_types(["int8", "int4", "text", "text", "vector"])
                    for i, vector in enumerate(sample(count)):
                        copy.write_row((doc_id, i, f"synthetic chunk {start + i}", "", vector))
        load_s = time.perf_counter() - t0
        console.print(f"loaded {n:,} chunks in {load_s:.1f} s; building HNSW ...")
        t0 = time.perf_counter()
        db.ensure_hnsw_index(conn, bench_settings)
        index_s = time.perf_counter() - t0
        query_vectors = sample(queries)
        hnsw, recalls = [], []
        for vector in query_vectors:
            t0 = time.perf_counter()
            approx = vector_search(conn, vector, 10)
            hnsw.append(time.perf_counter() - t0)
            exact = {h.chunk_id for h in vector_search(conn, vector, 10, exact=True)}
            recalls.append(len(exact & {h.chunk_id for h in approx}) / 10)
        return {
            "chunks": n,
            "dim": dim,
            "load_s": load_s,
            "load_rows_per_s": n / load_s,
            "hnsw_build_s": index_s,
            "ef_search": settings.ef_search,
            "queries": queries,
            "vector_p50_ms": percentile_ms(hnsw, 50),
            "vector_p95_ms": percentile_ms(hnsw, 95),
            "recall@10": float(np.mean(recalls)),
        }
    finally:
        conn.close()


def to_json(result: dict) -> str:
    return json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()})
