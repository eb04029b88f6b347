"""Conversations get an owner (the guest session), messages their plain text for search (0.2.0).

Conversations from before get an empty owner: the first browser on this machine takes them
(app/api/deps.py `current_user`). Messages from before are found by their conversation's title.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN (SQLite has it): a batch copy of `conversation` would cascade-delete
    # its messages while foreign keys are on.
    op.add_column(
        "conversation",
        sa.Column("owner_id", sqlmodel.AutoString(length=128), nullable=False, server_default=""),
    )
    op.create_index("ix_conversation_owner_id", "conversation", ["owner_id"])
    op.add_column("message", sa.Column("text", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("message", "text")
    op.drop_index("ix_conversation_owner_id", "conversation")
    op.drop_column("conversation", "owner_id")
