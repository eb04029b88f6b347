"""Retrieval as the corpus grows: HNSW build time, vector and hybrid p50, recall@10.

    nice -n 10 python bench/retrieval_scale.py --project DIR [--sizes 25000,50000,100000]

DIR is a generated rag-pipeline project after `make setup`; the bench runs in its venv, on a
fresh embedded PostgreSQL in a temp folder, with the project's own schema, index build
(db.ensure_hnsw_index, HNSW m=16, ef_construction=64) and search (search.search, hybrid = HNSW
+ full-text fused). Per size it loads synthetic chunks by binary COPY: 384-d unit vectors
around 1,000 cluster centres (embeddings cluster by topic) and ~120 words of text drawn from
a Zipf-distributed 20,000-word vocabulary, each cluster with its own topic words (so
full-text and vector search both have something to find). Then 100 queries: a vector near a
random chunk and five of that chunk's words. Query embedding is excluded (vectors given).

Prints one row per size and a log-log fit of each column, extrapolated to 1M chunks (the
issue's target: hybrid p50 <= 50 ms, recall@10 >= 0.95).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

try:
    import numpy as np
except ImportError:  # any python starts it: main() re-runs it in the project's venv
    np = None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--sizes", default="25000,50000,100000")
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    project = args.project.resolve()
    python = project / ".venv" / "bin" / "python"
    if Path(sys.prefix).resolve() != (project / ".venv").resolve():
        os.execv(python, [str(python), __file__, *sys.argv[1:]])
    sys.path.insert(0, str(project / "src"))
    package = next(p.name for p in (project / "src").iterdir() if (p / "ingest.py").exists())
    config = __import__(f"{package}.config", fromlist=["Settings"])
    db = __import__(f"{package}.db", fromlist=["connect"])
    search_mod = __import__(f"{package}.search", fromlist=["search"])

    dim, k = 384, 10
    model = SimpleNamespace(name=f"synthetic-{dim}")  # search() checks the index's model name
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((1000, dim)).astype(np.float32)
    vocab = np.array([f"w{i}" for i in range(20_000)])
    zipf = 1 / np.arange(1, len(vocab) + 1)
    zipf /= zipf.sum()
    topics = rng.integers(0, len(vocab), (len(centres), 30))  # each cluster's own words

    def chunk(cluster: int) -> str:
        words = vocab[rng.choice(len(vocab), 100, p=zipf)]
        return " ".join([*words, *vocab[rng.choice(topics[cluster], 20)]])

    def vectors(clusters: np.ndarray) -> np.ndarray:
        points = centres[clusters] + 0.7 * rng.standard_normal((len(clusters), dim))
        return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)

    folder = Path(tempfile.mkdtemp(prefix="retrieval-scale-"))
    folder.chmod(0o755)
    rows = []
    try:
        for n in [int(s) for s in args.sizes.split(",")]:
            settings = config.Settings(
                _env_file=None, pgdata_dir=folder / "pg", db_schema=f"scale_{n}"
            )
            conn = db.connect(settings)
            db.reset(conn)
            db.fix_embedding_dimension(conn, f"synthetic-{dim}", dim)
            clusters = rng.integers(0, len(centres), n)
            texts: dict[int, str] = {}
            t0 = time.perf_counter()
            per_doc = 1000
            with conn.transaction(), conn.cursor() as cur:
                for start in range(0, n, per_doc):
                    part = clusters[start : start + per_doc]
                    cur.execute(
                        "INSERT INTO documents (source, title, content_hash, n_chunks)"
                        " VALUES (%s, 'synthetic', '', %s) RETURNING id",
                        (f"synthetic/{start // per_doc}.txt", len(part)),
                    )
                    doc_id = cur.fetchone()[0]
                    with cur.copy(
                        "COPY chunks (document_id, position, text, content_hash, embedding)"
                        " FROM STDIN WITH (FORMAT BINARY)"
                    ) as copy:
                        copy.set_types(["int8", "int4", "text", "text", "vector"])
                        for i, (c, v) in enumerate(zip(part, vectors(part), strict=True)):
                            text = chunk(int(c))
                            if start + i < 5000:
                                texts[start + i] = text
                            copy.write_row((doc_id, i, text, "", v))
            load_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            db.refresh_fulltext_stats(conn)
            stats_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            db.ensure_hnsw_index(conn, settings)
            build_s = time.perf_counter() - t0
            size_mb = conn.execute(
                "SELECT pg_relation_size('chunks_embedding_idx') / 1e6"
            ).fetchone()[0]
            vec_ms, hyb_ms, recalls = [], [], []
            picks = rng.choice(sorted(texts), args.queries, replace=False)
            for i in picks:
                v = vectors(clusters[[i]])[0]
                words = " ".join(rng.choice(texts[i].split(), 5, replace=False))
                t0 = time.perf_counter()
                approx = search_mod.vector_search(conn, v, k)
                vec_ms.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                search_mod.search(conn, model, words, k, mode="hybrid", query_vector=v)
                hyb_ms.append((time.perf_counter() - t0) * 1000)
                exact = {h.chunk_id for h in search_mod.vector_search(conn, v, k, exact=True)}
                recalls.append(len(exact & {h.chunk_id for h in approx}) / k)
            rows.append(
                {
                    "chunks": n,
                    "load_s": load_s,
                    "fulltext_stats_s": stats_s,
                    "hnsw_build_s": build_s,
                    "index_mb": float(size_mb),
                    "vector_p50_ms": statistics.median(vec_ms),
                    "hybrid_p50_ms": statistics.median(hyb_ms),
                    "hybrid_p95_ms": float(np.percentile(hyb_ms, 95)),
                    "recall@10": statistics.mean(recalls),
                }
            )
            print(rows[-1], file=sys.stderr, flush=True)
            db.reset(conn)
            conn.close()
    finally:
        db.stop_embedded()
        shutil.rmtree(folder, ignore_errors=True)

    keys = list(rows[0])
    print(f"\nretrieval at scale ({os.cpu_count()} cores, shared; {args.queries} queries a size)")
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(f"{row[key]:,.2f}".rstrip("0").rstrip(".") for key in keys) + " |")
    if len(rows) >= 2:
        n = np.log([r["chunks"] for r in rows])
        cells = ["1,000,000 (fit)"]
        for key in keys[1:]:
            y = np.array([max(r[key], 1e-6) for r in rows])
            if key == "recall@10":
                cells.append("see curve")
                continue
            slope, icpt = np.polyfit(n, np.log(y), 1)
            cells.append(f"~{np.exp(icpt + slope * np.log(1e6)):,.0f} (n^{slope:.2f})")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
