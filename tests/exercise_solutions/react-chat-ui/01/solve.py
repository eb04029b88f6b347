"""Thumbs up / down: a feedback route (new file) and its registration in api/main.py."""

FEEDBACK = '''"""PUT a rating on an assistant reply; it is kept in the reply's metadata."""

from typing import Literal

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel
from sqlmodel import select

from app import crud
from app.api.deps import SessionDep, UserDep
from app.models import Message

router = APIRouter(prefix="/conversations", tags=["feedback"])


class Feedback(BaseModel):
    rating: Literal["up", "down"] | None


@router.put("/{conversation_id}/messages/{message_id}/feedback")
def rate_reply(
    session: SessionDep, user_id: UserDep, conversation_id: str, message_id: str, body: Feedback
) -> dict:
    not_found = HTTPException(status.HTTP_404_NOT_FOUND, f"No reply {message_id!r} here.")
    owned = crud.get_conversation(
        session=session, conversation_id=conversation_id, owner_id=user_id
    )
    if owned is None:
        raise not_found
    rows = session.exec(select(Message).where(Message.conversation_id == conversation_id))
    replies = (r for r in rows if r.data.get("role") == "assistant")
    row = next((r for r in replies if r.data.get("id") == message_id), None)
    if row is None:
        raise not_found
    metadata = dict(row.data.get("metadata") or {})
    if body.rating is None:
        metadata.pop("feedback", None)
    else:
        metadata["feedback"] = body.rating
    row.data = {**row.data, "metadata": metadata}  # a new dict, so the JSON column is saved
    session.add(row)
    session.commit()
    return {"id": message_id, "feedback": body.rating}
'''


def solve(project) -> None:
    project.write("backend/app/api/routes/feedback.py", FEEDBACK)
    project.insert_after(
        "backend/app/api/main.py",
        r"^from app\.api\.routes import ",
        "from app.api.routes import feedback",
    )
    project.append("backend/app/api/main.py", "api_router.include_router(feedback.router)\n")
