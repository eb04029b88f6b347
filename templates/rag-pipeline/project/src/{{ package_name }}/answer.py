"""Retrieval-augmented answers: numbered sources in the prompt, [n] citations back out.

Small local models (SmolLM2-135M) often answer beside the passages. Every answer is checked
sentence by sentence against them (`ground`); when too little of it is supported, `fallback`
holds the passages' own sentences closest to the question, shown as the answer's evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .search import Hit

SYSTEM_PROMPT = (
    "You answer questions using only the numbered sources below. "
    "After each sentence, cite the sources it uses as [1], [2] and so on. "
    "If the sources do not contain the answer, say that you don't know."
)
# Sent instead when no passage matches (nothing ingested, or nothing relevant): the model is told.
NO_SOURCES_PROMPT = (
    "No passage of the user's documents matches this message. If it asks about the documents, "
    "say that they do not cover it. Otherwise answer briefly, and cite nothing."
)
PASSAGE_CHARS = 1200  # of each passage, in the prompt


def build_messages(question: str, hits: list[Hit], max_chars: int = PASSAGE_CHARS) -> list[dict]:
    """The system prompt and the user turn: the numbered passages, then the question."""
    if not hits:
        return [
            {"role": "system", "content": NO_SOURCES_PROMPT},
            {"role": "user", "content": question},
        ]
    sources = "\n\n".join(
        f"[{i}] {hit.title}"
        + (f" — {hit.heading}" if hit.heading else "")
        + f"\n{hit.text[:max_chars]}"
        for i, hit in enumerate(hits, start=1)
    )
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Sources:\n\n{sources}\n\nQuestion: {question}"},
    ]


def written_numbers(answer: str) -> list[int]:
    """Every number written in [n] (or [n, m]) markers, from 1 up, in order of first use."""
    found: list[int] = []
    for group in re.findall(r"\[(\d+(?:\s*,\s*\d+)*)\]", answer):
        for number in (int(x) for x in group.split(",")):
            if number >= 1 and number not in found:
                found.append(number)
    return found


def cited_numbers(answer: str, n_sources: int) -> list[int]:
    """The [n] markers in the answer that point at a real source, in order of first use."""
    return [number for number in written_numbers(answer) if number <= n_sources]


SUPPORT_THRESHOLD = 0.6  # cosine of MiniLM sentence embeddings: a close paraphrase or better
GROUNDED_ENOUGH = 0.5  # below this share of supported sentences, the fallback evidence is shown


def sentences(text: str) -> list[str]:
    """Sentences of at least four words (lists and code lines count as sentences)."""
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [p.strip() for p in parts if len(p.split()) >= 4]


@dataclass
class Support:
    sentence: str  # of the answer
    source: int  # 1-based number of the best matching retrieved passage
    quote: str  # the sentence of that passage that matches best
    score: float  # cosine similarity

    @property
    def supported(self) -> bool:
        return self.score >= SUPPORT_THRESHOLD


def ground(text: str, hits: list[Hit], embedder) -> list[Support]:
    """For each answer sentence, the retrieved sentence closest in meaning (any model).

    Small models often forget [n] markers, large ones sometimes cite a source that does not
    say what the sentence says: comparing sentences catches both."""
    answer = sentences(text)
    quotes = [(n, q) for n, hit in enumerate(hits, start=1) for q in sentences(hit.text)]
    if not answer or not quotes:
        return []
    similarity = embedder.embed(answer) @ embedder.embed([q for _, q in quotes]).T
    return [
        Support(sentence, *quotes[int(row.argmax())], float(row.max()))
        for sentence, row in zip(answer, similarity, strict=True)
    ]


def closest_sentences(question: str, hits: list[Hit], embedder, n: int = 2) -> list[Support]:
    """The n sentences of the passages closest in meaning to the question, best first."""
    quotes = [(i, q) for i, hit in enumerate(hits, start=1) for q in sentences(hit.text)]
    if not quotes:
        return []
    row = (embedder.embed([question]) @ embedder.embed([q for _, q in quotes]).T)[0]
    best = sorted(range(len(quotes)), key=lambda j: -float(row[j]))[:n]
    return [Support(question, *quotes[j], float(row[j])) for j in best]


@dataclass
class Answer:
    question: str
    hits: list[Hit]
    text: str = ""
    cited: list[int] = field(default_factory=list)  # [n] markers the model wrote
    support: list[Support] = field(default_factory=list)  # per answer sentence
    finish_reason: str = "stop"  # "length": cut off by the token limit
    # When the answer is not grounded: the passages' sentences closest to the question.
    fallback: list[Support] = field(default_factory=list)

    @property
    def cut_off(self) -> bool:
        return self.finish_reason == "length"

    @property
    def supported(self) -> list[int]:
        """Sources that some answer sentence closely matches."""
        return sorted({s.source for s in self.support if s.supported})

    @property
    def grounded(self) -> float | None:
        """Share of the answer's sentences that a retrieved passage supports."""
        return sum(s.supported for s in self.support) / len(self.support) if self.support else None

    @property
    def unsupported(self) -> list[str]:
        return [s.sentence for s in self.support if not s.supported]

    def evidence(self, n: int = 3) -> list[dict]:
        """The (at most n) source sentences that best support the answer, best first."""
        best: dict[str, Support] = {}
        for s in sorted(self.support, key=lambda s: -s.score):
            if s.supported and s.quote not in best:
                best[s.quote] = s
        return [
            {"n": s.source, "source": self.hits[s.source - 1].source, "quote": q, "score": s.score}
            for q, s in list(best.items())[:n]
        ]

    def fallback_evidence(self) -> list[dict]:
        """What the passages say closest to the question ([n] and the sentence, quoted)."""
        return [
            {
                "n": s.source,
                "source": self.hits[s.source - 1].source,
                "quote": s.quote,
                "score": s.score,
            }
            for s in self.fallback
        ]

    def sources(self) -> list[dict]:
        return [
            {
                "n": i,
                "source": h.source,
                "title": h.title,
                "heading": h.heading,
                "score": h.score,
                "cited": i in self.cited,
                "supported": i in self.supported,
            }
            for i, h in enumerate(self.hits, start=1)
        ]


def stream_answer(
    llm,
    question: str,
    hits: list[Hit],
    max_tokens: int,
    embedder=None,
    max_chars: int = PASSAGE_CHARS,
) -> Iterator[str | Answer]:
    """Yield text pieces as the LLM writes them, then the finished Answer."""
    result = Answer(question, hits)
    if not hits:
        result.text = "I don't know: nothing relevant was found. Run `rag ingest docs/` first?"
        yield result.text
        yield result
        return
    for piece in llm.stream(build_messages(question, hits, max_chars), max_tokens):
        result.text += piece
        yield piece
    result.finish_reason = getattr(llm, "finish_reason", None) or "stop"
    result.cited = cited_numbers(result.text, len(hits))
    if embedder is not None:
        result.support = ground(result.text, hits, embedder)
        if (result.grounded or 0.0) < GROUNDED_ENOUGH:
            result.fallback = closest_sentences(question, hits, embedder)
    yield result
