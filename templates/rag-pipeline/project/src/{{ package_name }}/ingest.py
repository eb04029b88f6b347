"""Incremental, idempotent ingest: hash, load, chunk, embed in batches, COPY each document."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from . import chunking, db, loaders
from .chunking import MODEL_MAX_TOKENS, Chunk, chunk_sections, count_tokens, split_tokens
from .config import Settings
from .loaders import SUPPORTED, SkipFile, load


@dataclass
class PendingDocument:
    source: str
    title: str
    content_hash: str
    built_with: str
    chunks: list[Chunk]
    embed_texts: list[str]
    vectors: list = field(default_factory=list)


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    chunks: int = 0
    chunks_embedded: int = 0
    embedding_dim: int = 0
    model_s: float = 0.0
    embed_s: float = 0.0
    db_s: float = 0.0
    total_s: float = 0.0
    index_built: bool = False

    @property
    def chunks_per_s(self) -> float:
        return self.chunks / self.total_s if self.total_s else 0.0


def built_with(settings: Settings) -> str:
    """What makes the chunks of a file besides its bytes; recorded in the index (rag_meta) and in
    each document's content hash, so a change to any of it re-does the files it touched."""
    return (
        f"chunker {chunking.VERSION}, loader {loaders.VERSION}, "
        f"CHUNK_TOKENS={settings.chunk_tokens}, CHUNK_OVERLAP={settings.chunk_overlap}"
    )


def out_of_date(conn: psycopg.Connection, settings: Settings) -> str | None:
    """None when every document was built by this code and these settings; else one line that says
    how many were not and the one command that re-does them."""
    now = built_with(settings)
    stale = conn.execute(
        "SELECT count(*), min(built_with) FROM documents WHERE built_with <> %s", (now,)
    ).fetchone()
    if not stale[0]:
        return None
    paths = " ".join(json.loads(db.get_meta(conn).get("ingested_paths", '["docs/"]')))
    was = f"built with {stale[1]}" if stale[1] else "built before rag recorded what built them"
    return (
        f"{stale[0]} documents in the index are out of date ({was}; now {now}): "
        f"run `rag ingest {paths}`"
    )


