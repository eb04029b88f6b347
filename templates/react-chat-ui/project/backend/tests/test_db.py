"""Databases made by older versions of this template open after `ai-eng update`, with every row kept."""

import sqlite3
from pathlib import Path

import httpx
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import Session, SQLModel

from app import crud
from app.core.config import Settings
from app.core.db import make_engine
from tests.conftest import run_backend

# The tables as 0.1.0 (create_all, no owner, no search text) and 0.2.0 (create_all, then its own
# ALTER TABLEs) left them.
SCHEMA_0_1 = [
    "CREATE TABLE conversation (title VARCHAR(200) NOT NULL, id VARCHAR(128) NOT NULL, "
    "created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL, PRIMARY KEY (id))",
    "CREATE INDEX ix_conversation_updated_at ON conversation (updated_at)",
    "CREATE TABLE message (pk INTEGER NOT NULL, conversation_id VARCHAR(128), position INTEGER NOT NULL, "
    "data JSON NOT NULL, PRIMARY KEY (pk), FOREIGN KEY(conversation_id) REFERENCES conversation (id) "
    "ON DELETE CASCADE)",
    "CREATE INDEX ix_message_conversation_id ON message (conversation_id)",
]
SCHEMA_0_2 = [
    *SCHEMA_0_1,
    "ALTER TABLE message ADD COLUMN text TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE conversation ADD COLUMN owner_id VARCHAR(128) NOT NULL DEFAULT ''",
    "CREATE INDEX ix_conversation_owner_id ON conversation (owner_id)",
]
MESSAGE = '{"id": "m1", "role": "user", "parts": [{"type": "text", "text": "hello"}]}'


def old_database(path: Path, schema: list[str], conversations: list[tuple[str, ...]]) -> None:
    with sqlite3.connect(path) as old:
        for statement in schema:
            old.execute(statement)
        for row in conversations:
            columns = "title, id, created_at, updated_at" + (", owner_id" if len(row) > 2 else "")
            values = ", ".join("?" * (len(row) + 2))
            old.execute(
                f"INSERT INTO conversation ({columns}) VALUES ({values})",
                (row[0], row[1], "2026-01-01 00:00:00", "2026-01-01 00:00:00", *row[2:]),
            )
            old.execute(
                "INSERT INTO message (conversation_id, position, data) VALUES (?, 0, ?)", (row[1], MESSAGE)
            )


def test_database_of_0_1_keeps_its_conversations_without_owner(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    old_database(path, SCHEMA_0_1, [("old chat", "c1")])
    engine = make_engine(Settings(DATABASE_URL=f"sqlite:///{path}"))
    with Session(engine) as session:
        assert crud.count_unowned(session=session) == 1
        assert crud.list_conversations(session=session, owner_id="guest-a") == []
        assert [m.id for m in crud.get_messages(session=session, conversation_id="c1")] == ["m1"]
        assert crud.claim_unowned(session=session, owner_id="guest-a") == 1
        assert [c.id for c in crud.list_conversations(session=session, owner_id="guest-a")] == ["c1"]
        assert crud.claim_unowned(session=session, owner_id="guest-b") == 0


def test_database_of_0_2_is_adopted_by_alembic_with_every_row(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    old_database(path, SCHEMA_0_2, [("mine", "c1", "guest-a"), ("yours", "c2", "guest-b")])
    engine = make_engine(Settings(DATABASE_URL=f"sqlite:///{path}"))
    with Session(engine) as session:
        assert [c.id for c in crud.list_conversations(session=session, owner_id="guest-a")] == ["c1"]
        assert [c.id for c in crud.list_conversations(session=session, owner_id="guest-b")] == ["c2"]
    with sqlite3.connect(path) as upgraded:
        assert upgraded.execute("SELECT version_num FROM alembic_version").fetchall() == [("0002",)]
        assert upgraded.execute("SELECT count(*) FROM message").fetchone() == (2,)


def test_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    """A change to app/models.py needs its migration: `alembic revision --autogenerate` in backend/."""
    engine = make_engine(Settings(DATABASE_URL=f"sqlite:///{tmp_path / 'chat.db'}"))
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []


def test_the_browser_on_this_machine_gets_back_its_conversations_from_0_1(
    upstream: str, tmp_path: Path
) -> None:
    """0.1.0 showed every conversation to everyone; 0.2.0 stored them with no owner, so nobody saw
    them. Now the first browser on this machine takes them, and no other browser ever sees them."""
    path = tmp_path / "chat.db"
    old_database(
        path, SCHEMA_0_2, [("from 0.1.0", "c1", ""), ("also 0.1.0", "c2", ""), ("theirs", "c3", "guest-x")]
    )
    env = {"DATABASE_URL": f"sqlite:///{path}", "LLM_PROVIDER": "openai-compatible", "LLM_BASE_URL": upstream}
    with (
        run_backend(env, tmp_path) as url,
        httpx.Client(base_url=url) as browser,
        httpx.Client(base_url=url) as other_browser,
    ):
        assert {c["id"] for c in browser.get("/api/conversations").json()} == {"c1", "c2"}
        assert browser.get("/api/conversations/c1").json()["messages"][0]["id"] == "m1"
        assert other_browser.get("/api/conversations").json() == []
        assert other_browser.get("/api/conversations/c1").status_code == 404
        assert {c["id"] for c in browser.get("/api/conversations").json()} == {"c1", "c2"}
