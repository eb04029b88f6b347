"""Vector (HNSW), full-text (tsvector) and hybrid (a convex combination of both) retrieval."""

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
# Hybrid: alpha * vector + (1 - alpha) * full-text, each score scaled from its lowest possible
# value to the best one seen (TM2C2, Bruch et al. 2023, "An Analysis of Fusion Functions for
# Hybrid Retrieval"). A query that looks like keywords leans on the words, a question on meaning.
# Tuned on 57 questions over the Python docs and checked on 51 over the Git manual nobody tuned
# on (ai-eng bench/rag_corpus_eval.py), page hit@5 / MRR@10 on Git: vector 0.941 / 0.844,
# reciprocal rank fusion 0.902 / 0.827, this 0.961 / 0.829.
HYBRID_ALPHA = 0.95  # vector weight for a question or a sentence
HYBRID_ALPHA_KEYWORDS = 0.1  # vector weight for a few words without a question mark
KEYWORD_QUERY_WORDS = 6
HYBRID_POOL_FACTOR, HYBRID_POOL_MIN = 1, 40  # candidates from each retriever: max(k, 40)
# The relevance floor (bench/rag_corpus_eval.py measures it; all-MiniLM-L6-v2): over the shipped
# docs small talk's best cosine similarity is at most 0.20 and the eval questions' at least 0.26;
# over the Git manual "hello" reaches 0.28 (its examples use hello.c). Off-topic prompts are
# mostly words the docs never use, which MIN_KNOWN_SHARE catches.
MIN_SIMILARITY = 0.22
MIN_KNOWN_SHARE = 0.45
# Over large docs a greeting still finds a chunk ("hello" in the Python docs' examples reaches
# 0.32). A message closer to one of these than to every chunk is small talk and gets no passages,
# unless it holds a technical token (SPLADE, E1033, os.path, ef_search). bench/rag_corpus_eval.py
# measures both sides: on-topic questions refused (none of 152) and off-topic prompts answered.
SMALL_TALK = (  # conversation only: any topic (weather, recipes, films) may be someone's docs
    "hi",
    "hey, how's it going?",
    "good evening",
    "thank you so much",
    "great, thanks!",
    "ok",
    "bye, see you later",
    "who are you?",
    "what can you do?",
    "what is your name?",
    "tell me something funny",
    "write me a poem",
    "I'm bored",
)
TECHNICAL_TOKEN = re.compile(r"[A-Za-z]\d|\d[A-Za-z]|\w[._/\\-]\w|[a-z][A-Z]|\b[A-Z]{2,}")


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


def _query_terms(conn: psycopg.Connection, text: str) -> tuple[list[tuple[str, int]], float]:
    """The query's lexemes with their chunk counts (0: not in the corpus), and the chunk count."""
    rows = conn.execute(
        "SELECT t.lexeme, coalesce(s.ndoc, 0), c.reltuples FROM unnest(to_tsvector("
        "'english', %s)) t LEFT JOIN lexeme_stats s USING (lexeme), pg_class c"
        " WHERE c.oid = 'chunks'::regclass",
        [_split_names(text)],
    ).fetchall()
    n = max([1.0, *(float(max(r[2], r[1])) for r in rows)])
    return [(lexeme, ndoc) for lexeme, ndoc, _ in rows], n


def _idf(df: float, n: float) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def known_share(terms: list[tuple[str, int]], n: float) -> float:
    """How much of the query's information (idf mass) the corpus has words for: 1.0 when every
    lexeme occurs somewhere, near 0 for "Write a haiku about the sea" over database docs."""
    total = sum(_idf(df, n) for _, df in terms)
    return sum(_idf(df, n) for _, df in terms if df) / total if total else 0.0


