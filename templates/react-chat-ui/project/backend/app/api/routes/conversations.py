from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from app import crud
from app.api.deps import SessionDep, UserDep
from app.models import Conversation, ConversationDetail, ConversationPublic, ConversationUpdate

router = APIRouter(prefix="/conversations", tags=["conversations"])


def get_or_404(session: SessionDep, conversation_id: str, user_id: str) -> Conversation:
    """The user's conversation; someone else's gets the same 404 as one that does not exist."""
    conversation = crud.get_conversation(session=session, conversation_id=conversation_id, owner_id=user_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Conversation {conversation_id!r} not found.")
    return conversation


@router.get("", response_model=list[ConversationPublic])
def list_conversations(
    session: SessionDep, user_id: UserDep, q: Annotated[str, Query(max_length=200)] = ""
) -> list[Conversation]:
    """The caller's conversations, newest first; `q`: only those whose title or messages contain it."""
    return crud.list_conversations(session=session, owner_id=user_id, search=q.strip())


@router.get("/{conversation_id}", response_model=ConversationDetail, response_model_by_alias=True)
def read_conversation(session: SessionDep, user_id: UserDep, conversation_id: str) -> ConversationDetail:
    conversation = get_or_404(session, conversation_id, user_id)
    messages = crud.get_messages(session=session, conversation_id=conversation_id)
    return ConversationDetail(id=conversation.id, title=conversation.title, messages=messages)


@router.patch("/{conversation_id}", response_model=ConversationPublic)
def rename_conversation(
    session: SessionDep, user_id: UserDep, conversation_id: str, body: ConversationUpdate
) -> Conversation:
    title = body.title.strip()
    if not title:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "The title is empty: type at least one character."
        )
    conversation = get_or_404(session, conversation_id, user_id)
    return crud.rename_conversation(session=session, conversation=conversation, title=title)


@router.delete("/{conversation_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_conversation(session: SessionDep, user_id: UserDep, conversation_id: str) -> None:
    crud.delete_conversation(session=session, conversation=get_or_404(session, conversation_id, user_id))
