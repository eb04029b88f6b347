"""Documents and their chunks; which embedding model filled them (0.1.0).

The embedding column gets its dimension on the first ingest (db.fix_embedding_dimension).

Revision ID: 0001
Revises:
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE documents (
            id           bigserial PRIMARY KEY,
            source       text NOT NULL UNIQUE,        -- path of the file, as ingested
            title        text NOT NULL,
            content_hash text NOT NULL,               -- sha256 of the bytes + what built the chunks
            n_chunks     integer NOT NULL,
            ingested_at  timestamptz NOT NULL DEFAULT now()
        )"""
    )
    op.execute(
        """
        CREATE TABLE chunks (
            id           bigserial PRIMARY KEY,
            document_id  bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            position     integer NOT NULL,            -- order of the chunk in its document
            heading      text NOT NULL DEFAULT '',    -- section the chunk comes from
            text         text NOT NULL,
            content_hash text NOT NULL,               -- sha256 of the embedded text
            metadata     jsonb NOT NULL DEFAULT '{}',
            embedding    vector,
            tsv          tsvector GENERATED ALWAYS AS
                (to_tsvector('english', heading || ' ' || text)) STORED,
            UNIQUE (document_id, position)
        )"""
    )
    op.execute("CREATE INDEX chunks_document_id_idx ON chunks (document_id)")
    op.execute("CREATE INDEX chunks_content_hash_idx ON chunks (content_hash)")
    op.execute("CREATE INDEX chunks_tsv_idx ON chunks USING gin (tsv)")
    # Which embedding model filled the table (model name, dimension) and what built the index.
    op.execute("CREATE TABLE rag_meta (key text PRIMARY KEY, value text NOT NULL)")
