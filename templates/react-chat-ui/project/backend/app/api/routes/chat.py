"""POST /api/chat: the AI SDK `useChat` endpoint.

Request: what `DefaultChatTransport` sends (`id`, `messages`, `trigger`, `messageId`, optional `model`).
Response: the AI SDK UI message stream protocol v1 (SSE; https://ai-sdk.dev/docs/ai-sdk-ui/stream-protocol):
start, start-step, text-start, text-delta…, text-end, finish-step, finish, [DONE]; or an `error` part.

Only the new user message is limited (MAX_MESSAGE_CHARS); the history is never refused: the oldest
turns that do not fit the model's context (LLM_CONTEXT_TOKENS) are left out of the prompt.

The token loop is the hot path (100 chats x 200 tokens/s each is 20,000 tokens/s). It parses the
upstream's raw SSE bytes (no SDK object per token) and sends what arrived since the last send as one
text-delta, at most every FLUSH_SECONDS: the first token goes out at once, no token waits longer than
FLUSH_SECONDS (the UI repaints every 40 ms anyway), and a busy server does far less work per token.
"""

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Literal

import anyio
import httpx
import openai
from fastapi import APIRouter, HTTPException, Request, status
from openai import AsyncOpenAI
from pydantic import Field
from pydantic_ai.ui.vercel_ai import request_types as ui
from sqlalchemy import Engine
from sqlmodel import Session
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from app import crud
from app.api.deps import LLMDep, SettingsDep, UserDep
from app.core.config import Settings
from app.core.llm import describe_error, resolve_model

router = APIRouter(tags=["chat"])
log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.02
STREAM_HEADERS = {
    "x-vercel-ai-ui-message-stream": "v1",
    "X-Accel-Buffering": "no",
    "Cache-Control": "no-cache",
}


class ChatRequest(ui.SubmitMessage):
    id: str = Field(min_length=1, max_length=128)
    # "regenerate-message": the client already dropped the old reply from `messages`.
    trigger: Literal["submit-message", "regenerate-message"] = "submit-message"
    message_id: str | None = None
    model: str | None = Field(default=None, max_length=200)


def check_limits(body: ChatRequest, settings: Settings) -> None:
    """The new user message is limited; earlier messages (long replies included) never are."""
    if not body.messages or body.messages[-1].role != "user":
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "The last message must be a user message.")
    size = len(crud.message_text(body.messages[-1]))
    if size > settings.MAX_MESSAGE_CHARS:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"The message has {size} characters (MAX_MESSAGE_CHARS is {settings.MAX_MESSAGE_CHARS}).",
        )


def estimate_tokens(text: str) -> int:
    """A safe over-estimate for any tokenizer: ~3 characters a token, plus the message framing."""
    return len(text) // 3 + 8


def fit_to_context(messages: list[dict[str, str]], budget: int) -> list[dict[str, str]]:
    """The newest messages whose estimated tokens fit in `budget`; the last one always.

    Oldest turns go first; the prompt starts at a user message (some chat templates require it).
    """
    kept: list[dict[str, str]] = []
    used = 0
    for message in reversed(messages):
        cost = estimate_tokens(message["content"])
        if kept and used + cost > budget:
            break
        kept.append(message)
        used += cost
    kept.reverse()
    while len(kept) > 1 and kept[0]["role"] != "user":
        kept.pop(0)
    return kept


def to_openai(messages: list[ui.UIMessage], settings: Settings) -> list[dict[str, str]]:
    prompt = [{"role": m.role, "content": crud.message_text(m)} for m in messages]
    return fit_to_context(prompt, settings.prompt_token_budget)


def sse(event: dict) -> str:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def content_of(lines: list[bytes]) -> tuple[str, str | None]:
    """The text and finish reason in complete upstream SSE lines (`data: {chat.completion.chunk}`)."""
    text, finish = [], None
    for line in lines:
        if not line.startswith(b"data:"):
            continue
        data = line[5:].strip()
        if not data or data == b"[DONE]":
            continue
        event = json.loads(data)
        if event.get("error"):
            raise ValueError(f"the model server failed mid-reply: {event['error']}")
        for choice in event.get("choices") or ():
            delta = (choice.get("delta") or {}).get("content")
            if delta:
                text.append(delta)
            finish = choice.get("finish_reason") or finish
    return "".join(text), finish


