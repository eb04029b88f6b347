"""Database operations (keyword-only, one session each call)."""

from pydantic_ai.ui.vercel_ai.request_types import TextUIPart, UIMessage
from sqlmodel import Session, col, delete, or_, select, update

from app.models import Conversation, Message, utcnow

TITLE_CHARS = 60


def message_text(message: UIMessage) -> str:
    return "".join(part.text for part in message.parts if isinstance(part, TextUIPart))


def title_from(messages: list[UIMessage]) -> str:
    first_user = next((m for m in messages if m.role == "user"), None)
    text = " ".join(message_text(first_user).split()) if first_user else ""
    if len(text) > TITLE_CHARS:
        text = text[: TITLE_CHARS - 1].rstrip() + "…"
    return text or "New chat"


def list_conversations(*, session: Session, owner_id: str, search: str = "") -> list[Conversation]:
    """The owner's conversations, newest first; with `search`, those whose title or any message
    contains it (case-insensitive)."""
    query = select(Conversation).where(Conversation.owner_id == owner_id)
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        in_messages = select(Message.conversation_id).where(col(Message.text).ilike(pattern, escape="\\"))
        query = query.where(
            or_(col(Conversation.title).ilike(pattern, escape="\\"), col(Conversation.id).in_(in_messages))
        )
    return list(session.exec(query.order_by(col(Conversation.updated_at).desc())))


def get_conversation(*, session: Session, conversation_id: str, owner_id: str) -> Conversation | None:
    """The conversation if `owner_id` owns it; None if it does not exist or is someone else's."""
    conversation = session.get(Conversation, conversation_id)
    return conversation if conversation is not None and conversation.owner_id == owner_id else None


def count_unowned(*, session: Session) -> int:
    """Conversations from before guest sessions (0.1.0): stored with an empty owner."""
    return len(session.exec(select(Conversation.id).where(Conversation.owner_id == "")).all())


def claim_unowned(*, session: Session, owner_id: str) -> int:
    """Give the conversations without an owner to `owner_id`; how many it took."""
    claimed = session.exec(
        update(Conversation).where(col(Conversation.owner_id) == "").values(owner_id=owner_id)
    )
    session.commit()
    return claimed.rowcount


def owner_of(*, session: Session, conversation_id: str) -> str | None:
    return session.exec(select(Conversation.owner_id).where(Conversation.id == conversation_id)).first()


def get_messages(*, session: Session, conversation_id: str) -> list[UIMessage]:
    rows = session.exec(
        select(Message).where(Message.conversation_id == conversation_id).order_by(col(Message.position))
    )
    return [UIMessage.model_validate(row.data) for row in rows]


def save_history(
    *, session: Session, conversation_id: str, owner_id: str, messages: list[UIMessage]
) -> Conversation:
    """Make the stored history exactly `messages` (the client's list is the truth)."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        conversation = Conversation(id=conversation_id, owner_id=owner_id, title=title_from(messages))
    elif conversation.owner_id != owner_id:
        raise PermissionError(f"conversation {conversation_id!r} belongs to another user")
    conversation.updated_at = utcnow()
    session.add(conversation)
    session.exec(delete(Message).where(col(Message.conversation_id) == conversation_id))
    session.add_all(
        Message(
            conversation_id=conversation_id,
            position=i,
            data=m.model_dump(mode="json", by_alias=True),
            text=message_text(m),
        )
        for i, m in enumerate(messages)
    )
    session.commit()
    session.refresh(conversation)
    return conversation


def append_message(
    *, session: Session, conversation_id: str, message: UIMessage, replace_last: bool = False
) -> None:
    """Add `message` at the end; `replace_last`: it takes the last message's place (a continued reply)."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:  # deleted while the reply was streaming
        return
    count = len(session.exec(select(Message.pk).where(Message.conversation_id == conversation_id)).all())
    if replace_last and count:
        count -= 1
        session.exec(
            delete(Message).where(
                col(Message.conversation_id) == conversation_id, col(Message.position) == count
            )
        )
    session.add(
        Message(
            conversation_id=conversation_id,
            position=count,
            data=message.model_dump(mode="json", by_alias=True),
            text=message_text(message),
        )
    )
    conversation.updated_at = utcnow()
    session.add(conversation)
    session.commit()


def rename_conversation(*, session: Session, conversation: Conversation, title: str) -> Conversation:
    conversation.title = title
    conversation.updated_at = utcnow()
    session.add(conversation)
    session.commit()
    session.refresh(conversation)
    return conversation


def delete_conversation(*, session: Session, conversation: Conversation) -> None:
    session.exec(delete(Message).where(col(Message.conversation_id) == conversation.id))
    session.delete(conversation)
    session.commit()
