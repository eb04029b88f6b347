"""Tables and API shapes. A message is stored as the AI SDK UIMessage the client sees."""

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from pydantic_ai.ui.vercel_ai.request_types import UIMessage
from sqlalchemy import JSON, Column, ForeignKey, String, Text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class ConversationBase(SQLModel):
    title: str = Field(max_length=200)


class Conversation(ConversationBase, table=True):
    id: str = Field(primary_key=True, max_length=128)
    # Who may read and change it: the user id from app/api/deps.py `current_user` (a guest session
    # until you add login).
    owner_id: str = Field(index=True, max_length=128)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class Message(SQLModel, table=True):
    pk: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(
        sa_column=Column(String(128), ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    )
    position: int
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # The message's plain text (its text parts), for search.
    text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class ConversationPublic(ConversationBase):
    id: str
    created_at: datetime
    updated_at: datetime


class ConversationUpdate(SQLModel):
    title: str = Field(max_length=200)  # blank titles: 422 from the route, with one line


class ConversationDetail(BaseModel):
    id: str
    title: str
    messages: list[UIMessage]
