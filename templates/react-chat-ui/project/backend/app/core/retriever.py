"""Chat with your documents: where the passages come from, chosen at start-up by RAG_DIR.

RAG_DIR empty (the default): `NoDocuments`, a plain chat. RAG_DIR names a RAG project folder: the
retriever that RAG project's package declares in its pyproject.toml (entry point group `retrievers`;
`make setup` installs it into this venv), opened on that folder with its own settings file
(RAG_ENV_FILE, default RAG_DIR/.env), so both parts use one database. The chat never names that
package: any package that declares a `Retriever` can serve.

The reply streams the passages as AI SDK `source-document` parts before its text, and a
`data-citations` part after it; both are stored with the message, and a continued reply keeps the
passages it was written from (`passages_from`).
"""

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Protocol

ENTRY_POINT_GROUP = "retrievers"


class Passage(Protocol):
    """One passage found for a question (numbered from 1 in the order `find` returns them)."""

    chunk_id: int
    source: str  # the file it came from
    title: str
    heading: str
    position: int
    text: str
    score: float


class Retriever(Protocol):
    """What the chat needs from a document index. Failures raise RuntimeError with a message
    for the user."""

    def status(self) -> dict | None:
        """{"documents": n, "chunks": n, "suggestions": [questions the documents answer]} (or
        "error"), or None: the chat has no documents."""
        ...

    def find(self, question: str) -> Sequence[Passage]:
        """The passages for a question, best first ([] when none)."""
        ...

    def sources_prompt(self, question: str, passages: Sequence[Passage]) -> list[dict[str, str]] | None:
        """[system, user]: the instruction to answer from the numbered sources and cite them as [n],
        and the question with the passages (no passages: the model is told that none matches);
        None: there are no documents at all (a plain chat)."""
        ...

    def citations(self, passages: Sequence[Passage], text: str) -> dict:
        """{"cited": [n], "invalid": [n], "supported": [{"sentence", "n", "quote", "score"}]}."""
        ...

    def close(self) -> None: ...


class NoDocuments:
    """The retriever of a chat without documents: nothing is found, nothing is cited."""

    def status(self) -> dict | None:
        return None

    def find(self, question: str) -> Sequence[Passage]:
        return []

    def sources_prompt(self, question: str, passages: Sequence[Passage]) -> list[dict[str, str]] | None:
        return None

    def citations(self, passages: Sequence[Passage], text: str) -> dict:
        return {"cited": [], "invalid": [], "supported": []}

    def close(self) -> None:
        pass


def open_retriever(rag_dir: Path | None, env_file: Path | None) -> Retriever:
    """NoDocuments without RAG_DIR; otherwise the installed RAG package's retriever on that folder."""
    if rag_dir is None:
        return NoDocuments()
    found = list(entry_points(group=ENTRY_POINT_GROUP))
    if len(found) != 1:
        installed = ", ".join(e.value for e in found) or "none"
        raise SystemExit(
            f"error: RAG_DIR={rag_dir} needs exactly one installed retriever (installed: {installed}); "
            "run `make setup` (it installs the RAG part into backend/.venv), or unset RAG_DIR"
        )
    return found[0].load()(rag_dir, env_file)


@dataclass(frozen=True)
class StoredPassage:
    """A passage as a stored reply keeps it (its `source-document` part)."""

    chunk_id: int
    source: str
    title: str
    heading: str
    position: int
    text: str
    score: float


def source_parts(passages: Sequence[Passage]) -> list[dict]:
    """AI SDK `source-document` parts: what the UI shows in the sources panel and a chip opens."""
    return [
        {
            "type": "source-document",
            "sourceId": f"chunk-{p.chunk_id}",
            "mediaType": mimetypes.guess_type(p.source)[0] or "text/plain",
            "title": p.title,
            "filename": p.source,
            "providerMetadata": {
                "rag": {
                    "n": n,
                    "chunkId": p.chunk_id,
                    "heading": p.heading,
                    "position": p.position,
                    "text": p.text,
                    "score": round(p.score, 6),
                }
            },
        }
        for n, p in enumerate(passages, start=1)
    ]


def passages_from(parts: list[dict]) -> list[StoredPassage]:
    """The passages a stored reply was written from, in their numbered order (see source_parts)."""
    found = []
    for part in parts:
        rag = (part.get("providerMetadata") or {}).get("rag")
        if part.get("type") == "source-document" and rag:
            found.append(
                StoredPassage(
                    chunk_id=rag["chunkId"],
                    source=part.get("filename") or "",
                    title=part.get("title") or "",
                    heading=rag.get("heading") or "",
                    position=rag.get("position") or 0,
                    text=rag.get("text") or "",
                    score=rag.get("score") or 0.0,
                )
            )
    return found