def fulltext_search(
    conn: psycopg.Connection,
    text: str,
    k: int,
    *,
    source: str | None = None,
    min_known_share: float = 0.0,
) -> list[Hit]:
    """BM25-style ranking in PostgreSQL: each query lexeme's ts_rank (saturating term
    frequency, title and heading weights, length normalised) times its idf. Chunks are
    selected by the query's informative lexemes (OR), so a long question still matches
    and a common word never makes PostgreSQL rank half the table. No hits when less than
    min_known_share of the query's idf mass is made of words the corpus contains."""
    all_terms, n = _query_terms(conn, text)
    terms = [(lexeme, df, n) for lexeme, df in all_terms if df]
    if not terms or known_share(all_terms, n) < min_known_share:
        return []
    selective, rows = [], 0
    for term in sorted(terms, key=lambda t: t[1]):  # rarest first, within the row budget
        if selective and (term[1] > COMMON_SHARE * n or rows + term[1] > CANDIDATE_ROWS):
            break
        selective.append(term)
        rows += term[1]
    idf = {lexeme: _idf(df, n) for lexeme, df, _ in terms}
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


def looks_like_keywords(text: str) -> bool:
    """`pg_dump custom format`, not `How do I dump a database in the custom format?`."""
    return not text.rstrip().endswith("?") and len(text.split()) <= KEYWORD_QUERY_WORDS


def convex_fusion(vector: list[Hit], fulltext: list[Hit], k: int, alpha: float) -> list[Hit]:
    """The k best chunks by alpha * vector + (1 - alpha) * full-text, each retriever's scores
    scaled to [0, 1] from its theoretical minimum (cosine -1, rank 0) to its best score here."""
    scores: dict[int, float] = {}
    hits: dict[int, Hit] = {}
    for ranking, weight, low in ((vector, alpha, -1.0), (fulltext, 1.0 - alpha, 0.0)):
        if not ranking:
            continue
        span = max(h.score for h in ranking) - low or 1.0
        for hit in ranking:
            scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + weight * (hit.score - low) / span
            hits.setdefault(hit.chunk_id, hit)
    best = sorted(scores, key=lambda cid: (-scores[cid], cid))[:k]
    return [Hit(**{**hits[cid].to_dict(), "score": scores[cid]}) for cid in best]


_small_talk_vectors: dict[str, np.ndarray] = {}


def is_small_talk(embedder, text: str, query_vector: np.ndarray, best_chunk: float) -> bool:
    """The message is closer to one of SMALL_TALK than to the best chunk (cosine similarity)
    and has no technical token."""
    if TECHNICAL_TOKEN.search(text):
        return False
    if embedder.name not in _small_talk_vectors:
        vectors = np.asarray(embedder.embed(list(SMALL_TALK)), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        _small_talk_vectors[embedder.name] = vectors
    query = np.asarray(query_vector, dtype=np.float32)
    query = query / np.linalg.norm(query)
    return float(np.max(_small_talk_vectors[embedder.name] @ query)) >= best_chunk


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
    min_similarity: float = MIN_SIMILARITY,
    min_known_share: float = MIN_KNOWN_SHARE,
    refuse_small_talk: bool = True,
) -> list[Hit]:
    """The k best chunks for text, or none when nothing in the corpus is about it (the
    relevance floor: 0 or False turns each test off). A chunk is about the question when its
    cosine similarity reaches min_similarity, or, for full-text hits, when the corpus has words
    for at least min_known_share of the question (see known_share); small talk (is_small_talk)
    gets none in the vector and hybrid modes."""
    if not text.strip():
        raise ValueError("the query is empty")
    if mode == "fulltext":
        return fulltext_search(conn, text, k, source=source, min_known_share=min_known_share)
    db.check_embedding_model(conn, embedder.name)
    if query_vector is None:
        query_vector = embedder.embed([text])[0]
    pool = k if mode == "vector" else max(HYBRID_POOL_FACTOR * k, HYBRID_POOL_MIN)
    vector = vector_search(conn, query_vector, pool, source=source, ef_search=ef_search)
    best = vector[0].score if vector else -1.0
    if refuse_small_talk and is_small_talk(embedder, text, query_vector, best):
        return []
    if mode == "vector":
        return vector if best >= min_similarity else []
    fulltext = fulltext_search(conn, text, pool, source=source, min_known_share=min_known_share)
    if best < min_similarity:
        return fulltext[:k]  # nothing close in meaning: only what the words match, if anything
    alpha = HYBRID_ALPHA_KEYWORDS if looks_like_keywords(text) else HYBRID_ALPHA
    return convex_fusion(vector, fulltext, k, alpha)
