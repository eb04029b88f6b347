"""A database made by an older version of this template still opens after `ai-eng update`."""

import sqlite3
from pathlib import Path

from sqlmodel import Session

from app import crud
from app.core.config import Settings
from app.core.db import make_engine


def test_database_from_before_ownership_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    with sqlite3.connect(path) as old:  # the schema of the first release: no owner_id
        old.execute(
            "CREATE TABLE conversation (title VARCHAR(200) NOT NULL, id VARCHAR(128) NOT NULL, "
            "created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL, PRIMARY KEY (id))"
        )
        old.execute(
            "INSERT INTO conversation VALUES ('old chat', 'c1', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
    engine = make_engine(Settings(DATABASE_URL=f"sqlite:///{path}"))
    with Session(engine) as session:
        assert crud.list_conversations(session=session, owner_id="guest") == []
    with sqlite3.connect(path) as upgraded:
        assert upgraded.execute("SELECT id, owner_id FROM conversation").fetchall() == [("c1", "")]
