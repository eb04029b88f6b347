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


def cited_numbers(answer: str, n_sources: int) -> list[int]:
    """The [n] markers in the answer that point at a real source, in order of first use."""
    found: list[int] = []
    for group in re.findall(r"\[(\d+(?:\s*,\s*\d+)*)\]", answer):
        for number in (int(x) for x in group.split(",")):
            if 1 <= number <= n_sources and number not in found:
                found.append(number)
    return found


def supporting_sources(text: str, hits: list[Hit], embedder, threshold: float = 0.5) -> list[int]:
    """Sources that some answer sentence closely matches (cosine of the embeddings).

    A check that works with any model: small models often forget to write [n] markers, and
    large ones sometimes cite a source that does not say what the sentence says.
    """
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 4]
    if not sentences or not hits:
        return []
    similarity = embedder.embed(sentences) @ embedder.embed([h.text for h in hits]).T
    found: list[int] = []
    for row in similarity:
        best = int(row.argmax())
        if row[best] >= threshold and best + 1 not in found:
            found.append(best + 1)
    return sorted(found)


@dataclass
class Answer:
    question: str
    hits: list[Hit]
    text: str = ""
    cited: list[int] = field(default_factory=list)  # [n] markers the model wrote
    supported: list[int] = field(default_factory=list)  # sources an answer sentence matches

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
        result.supported = supporting_sources(result.text, hits, embedder)
    yield result
