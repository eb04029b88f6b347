"""Alembic environment. `rag` applies new migrations itself on its next connection
(db.apply_migrations passes the connection and DB_SCHEMA). A new migration:
`alembic revision -m "what changes"` (pyproject.toml [tool.alembic]), then fill in its upgrade()."""

from alembic import context

context.configure(
    connection=context.config.attributes["connection"],
    # A version table of rag's own in DB_SCHEMA: the chat (or any app) may keep its alembic_version
    # in the same database.
    version_table="rag_alembic_version",
    version_table_schema=context.config.attributes["schema"],
)
with context.begin_transaction():
    context.run_migrations()
