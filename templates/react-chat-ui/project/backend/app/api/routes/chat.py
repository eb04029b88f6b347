"""POST /api/chat: the AI SDK `useChat` endpoint.

Request: what `DefaultChatTransport` sends (`id`, `messages`, `trigger`, `messageId`, optional `model`).
Response: the AI SDK UI message stream protocol v1 (SSE; https://ai-sdk.dev/docs/ai-sdk-ui/stream-protocol):
start, start-step, text-start, text-delta…, text-end, finish-step, finish, [DONE]; or an `error` part.

Only the new user message is limited (MAX_MESSAGE_CHARS); the history is never refused: the oldest
turns that do not fit the model's context (LLM_CONTEXT_TOKENS) are left out of the prompt.

Continue: when the last message is the assistant's (a reply that was cut off), the model goes on from
it and the new text extends that same message (`useChat`'s `sendMessage()` with no message). The
prompt then ends with CONTINUE_INSTRUCTION, which is never shown or stored.

The token loop is the hot path (100 chats x 200 tokens/s each is 20,000 tokens/s). It parses the
upstream's raw SSE bytes (no SDK object per token) and sends what arrived since the last send as one
text-delta, at most every FLUSH_SECONDS: the first token goes out at once; then the loop sleeps while
the next tokens gather in the HTTP client's buffer (app/core/llm.py: aiohttp) and takes them all in
one read. No token waits longer than FLUSH_SECONDS (the UI repaints every 40 ms anyway), and a busy
server wakes up once per batch, not once per token.

The database stays off the first-token path: one read (who owns the conversation) before the stream,
the history is written after the first token is sent, and writes take turns (`db_writes`, one at a
time on SQLite) so they never hold the thread pool that reads and new requests need.
"""

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Literal

import aiohttp
import anyio
from fastapi import APIRouter, HTTPException, Request, status
from pydantic import Field
from pydantic_ai.ui.vercel_ai import request_types as ui
from pydantic_core import from_json, to_json
from sqlalchemy import Engine
from sqlmodel import Session
from sse_starlette import EventSourceResponse

from app import crud
from app.api.deps import LLMDep, SettingsDep, UserDep
from app.core.config import Settings
from app.core.llm import UpstreamError, describe_error, resolve_model, stream_chat
from app.core.retriever import Passage, Retriever, passages_from, source_parts

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


# Sent to the model after its cut-off reply (OpenAI-compatible servers differ on continuing a final
# assistant message; every chat model follows this).
CONTINUE_INSTRUCTION = (
    "Your last reply was cut off. Continue it exactly where it stopped, without repeating anything."
)


def continues(body: ChatRequest) -> bool:
    """Whether this request continues the last (cut-off) assistant reply instead of answering anew."""
    return len(body.messages) > 1 and body.messages[-1].role == "assistant"


def check_limits(body: ChatRequest, settings: Settings) -> None:
    """The new user message is limited; earlier messages (long replies included) never are."""
    if continues(body):
        return
    if not body.messages or body.messages[-1].role != "user":
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "The last message must be a user message (or the assistant's reply, to continue it).",
        )
    text = crud.message_text(body.messages[-1])
    if not text.strip():
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "The message is empty: type something to send."
        )
    size = len(text)
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


def to_openai(
    messages: list[ui.UIMessage], settings: Settings, sources: list[dict[str, str]] | None = None
) -> list[dict[str, str]]:
    """The chat prompt: the history that fits, and after a cut-off reply the continue instruction.

    sources: the retriever's [system, question with the passages]; the system message goes first
    and the question replaces the last user message (on Continue, the one before the cut-off reply).
    """
    prompt = [{"role": m.role, "content": crud.message_text(m)} for m in messages]
    system = None
    if sources and prompt:
        system, question = sources
        last_user = max((i for i, m in enumerate(prompt) if m["role"] == "user"), default=len(prompt) - 1)
        prompt[last_user] = question
    if prompt and prompt[-1]["role"] == "assistant":
        prompt.append({"role": "user", "content": CONTINUE_INSTRUCTION})
    prompt = fit_to_context(prompt, settings.prompt_token_budget)
    return [system, *prompt] if system else prompt


