"""Vector (HNSW), full-text (tsvector) and hybrid (reciprocal rank fusion) retrieval."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import psycopg
from psycopg import sql

from . import db

Mode = Literal["hybrid", "vector", "fulltext"]
RRF_K = 60  # the constant from Cormack et al. (2009); larger flattens the fusion
# Measured on the shipped eval set and 57 questions over the Python docs (ai-eng bench/):
# vector weights 0.8-1.5 and pools of k..4k candidates; equal weights and max(k, 40) won.
HYBRID_VECTOR_WEIGHT = 1.0  # the full-text list weighs 1
HYBRID_POOL_FACTOR, HYBRID_POOL_MIN = 1, 40


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


# ts_rank weights for {D, C, B, A}: text, -, section heading, page title (measured: uniform
# weights lose 2 points of hybrid hit@5 on the Python docs; a heavier heading loses more)
FULLTEXT_WEIGHTS = (0.2, 0.2, 0.5, 1.0)
COMMON_SHARE = 0.05  # lexemes in more chunks than this share only rank, they don't select
CANDIDATE_ROWS = 4000  # at most about this many chunks are ranked (the rarest lexemes select)


def _split_names(text: str) -> str:
    """os.path.join -> os path join, as the index sees it (see migrations/0002)."""
    return re.sub(r"(\w)\.(?=\w)", r"\1 ", text)


def fulltext_search(
    conn: psycopg.Connection, text: str, k: int, *, source: str | None = None
) -> list[Hit]:
    """BM25-style ranking in PostgreSQL: each query lexeme's ts_rank (saturating term
    frequency, title and heading weights, length normalised) times its idf. Chunks are
    selected by the query's informative lexemes (OR), so a long question still matches
    and a common word never makes PostgreSQL rank half the table."""
    terms = conn.execute(
        "SELECT t.lexeme, s.ndoc, greatest(c.reltuples, s.ndoc) FROM unnest(to_tsvector("
        "'english', %s)) t JOIN lexeme_stats s USING (lexeme), pg_class c"
        " WHERE c.oid = 'chunks'::regclass",
        [_split_names(text)],
    ).fetchall()
    if not terms:
        return []
    n = max(float(terms[0][2]), 1.0)
    selective, rows = [], 0
    for term in sorted(terms, key=lambda t: t[1]):  # rarest first, within the row budget
        if selective and (term[1] > COMMON_SHARE * n or rows + term[1] > CANDIDATE_ROWS):
            break
        selective.append(term)
        rows += term[1]
    idf = {lexeme: math.log(1 + (n - df + 0.5) / (df + 0.5)) for lexeme, df, _ in terms}
    weights = sql.Literal("{" + ",".join(map(str, FULLTEXT_WEIGHTS)) + "}")
    rank = sql.SQL(" + ").join(
        sql.SQL("{} * ts_rank({}::real[], c.tsv, {}::tsquery, 1)").format(
            sql.Literal(weight), weights, sql.Literal(_quote(lexeme))
        )
        for lexeme, weight in idf.items()
    )
    where, params = _source_filter(source)
    query = sql.SQL(
        "SELECT {cols}, {rank} AS score FROM chunks c JOIN documents d ON d.id = c.document_id"
        " WHERE c.tsv @@ %s::tsquery{where} ORDER BY score DESC, c.id LIMIT %s"
    ).format(cols=sql.SQL(_COLUMNS), rank=rank, where=where)
    selector = " | ".join(_quote(lexeme) for lexeme, _, _ in selective)
    return [Hit(*row) for row in conn.execute(query, [selector, *params, k]).fetchall()]


def _quote(lexeme: str) -> str:
    """A lexeme as a tsquery operand, taken literally (no second stemming)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def reciprocal_rank_fusion(
    rankings: list[list[Hit]], k: int, weights: list[float] | None = None
) -> list[Hit]:
    """Weighted RRF: each list adds weight / (RRF_K + rank) to the chunks it ranks."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[int, float] = {}
    hits: dict[int, Hit] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, hit in enumerate(ranking, start=1):
            scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + weight / (RRF_K + rank)
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
    pool = max(HYBRID_POOL_FACTOR * k, HYBRID_POOL_MIN)  # candidates from each retriever
    return reciprocal_rank_fusion(
        [
            vector_search(conn, query_vector, pool, source=source, ef_search=ef_search),
            fulltext_search(conn, text, pool, source=source),
        ],
        k,
        [HYBRID_VECTOR_WEIGHT, 1.0],
    )
