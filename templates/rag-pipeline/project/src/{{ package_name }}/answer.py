"""Retrieval-augmented answers: numbered sources in the prompt, [n] citations back out."""

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


def build_messages(question: str, hits: list[Hit], max_chars: int = 1200) -> list[dict]:
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


@dataclass
class Answer:
    question: str
    hits: list[Hit]
    text: str = ""
    cited: list[int] = field(default_factory=list)  # [n] markers the model wrote
    support: list[Support] = field(default_factory=list)  # per answer sentence

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
    llm, question: str, hits: list[Hit], max_tokens: int, embedder=None
) -> Iterator[str | Answer]:
    """Yield text pieces as the LLM writes them, then the finished Answer."""
    result = Answer(question, hits)
    if not hits:
        result.text = "I don't know: nothing relevant was found. Run `rag ingest docs/` first?"
        yield result.text
        yield result
        return
    for piece in llm.stream(build_messages(question, hits), max_tokens):
        result.text += piece
        yield piece
    result.cited = cited_numbers(result.text, len(hits))
    if embedder is not None:
        result.support = ground(result.text, hits, embedder)
    yield result
