"""Count the lexemes of the chunks already stored (0002 left lexeme_stats empty: keyword search
contributed nothing until the next `rag ingest` changed a file).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "INSERT INTO lexeme_stats (lexeme, ndoc)"
        " SELECT word, ndoc FROM ts_stat('SELECT tsv FROM chunks')"
        " WHERE NOT EXISTS (SELECT 1 FROM lexeme_stats)"
    )
    op.execute("ANALYZE lexeme_stats")
    op.execute("ANALYZE chunks")
