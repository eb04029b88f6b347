"""Alembic environment: app/core/db.py `migrate` passes the connection; `alembic` on the command line
(backend/alembic.ini) connects with the app's own settings."""

from alembic import context
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers the tables in SQLModel.metadata)


def run(connection) -> None:
    # render_as_batch: SQLite alters a table by copying it; Alembic's batch mode writes that for you.
    context.configure(connection=connection, target_metadata=SQLModel.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    from app.core.config import get_settings
    from app.core.db import create_engine_for

    engine = create_engine_for(get_settings())
    with engine.begin() as connection:
        run(connection)
    engine.dispose()
