"""Exercise 3: `rag search --max-per-doc N` diversifies the results."""

import json

QUERIES = [
    "How does HNSW find nearest neighbours, and what do m and ef_search change?",
    "How do I choose a chunk size?",
    "What is reciprocal rank fusion?",
]


def hits(rag, *args: str) -> list[dict]:
    """The JSON objects `rag search --json` prints, one per hit."""
    text, decoder, found = rag("search", *args, "--json").stdout, json.JSONDecoder(), []
    position = 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        hit, position = decoder.raw_decode(text, position)
        found.append(hit)
    return found


def test_at_most_n_chunks_per_document(ingested) -> None:
    for query in QUERIES:
        best = hits(ingested, query, "-k", "1")[0]
        for n in (1, 2):
            diverse = hits(ingested, query, "-k", "5", "--max-per-doc", str(n))
            sources = [h["source"] for h in diverse]
            assert len(diverse) == 5, f"{query!r}, --max-per-doc {n}: {len(diverse)} hits, want 5"
            assert all(sources.count(s) <= n for s in sources), f"--max-per-doc {n}: {sources}"
            assert diverse[0]["chunk_id"] == best["chunk_id"], "the best hit comes first"
            scores = [h["score"] for h in diverse]
            assert scores == sorted(scores, reverse=True), f"not in ranked order: {scores}"


def test_without_the_option_nothing_changes(ingested) -> None:
    query = QUERIES[0]
    default = hits(ingested, query, "-k", "5")
    assert [h["chunk_id"] for h in default] == [h["chunk_id"] for h in hits(ingested, query)]
    assert len({h["source"] for h in default}) < 5, (
        "this query should show the problem: several of its top 5 from one document"
    )