def sse(event: dict) -> bytes:
    """One SSE event, framed as sse-starlette frames a string (`data: ` line, blank line; it sends
    bytes as they are). pydantic-core's JSON (compact, UTF-8) encodes a text-delta in well under a
    microsecond, ~10x faster than json.dumps plus sse-starlette's framing: it runs for every batch."""
    return b"data: " + to_json(event) + b"\n\n"


def content_of(lines: list[bytes]) -> tuple[str, str | None]:
    """The text and finish reason in complete upstream SSE lines (`data: {chat.completion.chunk}`)."""
    text, finish = [], None
    for line in lines:
        if not line.startswith(b"data:"):
            continue
        data = line[5:].strip()
        if not data or data == b"[DONE]":
            continue
        event = from_json(data)  # pydantic-core's parser: ~4x faster than json.loads on a chunk
        if event.get("error"):
            raise ValueError(f"the model server failed mid-reply: {event['error']}")
        for choice in event.get("choices") or ():
            delta = (choice.get("delta") or {}).get("content")
            if delta:
                text.append(delta)
            finish = choice.get("finish_reason") or finish
    return "".join(text), finish


async def reply_stream(
    *,
    engine: Engine,
    writes: anyio.CapacityLimiter,
    llm: aiohttp.ClientSession,
    settings: Settings,
    body: ChatRequest,
    user_id: str,
    retriever: Retriever,
) -> AsyncIterator[str]:
    """Stream one assistant reply; whatever happens (done, error, client gone) save what was said.

    The saved reply records how it ended in `metadata.finishReason`: stop, length (cut off by the
    token limit), stopped (the client went away: Stop, or another conversation opened) or error.
    """
    continued = body.messages[-1] if continues(body) else None  # the cut-off reply it extends
    message_id = continued.id if continued else f"msg-{uuid.uuid4().hex}"
    text_id = f"text-{uuid.uuid4().hex[:8]}"
    parts: list[str] = []
    ended = "stopped"  # until the stream says otherwise
    saving: asyncio.Future | None = None  # storing the client's history, started after the first token
    response = None
    passages: list[Passage] = []  # the documents' passages the reply may cite (app/core/retriever.py)
    cited: dict | None = None
    yield sse({"type": "start", "messageId": message_id})
    yield sse({"type": "start-step"})
    try:
        question = crud.message_text(
            next((m for m in reversed(body.messages) if m.role == "user"), body.messages[-1])
        )
        if continued:  # it goes on from the passages it was written from; the client shows them already
            passages = passages_from([p.model_dump(by_alias=True) for p in continued.parts])
        else:  # the passages go out first: the sources show while the model starts
            passages = list(await anyio.to_thread.run_sync(retriever.find, question))
            for part in source_parts(passages):
                yield sse(part)
        model = await resolve_model(llm, settings, body.model)
        sources = retriever.sources_prompt(question, passages)  # None: a chat without documents
        prompt = to_openai(body.messages, settings, sources)
        response = await stream_chat(llm, settings, model, prompt)
        yield sse({"type": "text-start", "id": text_id})
        finish_reason, buffer = None, b""
        # Each read returns everything that arrived since the last one (aiohttp's buffer).
        async for data in response.content.iter_any():
            *lines, buffer = (buffer + data).split(b"\n")
            delta, finish = content_of(lines)
            finish_reason = finish or finish_reason
            if delta:
                parts.append(delta)
                yield sse({"type": "text-delta", "delta": delta, "id": text_id})
                if saving is None:  # off the time-to-first-token path, while the reply streams
                    saving = asyncio.ensure_future(db_write(writes, save_history, engine, body, user_id))
                await asyncio.sleep(FLUSH_SECONDS)  # meanwhile the next tokens gather into one batch
        delta, finish = content_of([buffer])  # a last line without its newline
        finish_reason = finish or finish_reason
        if delta:
            parts.append(delta)
            yield sse({"type": "text-delta", "delta": delta, "id": text_id})
        reason = finish_reason if finish_reason in ("stop", "length") else "stop"
        ended = reason
        yield sse({"type": "text-end", "id": text_id})
        if passages:  # which sources the reply cites, checked by the retriever
            text = (crud.message_text(continued) if continued else "") + "".join(parts)
            data = await anyio.to_thread.run_sync(retriever.citations, passages, text)
            cited = {"type": "data-citations", "id": "citations", "data": data}
            yield sse(cited)
        yield sse({"type": "finish-step"})
        yield sse({"type": "finish", "finishReason": reason, "messageMetadata": {"finishReason": reason}})
    except (UpstreamError, aiohttp.ClientError, TimeoutError, ValueError) as exc:
        # aiohttp's errors and timeouts: the connection failed mid-reply.
        log.warning("upstream failed: %s", exc)
        ended = "error"
        yield sse({"type": "error", "errorText": describe_error(exc, settings)})
    except RuntimeError as exc:  # the retriever's failures (database, embedding model)
        log.warning("documents failed: %s", exc)
        ended = "error"
        yield sse({"type": "error", "errorText": str(exc)})
    finally:
        # The client may be gone (Stop): finish the clean-up anyway, shielded from that cancellation.
        with anyio.CancelScope(shield=True):
            if response is not None:
                response.release()  # unfinished, it closes the upstream request: the model stops generating
            await (saving or db_write(writes, save_history, engine, body, user_id))
            if parts:  # a partial reply (Stop, error) is kept too, marked as such
                before = crud.message_text(continued) if continued else ""
                reply = ui.UIMessage(
                    id=message_id,
                    role="assistant",
                    metadata={"finishReason": ended},
                    parts=[
                        *(ui.SourceDocumentUIPart.model_validate(p) for p in source_parts(passages)),
                        ui.TextUIPart(text=before + "".join(parts), state="done"),
                        *([ui.DataUIPart.model_validate(cited)] if cited else []),
                    ],
                )
                await db_write(writes, append_reply, engine, body.id, reply, continued is not None)