def source_name(path: Path) -> str:
    """How a file is recorded: relative to the working directory when inside it."""
    path = path.resolve()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def discover(roots: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    files, missing = [], []
    for root in roots:
        if root.is_dir():
            files.extend(p for p in sorted(root.rglob("*")) if p.is_file() and not _hidden(p, root))
        elif root.is_file():
            files.append(root)
        else:
            missing.append((str(root), "no such file or folder"))
    return files, missing


def _as_argument(root: Path) -> str:
    """A folder as the user would type it again: docs/."""
    name = source_name(root)
    return name + "/" if root.is_dir() and not name.endswith("/") else name


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _sha256(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
    return digest.hexdigest()


def ingest(
    conn: psycopg.Connection,
    settings: Settings,
    roots: list[Path],
    embedder,
    *,
    reset: bool = False,
    console: Console | None = None,
    on_skip: Callable[[str, str], None] | None = None,
) -> IngestReport:
    """Bring the database in line with the files under roots; safe to kill and re-run."""
    started = time.perf_counter()
    report = IngestReport()
    console = console or Console(stderr=True)
    if reset:
        db.reset(conn)
    db.check_embedding_model(conn, embedder.name)

    files, missing = discover(roots)
    report.skipped.extend(missing)
    # A document built by other code or settings counts as changed (no hash matches '').
    known = dict(
        conn.execute(
            "SELECT source, CASE WHEN built_with = %s THEN content_hash ELSE '' END FROM documents",
            (built_with(settings),),
        ).fetchall()
    )

    # 1. Hash every file; load and chunk only new or changed ones.
    pending, seen = _scan(files, settings, embedder.name, known, report)

    for source, reason in report.skipped:
        (on_skip or (lambda s, r: console.print(f"[yellow]skipped[/] {s}: {r}")))(source, reason)

    # 2. Delete documents whose files are gone from the folders we were given.
    report.deleted = _delete_missing(conn, roots, seen, known)

    # 3. Embed in batches across documents; write each document, whole, once it is embedded.
    total = sum(len(d.chunks) for d in pending)
    reuse = _reusable_vectors(conn, pending)
    for document in pending:
        document.vectors = [reuse.get(_sha256(text)) for text in document.embed_texts]
    if any(v is None for d in pending for v in d.vectors):  # load the model outside the timer
        t0 = time.perf_counter()
        report.embedding_dim = embedder.dim
        report.model_s = time.perf_counter() - t0
    with _progress(console, total) as advance:
        for group in _groups(pending, max(1, settings.embedding_batch_size) * 4):
            todo = [(d, i) for d in group for i, v in enumerate(d.vectors) if v is None]
            if todo:
                t0 = time.perf_counter()
                vectors = embedder.embed([d.embed_texts[i] for d, i in todo])
                report.embed_s += time.perf_counter() - t0
                report.chunks_embedded += len(todo)
                for (document, i), vector in zip(todo, vectors, strict=True):
                    document.vectors[i] = vector
            for document in group:
                t0 = time.perf_counter()
                _write_document(conn, embedder.name, document)
                report.db_s += time.perf_counter() - t0
                report.updated += document.source in known
                report.added += document.source not in known
                advance(len(document.chunks))

    t0 = time.perf_counter()
    if report.added or report.updated or report.deleted or not db.has_fulltext_stats(conn):
        db.refresh_fulltext_stats(conn)
    report.index_built = db.ensure_hnsw_index(conn, settings)
    db.set_meta(conn, ingested_paths=json.dumps([_as_argument(root) for root in roots]))
    report.db_s += time.perf_counter() - t0
    report.chunks = total
    report.total_s = time.perf_counter() - started
    return report


def _scan(
    files: list[Path], settings: Settings, model: str, known: dict, report: IngestReport
) -> tuple[list[PendingDocument], set[str]]:
    """Documents to (re)write, and the sources still present (read or unchanged)."""
    builder = built_with(settings)
    settings_key = f"{model}|{builder}"
    max_bytes = int(settings.max_file_mb * 1024 * 1024)
    pending: list[PendingDocument] = []
    seen: set[str] = set()
    for path in files:
        source = source_name(path)
        seen.add(source)
        try:
            if path.suffix.lower() not in SUPPORTED:
                raise SkipFile(f"unsupported file type '{path.suffix or path.name}'")
            size = path.stat().st_size
            if size > max_bytes:
                raise SkipFile(
                    f"too large ({size / 1e6:.1f} MB > MAX_FILE_MB={settings.max_file_mb:g})"
                )
            data = path.read_bytes()
            content_hash = _sha256(data, settings_key)
            if known.get(source) == content_hash:
                report.unchanged += 1
                continue
            document = load(path, data)
            chunks = chunk_sections(
                document.sections, settings.chunk_tokens, settings.chunk_overlap
            )
        except (SkipFile, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            report.skipped.append((source, reason or type(exc).__name__))
            if source in known:  # it was readable before; its old chunks no longer match the file
                seen.discard(source)
            continue
        texts = [_embed_text(document.title, c) for c in chunks]
        pending.append(
            PendingDocument(source, document.title, content_hash, builder, chunks, texts)
        )
    return pending, seen


def _embed_text(title: str, chunk: Chunk) -> str:
    """What the model sees: where the chunk sits (cut to fit the model's window), then the chunk."""
    context = " > ".join(part for part in (title, chunk.heading) if part and part != chunk.text)
    room = MODEL_MAX_TOKENS - 3 - count_tokens(chunk.text)  # [CLS], [SEP] and the newline
    if context and count_tokens(context) > room:
        context = split_tokens(context, room)[0] if room > 0 else ""
    return f"{context}\n{chunk.text}" if context else chunk.text


def _reusable_vectors(conn: psycopg.Connection, pending: list[PendingDocument]) -> dict:
    """Stored embeddings of identical chunk text: an edited file re-embeds only what changed."""
    hashes = list({_sha256(t) for d in pending for t in d.embed_texts})
    if not hashes:
        return {}
    rows = conn.execute(
        "SELECT DISTINCT ON (content_hash) content_hash, embedding FROM chunks"
        " WHERE content_hash = ANY(%s)",
        (hashes,),
    ).fetchall()
    return {h: v.to_numpy() for h, v in rows}


def _groups(pending: list[PendingDocument], size: int) -> Iterator[list[PendingDocument]]:
    """Consecutive documents with about `size` chunks to embed between them (one embed call)."""
    group, missing = [], 0
    for document in pending:
        group.append(document)
        missing += sum(v is None for v in document.vectors)
        if missing >= size:
            yield group
            group, missing = [], 0
    if group:
        yield group


@contextmanager
def _progress(console: Console, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar in chunks; yields advance(n)."""
    started = time.perf_counter()
    columns = (
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("chunks"),
        TextColumn("{task.fields[rate]} chunks/s"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, disable=total == 0) as progress:
        task = progress.add_task("ingest", total=total, rate="-")

        def advance(n: int) -> None:
            progress.advance(task, n)
            done = progress.tasks[0].completed
            progress.update(task, rate=f"{done / max(time.perf_counter() - started, 1e-9):.0f}")

        yield advance


def _write_document(conn: psycopg.Connection, model_name: str, doc: PendingDocument) -> None:
    """Replace one document and all its chunks in a single transaction (binary COPY)."""
    if doc.vectors:
        db.fix_embedding_dimension(conn, model_name, len(doc.vectors[0]))
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("DELETE FROM documents WHERE source = %s", (doc.source,))
        cur.execute(
            "INSERT INTO documents (source, title, content_hash, built_with, n_chunks)"
            " VALUES (%s, %s, %s, %s, %s) RETURNING id",
            (doc.source, doc.title, doc.content_hash, doc.built_with, len(doc.chunks)),
        )
        document_id = cur.fetchone()[0]
        with cur.copy(
            "COPY chunks (document_id, position, heading, text, content_hash, metadata, embedding)"
            " FROM STDIN WITH (FORMAT BINARY)"
        ) as copy:
            copy.set_types(["int8", "int4", "text", "text", "text", "jsonb", "vector"])
            for chunk, text, vector in zip(doc.chunks, doc.embed_texts, doc.vectors, strict=True):
                metadata = json.dumps({"source": doc.source, "title": doc.title})
                copy.write_row(
                    (
                        document_id,
                        chunk.position,
                        chunk.heading,
                        chunk.text,
                        _sha256(text),
                        metadata,
                        vector,
                    )
                )


def _delete_missing(
    conn: psycopg.Connection, roots: list[Path], seen: set[str], known: dict
) -> int:
    folders = [source_name(r) for r in roots if r.is_dir()]
    gone = [
        s
        for s in known
        if s not in seen and any(s.startswith(f.rstrip("/") + "/") or f == "." for f in folders)
    ]
    if gone:
        conn.execute("DELETE FROM documents WHERE source = ANY(%s)", (gone,))
    return len(gone)
