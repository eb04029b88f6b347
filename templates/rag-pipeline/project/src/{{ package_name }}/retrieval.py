"""This project's index for other programs: what a chat (or any app) calls to answer from it.

    index = retrieval.open_folder(Path("rag"))      # a project folder: its .env, its database
    passages = index.find("How does HNSW search?")  # TOP_K passages; [] when none is ingested
    system, question = index.sources_prompt("How does HNSW search?", passages)
    index.citations(passages, reply)  # {"cited": [1], "invalid": [7], "supported": []}
    index.status()  # {"documents": 3, "chunks": 41}
    index.close()

The settings come from the folder's settings file and the defaults only: the calling program's
environment (a chat's DATABASE_URL, LLM_PROVIDER ...) means something else there. Failures raise
RetrievalError (a RuntimeError) whose message says what is wrong. pyproject.toml declares
`open_folder` as the entry point `rag` in the group `retrievers`, so a program finds it without
knowing this package's name.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import psycopg

from . import answer, db, search
from .config import Settings
from .db import DatabaseError
from .embeddings import EmbeddingError, get_embedder
from .search import Hit


class RetrievalError(RuntimeError):
    """The documents cannot be searched (database, embedding model); the message says what to do."""


class _FileOnlySettings(Settings):
    """Settings from the settings file and the defaults only, never the environment."""

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ):
        return (init_settings, dotenv_settings)


def folder_settings(root: Path, env_file: Path | None = None) -> Settings:
    """The settings `make ingest` uses in `root` (env_file: default `root/.env`), with its
    relative folders resolved from there."""
    env_file = env_file or root / ".env"
    settings = _FileOnlySettings(_env_file=env_file if env_file.is_file() else None)
    folders = {
        name: root / getattr(settings, name)
        for name in ("pgdata_dir", "models_dir")
        if not getattr(settings, name).is_absolute()
    }
    return settings.model_copy(update=folders)


def open_folder(root: Path, env_file: Path | None = None) -> Index:
    """The index of the project in `root`, its database started (or joined) and its tables
    created; the embedding model loads in the background, so the first question need not wait."""
    index = Index(folder_settings(root, env_file))
    with index.connection():
        pass
    if index.settings.embedding_provider == "local":
        threading.Thread(target=index.embedder.embed, args=(["warm up"],), daemon=True).start()
    return index


class Index:
    """One project's index, searched by another program (connections are reused; thread-safe)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.embedder = get_embedder(settings)
        self._idle: queue.SimpleQueue[psycopg.Connection] = queue.SimpleQueue()

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            try:
                conn = db.connect(self.settings)  # creates the tables if `make ingest` never ran
            except DatabaseError as exc:
                raise RetrievalError(f"The documents' database is not available: {exc}") from exc
        try:
            yield conn
        except BaseException:
            conn.close()
            raise
        self._idle.put(conn)

    def close(self) -> None:
        while not self._idle.empty():
            self._idle.get_nowait().close()
        db.stop_embedded()

    def status(self) -> dict:
        """How many documents and chunks are ingested (0: run `make ingest`), or the error, and
        suggestions for a chat's empty state that the documents answer: a section of each of the
        first four documents (its first heading that is not the document's title)."""
        try:
            with self.connection() as conn:
                documents, chunks = conn.execute(
                    "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM chunks)"
                ).fetchone()
                sections = conn.execute(
                    "SELECT DISTINCT ON (d.id) d.title, c.heading FROM chunks c"
                    " JOIN documents d ON d.id = c.document_id WHERE c.heading <> ''"
                    " ORDER BY d.id, c.heading = d.title, c.position LIMIT 4"
                ).fetchall()
        except (RetrievalError, psycopg.Error) as exc:
            return {"documents": 0, "chunks": 0, "error": str(exc)}
        suggestions = [f"What does {title} say about {head.lower()}?" for title, head in sections]
        return {"documents": documents, "chunks": chunks, "suggestions": suggestions}

    def find(self, question: str) -> list[Hit]:
        """The hybrid search's TOP_K passages, numbered from 1 in this order (none when the
        question is blank or nothing is ingested)."""
        if not question.strip():
            return []
        try:
            with self.connection() as conn:
                if conn.execute("SELECT 1 FROM chunks LIMIT 1").fetchone() is None:
                    return []  # nothing ingested: no embedding needed
                return search.search(conn, self.embedder, question, self.settings.top_k)
        except (DatabaseError, EmbeddingError, psycopg.Error) as exc:
            raise RetrievalError(f"Searching the documents failed: {exc}") from exc

    def sources_prompt(self, question: str, passages: Sequence[Hit]) -> list[dict[str, str]]:
        """[system, user]: the instruction to answer from the numbered sources and cite them as
        [n], and the question with the passages numbered from 1 (`rag ask` sends the same); with
        no passages, the instruction to say that the documents do not cover the question."""
        return answer.build_messages(question, list(passages), self.settings.passage_chars)

    def citations(self, passages: Sequence[Hit], text: str) -> dict:
        """Which sources a reply cites, checked against the ones it was given.

        cited: the [n] written that name a passage; invalid: the [n] that name none. When no
        valid [n] was written, supported lists each reply sentence that a passage closely says,
        with the passage's number (see answer.ground)."""
        n = len(passages)
        written = answer.written_numbers(text)
        cited = [i for i in written if i <= n]
        supported = []
        if n and not cited:
            try:
                support = answer.ground(text, list(passages), self.embedder)
            except EmbeddingError as exc:
                raise RetrievalError(f"Checking the citations failed: {exc}") from exc
            supported = [
                {
                    "sentence": s.sentence,
                    "n": s.source,
                    "quote": s.quote,
                    "score": round(s.score, 3),
                }
                for s in support
                if s.supported
            ]
        return {"cited": cited, "invalid": [i for i in written if i > n], "supported": supported}