async def db_write(writes: anyio.CapacityLimiter, func, *args) -> None:
    """Run a blocking database write in a worker thread, when it is its turn (`writes`)."""
    await anyio.to_thread.run_sync(func, *args, limiter=writes)


def save_history(engine: Engine, body: ChatRequest, user_id: str) -> None:
    with Session(engine) as session:
        crud.save_history(session=session, conversation_id=body.id, owner_id=user_id, messages=body.messages)


def append_reply(engine: Engine, conversation_id: str, reply: ui.UIMessage, replace_last: bool) -> None:
    with Session(engine) as session:
        crud.append_message(
            session=session, conversation_id=conversation_id, message=reply, replace_last=replace_last
        )


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
    if await anyio.to_thread.run_sync(owned_by_someone_else, engine, body.id, user_id):
        # Same answer as for a conversation that does not exist: ids are not confirmed to others.
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Conversation {body.id!r} not found.")
    writes = request.app.state.db_writes
    replies = reply_stream(
        engine=engine,
        writes=writes,
        llm=llm,
        settings=settings,
        body=body,
        user_id=user_id,
        retriever=request.app.state.retriever,
    )

    async def events() -> AsyncIterator[str]:
        # aclosing: when the client goes away, the reply stream is closed right now (upstream request
        # cancelled, partial reply saved), not whenever the generator is garbage-collected.
        async with aclosing(replies):
            async for data in replies:
                yield data
        yield "[DONE]"

    return EventSourceResponse(events(), headers=STREAM_HEADERS, ping=settings.HEARTBEAT_SECONDS, sep="\n")
