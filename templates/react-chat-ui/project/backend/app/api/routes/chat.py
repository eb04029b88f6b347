"""POST /api/chat: the AI SDK `useChat` endpoint.

Request: what `DefaultChatTransport` sends (`id`, `messages`, `trigger`, `messageId`, optional `model`).
Response: the AI SDK UI message stream protocol v1 (SSE; https://ai-sdk.dev/docs/ai-sdk-ui/stream-protocol):
start, start-step, text-start, text-delta…, text-end, finish-step, finish, [DONE]; or an `error` part.
"""

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Literal

import anyio
import openai
from fastapi import APIRouter, HTTPException, Request, status
from openai import AsyncOpenAI
from pydantic import Field
from pydantic_ai.ui.vercel_ai import request_types as ui
from pydantic_ai.ui.vercel_ai import response_types as chunks
from sqlalchemy import Engine
from sqlmodel import Session
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from app import crud
from app.api.deps import LLMDep, SettingsDep
from app.core.config import Settings
from app.core.llm import describe_error, resolve_model

router = APIRouter(tags=["chat"])
log = logging.getLogger(__name__)

SDK_VERSION = 5  # AI SDK major the wire format is written for (same `v1` stream as AI SDK 6)
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
    if not body.messages or body.messages[-1].role != "user":
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "The last message must be a user message.")
    if len(body.messages) > settings.MAX_HISTORY_MESSAGES:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"Too many messages: {len(body.messages)} (MAX_HISTORY_MESSAGES is {settings.MAX_HISTORY_MESSAGES}).",
        )
    for message in body.messages:
        size = len(crud.message_text(message))
        if size > settings.MAX_MESSAGE_CHARS:
            raise HTTPException(
                status.HTTP_413_CONTENT_TOO_LARGE,
                f"A message has {size} characters (MAX_MESSAGE_CHARS is {settings.MAX_MESSAGE_CHARS}).",
            )


def to_openai(messages: list[ui.UIMessage]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": crud.message_text(m)} for m in messages]


async def reply_stream(
    *, engine: Engine, llm: AsyncOpenAI, settings: Settings, body: ChatRequest
) -> AsyncIterator[chunks.BaseChunk]:
    """Stream one assistant reply; whatever happens (done, error, client gone) save what was said."""
    message_id = f"msg-{uuid.uuid4().hex}"
    text_id = f"text-{uuid.uuid4().hex[:8]}"
    text, stream = "", None
    saving: asyncio.Future | None = None  # storing the client's history, started after the first token
    yield chunks.StartChunk(message_id=message_id)
    yield chunks.StartStepChunk()
    try:
        model = await resolve_model(llm, settings, body.model)
        stream = await llm.chat.completions.create(
            model=model,
            messages=to_openai(body.messages),
            stream=True,
            max_tokens=openai.omit if settings.max_tokens is None else settings.max_tokens,
        )
        finish_reason = None
        yield chunks.TextStartChunk(id=text_id)
        async for event in stream:
            if not event.choices:
                continue
            choice = event.choices[0]
            if choice.delta.content:
                text += choice.delta.content
                yield chunks.TextDeltaChunk(id=text_id, delta=choice.delta.content)
                if saving is None:  # off the time-to-first-token path, while the reply streams
                    saving = asyncio.ensure_future(run_in_threadpool(save_history, engine, body))
            finish_reason = choice.finish_reason or finish_reason
        yield chunks.TextEndChunk(id=text_id)
        yield chunks.FinishStepChunk()
        yield chunks.FinishChunk(
            finish_reason=finish_reason if finish_reason in ("stop", "length") else "stop"
        )
    except (openai.APIError, ValueError) as exc:
        log.warning("upstream failed: %s", exc)
        yield chunks.ErrorChunk(error_text=describe_error(exc, settings))
    finally:
        # The client may be gone (Stop): finish the clean-up anyway, shielded from that cancellation.
        with anyio.CancelScope(shield=True):
            if stream is not None:
                await stream.close()  # closes the upstream request: the model stops generating
            await (saving or run_in_threadpool(save_history, engine, body))
            if text:  # a partial reply (Stop, error) is kept too
                reply = ui.UIMessage(
                    id=message_id, role="assistant", parts=[ui.TextUIPart(text=text, state="done")]
                )
                await run_in_threadpool(append_reply, engine, body.id, reply)


def save_history(engine: Engine, body: ChatRequest) -> None:
    with Session(engine) as session:
        crud.save_history(session=session, conversation_id=body.id, messages=body.messages)


def append_reply(engine: Engine, conversation_id: str, reply: ui.UIMessage) -> None:
    with Session(engine) as session:
        crud.append_message(session=session, conversation_id=conversation_id, message=reply)


@router.post("/chat")
async def chat(
    body: ChatRequest, request: Request, llm: LLMDep, settings: SettingsDep
) -> EventSourceResponse:
    check_limits(body, settings)
    replies = reply_stream(engine=request.app.state.engine, llm=llm, settings=settings, body=body)

    async def events() -> AsyncIterator[dict[str, str]]:
        # aclosing: when the client goes away, the reply stream is closed right now (upstream request
        # cancelled, partial reply saved), not whenever the generator is garbage-collected.
        async with aclosing(replies):
            async for chunk in replies:
                yield {"data": chunk.encode(SDK_VERSION)}
        yield {"data": "[DONE]"}

    return EventSourceResponse(events(), headers=STREAM_HEADERS, ping=settings.HEARTBEAT_SECONDS, sep="\n")
