"""Full-text search that ranks like BM25 (0.2.0).

The page title (weight A) and the section heading (weight B) count more than the text (D); dotted
names (os.path.join) are indexed word by word, as snake_case names already are. Per-lexeme
document frequencies (lexeme_stats, refreshed by ingest) give the idf.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE chunks DROP COLUMN tsv")
    op.execute(
        r"""
        ALTER TABLE chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english', regexp_replace(
                coalesce(metadata ->> 'title', ''), '(\w)\.(?=\w)', '\1 ', 'g')), 'A')
            || setweight(to_tsvector('english',
                regexp_replace(heading, '(\w)\.(?=\w)', '\1 ', 'g')), 'B')
            || to_tsvector('english', regexp_replace(text, '(\w)\.(?=\w)', '\1 ', 'g'))
        ) STORED"""
    )
    op.execute("CREATE INDEX chunks_tsv_idx ON chunks USING gin (tsv)")
    op.execute("CREATE TABLE lexeme_stats (lexeme text PRIMARY KEY, ndoc integer NOT NULL)")
