"""Vector (HNSW), full-text (tsvector) and hybrid (reciprocal rank fusion) retrieval."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import psycopg
from psycopg import sql

from . import db

Mode = Literal["hybrid", "vector", "fulltext"]
RRF_K = 60  # the constant from Cormack et al. (2009); larger flattens the fusion


@dataclass
class Hit:
    chunk_id: int
    source: str
    title: str
    heading: str
    position: int
    text: str
    score: float

    def to_dict(self) -> dict:
        return asdict(self)


_COLUMNS = "c.id, d.source, d.title, c.heading, c.position, c.text"


def _source_filter(source: str | None) -> tuple[sql.Composable, list]:
    if not source:
        return sql.SQL(""), []
    return sql.SQL(" AND (d.source = %s OR d.source LIKE %s)"), [source, source.rstrip("/") + "/%"]


def vector_search(
    conn: psycopg.Connection,
    query_vector: np.ndarray,
    k: int,
    *,
    source: str | None = None,
    ef_search: int | None = None,
    exact: bool = False,
) -> list[Hit]:
    """Nearest chunks by cosine distance through the HNSW index (exact=True: full scan)."""
    where, params = _source_filter(source)
    query = sql.SQL(
        "SELECT {cols}, 1 - (c.embedding <=> %s) AS score FROM chunks c"
        " JOIN documents d ON d.id = c.document_id WHERE true{where}"
        " ORDER BY c.embedding <=> %s LIMIT %s"
    ).format(cols=sql.SQL(_COLUMNS), where=where)
    params = [query_vector, *params, query_vector, k]
    if ef_search is None and not exact:  # the session's settings (see db.connect)
        return [Hit(*row) for row in conn.execute(query, params).fetchall()]
    with conn.transaction():
        if ef_search is not None:
            conn.execute(sql.SQL("SET LOCAL hnsw.ef_search = {}").format(int(ef_search)))
        if exact:
            conn.execute("SET LOCAL enable_indexscan = off")
        rows = conn.execute(query, params).fetchall()
    return [Hit(*row) for row in rows]


def fulltext_search(
    conn: psycopg.Connection, text: str, k: int, *, source: str | None = None
) -> list[Hit]:
    """Chunks matching any of the query's words (English stemming), ranked by ts_rank_cd."""
    where, params = _source_filter(source)
    query = sql.SQL(
        "WITH q AS (SELECT NULLIF(replace(plainto_tsquery('english', %s)::text, ' & ', ' | '), '')"
        "::tsquery AS q)"
        " SELECT {cols}, ts_rank_cd(c.tsv, q.q) AS score FROM chunks c"
        " JOIN documents d ON d.id = c.document_id, q WHERE c.tsv @@ q.q{where}"
        " ORDER BY score DESC, c.id LIMIT %s"
    ).format(cols=sql.SQL(_COLUMNS), where=where)
    return [Hit(*row) for row in conn.execute(query, [text, *params, k]).fetchall()]


def reciprocal_rank_fusion(rankings: list[list[Hit]], k: int) -> list[Hit]:
    scores: dict[int, float] = {}
    hits: dict[int, Hit] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + 1.0 / (RRF_K + rank)
            hits.setdefault(hit.chunk_id, hit)
    best = sorted(scores, key=lambda cid: (-scores[cid], cid))[:k]
    return [Hit(**{**hits[cid].to_dict(), "score": scores[cid]}) for cid in best]


def search(
    conn: psycopg.Connection,
    embedder,
    text: str,
    k: int = 5,
    *,
    mode: Mode = "hybrid",
    source: str | None = None,
    ef_search: int | None = None,
    query_vector: np.ndarray | None = None,
) -> list[Hit]:
    if not text.strip():
        raise ValueError("the query is empty")
    if mode == "fulltext":
        return fulltext_search(conn, text, k, source=source)
    db.check_embedding_model(conn, embedder.name)
    if query_vector is None:
        query_vector = embedder.embed([text])[0]
    if mode == "vector":
        return vector_search(conn, query_vector, k, source=source, ef_search=ef_search)
    pool = max(4 * k, 40)  # candidates from each retriever before fusion
    return reciprocal_rank_fusion(
        [
            vector_search(conn, query_vector, pool, source=source, ef_search=ef_search),
            fulltext_search(conn, text, pool, source=source),
        ],
        k,
    )