async def reply_stream(
    *, engine: Engine, llm: AsyncOpenAI, settings: Settings, body: ChatRequest, user_id: str
) -> AsyncIterator[str]:
    """Stream one assistant reply; whatever happens (done, error, client gone) save what was said.

    The saved reply records how it ended in `metadata.finishReason`: stop, length (cut off by the
    token limit), stopped (the client went away: Stop, or another conversation opened) or error.
    """
    message_id = f"msg-{uuid.uuid4().hex}"
    text_id = f"text-{uuid.uuid4().hex[:8]}"
    parts: list[str] = []
    ended = "stopped"  # until the stream says otherwise
    saving: asyncio.Future | None = None  # storing the client's history, started after the first token
    response = None
    yield sse({"type": "start", "messageId": message_id})
    yield sse({"type": "start-step"})
    try:
        model = await resolve_model(llm, settings, body.model)
        response = await llm.chat.completions.with_streaming_response.create(
            model=model,
            messages=to_openai(body.messages, settings),
            stream=True,
            max_tokens=openai.omit if settings.max_tokens is None else settings.max_tokens,
        ).__aenter__()
        yield sse({"type": "text-start", "id": text_id})
        finish_reason, buffer = None, b""
        async for data in batches(response.http_response.aiter_raw()):
            *lines, buffer = (buffer + data).split(b"\n")
            delta, finish = content_of(lines)
            finish_reason = finish or finish_reason
            if delta:
                parts.append(delta)
                yield sse({"type": "text-delta", "delta": delta, "id": text_id})
                if saving is None:  # off the time-to-first-token path, while the reply streams
                    saving = asyncio.ensure_future(run_in_threadpool(save_history, engine, body, user_id))
                await asyncio.sleep(FLUSH_SECONDS)  # meanwhile the next tokens gather into one batch
        delta, finish = content_of([buffer])  # a last line without its newline
        finish_reason = finish or finish_reason
        if delta:
            parts.append(delta)
            yield sse({"type": "text-delta", "delta": delta, "id": text_id})
        reason = finish_reason if finish_reason in ("stop", "length") else "stop"
        ended = reason
        yield sse({"type": "text-end", "id": text_id})
        yield sse({"type": "finish-step"})
        yield sse({"type": "finish", "finishReason": reason, "messageMetadata": {"finishReason": reason}})
    except (openai.APIError, httpx.HTTPError, ValueError) as exc:
        if isinstance(exc, httpx.TimeoutException):
            exc = openai.APITimeoutError(request=exc.request)
        elif isinstance(exc, httpx.HTTPError):
            exc = openai.APIConnectionError(request=exc.request)
        log.warning("upstream failed: %s", exc)
        ended = "error"
        yield sse({"type": "error", "errorText": describe_error(exc, settings)})
    finally:
        # The client may be gone (Stop): finish the clean-up anyway, shielded from that cancellation.
        with anyio.CancelScope(shield=True):
            if response is not None:
                await response.close()  # closes the upstream request: the model stops generating
            await (saving or run_in_threadpool(save_history, engine, body, user_id))
            if parts:  # a partial reply (Stop, error) is kept too, marked as such
                reply = ui.UIMessage(
                    id=message_id,
                    role="assistant",
                    metadata={"finishReason": ended},
                    parts=[ui.TextUIPart(text="".join(parts), state="done")],
                )
                await run_in_threadpool(append_reply, engine, body.id, reply)


async def batches(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Everything `chunks` brought since the caller last asked, joined into one batch.

    A reader task collects the chunks (one per upstream token) while the caller sends the previous
    batch and waits; errors from the upstream surface here.
    """
    pending: list[bytes] = []
    ready = asyncio.Event()

    async def read() -> None:
        try:
            async for chunk in chunks:
                pending.append(chunk)
                ready.set()
        finally:
            ready.set()

    reader = asyncio.ensure_future(read())
    try:
        while not reader.done() or pending:
            await ready.wait()
            ready.clear()
            if pending:
                batch = b"".join(pending)
                pending.clear()
                yield batch
        reader.result()  # the upstream's error, if it failed
    finally:
        reader.cancel()


def save_history(engine: Engine, body: ChatRequest, user_id: str) -> None:
    with Session(engine) as session:
        crud.save_history(session=session, conversation_id=body.id, owner_id=user_id, messages=body.messages)


def append_reply(engine: Engine, conversation_id: str, reply: ui.UIMessage) -> None:
    with Session(engine) as session:
        crud.append_message(session=session, conversation_id=conversation_id, message=reply)


def owned_by_someone_else(engine: Engine, conversation_id: str, user_id: str) -> bool:
    with Session(engine) as session:
        owner = crud.owner_of(session=session, conversation_id=conversation_id)
    return owner is not None and owner != user_id


@router.post("/chat")
async def chat(
    body: ChatRequest, request: Request, llm: LLMDep, settings: SettingsDep, user_id: UserDep
) -> EventSourceResponse:
    check_limits(body, settings)
    engine = request.app.state.engine
    if await run_in_threadpool(owned_by_someone_else, engine, body.id, user_id):
        # Same answer as for a conversation that does not exist: ids are not confirmed to others.
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Conversation {body.id!r} not found.")
    replies = reply_stream(engine=engine, llm=llm, settings=settings, body=body, user_id=user_id)

    async def events() -> AsyncIterator[str]:
        # aclosing: when the client goes away, the reply stream is closed right now (upstream request
        # cancelled, partial reply saved), not whenever the generator is garbage-collected.
        async with aclosing(replies):
            async for data in replies:
                yield data
        yield "[DONE]"

    return EventSourceResponse(events(), headers=STREAM_HEADERS, ping=settings.HEARTBEAT_SECONDS, sep="\n")
