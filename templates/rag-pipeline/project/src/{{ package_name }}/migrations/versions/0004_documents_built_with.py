"""Each document records what built its chunks (ingest.built_with: chunker, loader, chunk sizes), so
`rag status` can tell an index made by older code. Documents from before say ''.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE documents ADD COLUMN built_with text NOT NULL DEFAULT ''")
