"""Retrieval quality on a question set: hit@k, MRR and nDCG@10 for each search mode."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from .search import Hit, search

MODES = ("vector", "fulltext", "hybrid")


@dataclass
class Question:
    question: str
    doc: str  # file name of the answering document, relative to the corpus folder
    section: str  # heading of the answering section


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            questions.append(Question(record["question"], record["doc"], record["section"]))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(
                f"{path}:{number}: each line needs question, doc and section ({exc})"
            ) from None
    if not questions:
        raise ValueError(f"{path}: no questions")
    return questions


def is_relevant(hit: Hit, question: Question) -> bool:
    doc_matches = hit.source == question.doc or hit.source.endswith("/" + question.doc)
    return doc_matches and hit.heading.strip().lower() == question.section.strip().lower()


def score_ranking(relevant: list[bool], k: int) -> dict[str, float]:
    first = next((i for i, r in enumerate(relevant, start=1) if r), None)
    dcg = sum(1 / math.log2(i + 1) for i, r in enumerate(relevant[:10], start=1) if r)
    ideal = sum(1 / math.log2(i + 1) for i in range(1, min(sum(relevant), 10) + 1))
    return {
        "hit@1": float(first == 1),
        f"hit@{k}": float(first is not None and first <= k),
        "mrr": 1 / first if first else 0.0,
        "ndcg@10": dcg / ideal if ideal else 0.0,
    }


def evaluate(conn, embedder, questions: list[Question], *, k: int = 5):
    """Mean metrics per mode. Query embeddings are computed once and shared by the modes."""
    vectors = embedder.embed([q.question for q in questions])
    results: dict[str, dict[str, float]] = {}
    for mode in MODES:
        totals: dict[str, float] = {}
        for question, vector in zip(questions, vectors, strict=True):
            hits = search(
                conn,
                embedder,
                question.question,
                max(10, k),
                mode=mode,
                query_vector=vector,
            )
            for name, value in score_ranking([is_relevant(h, question) for h in hits], k).items():
                totals[name] = totals.get(name, 0.0) + value
        results[mode] = {name: value / len(questions) for name, value in totals.items()}
    return results


def from_document(hit: Hit, question: Question) -> bool:
    """Whether a passage comes from the document that answers the question."""
    return hit.source == question.doc or hit.source.endswith("/" + question.doc)


def evaluate_answers(
    conn,
    embedder,
    llm,
    questions: list[Question],
    *,
    k: int,
    max_tokens: int,
    max_chars: int = 1200,
):
    """Answer each question from the hybrid top k and check each answer (see answer.ground).
    Slow: one LLM answer per question.

    cites_correct: share of answers whose [n] markers name a passage of the answering document;
    supported_correct: share with a sentence that such a passage supports (a citation the server
    can add, as the chat does); grounded_median: the median share of supported sentences;
    cut_off: share stopped by max_tokens; fallback: share whose fallback evidence was shown, and
    fallback_correct: share of those whose evidence quotes the answering document."""
    from statistics import median

    from .answer import Answer, stream_answer

    shares, cites, supports, cut, fallbacks, fallback_right = [], 0, 0, 0, 0, 0
    for question in questions:
        hits = search(conn, embedder, question.question, k)
        answer = next(
            p
            for p in stream_answer(llm, question.question, hits, max_tokens, embedder, max_chars)
            if isinstance(p, Answer)
        )
        right = {n for n, hit in enumerate(hits, start=1) if from_document(hit, question)}
        shares.append(answer.grounded or 0.0)
        cites += bool(right & set(answer.cited))
        supports += bool(right & set(answer.supported))
        cut += answer.cut_off
        if answer.fallback:
            fallbacks += 1
            fallback_right += bool(right & {s.source for s in answer.fallback})
    count = len(questions)
    return {
        "answers": count,
        "grounded": sum(shares) / count if count else 0.0,
        "fully_grounded": sum(s == 1.0 for s in shares) / count if count else 0.0,
        "grounded_median": median(shares) if shares else 0.0,
        "cites_correct": cites / count if count else 0.0,
        "supported_correct": supports / count if count else 0.0,
        "cut_off": cut / count if count else 0.0,
        "fallback": fallbacks / count if count else 0.0,
        "fallback_correct": fallback_right / fallbacks if fallbacks else 0.0,
    }
