"""The upstream model server (any OpenAI-compatible one): its models, and a streamed chat completion.

Two calls, made with aiohttp (HTTP parsed in C): GET {LLM_BASE_URL}/models and a streaming
POST {LLM_BASE_URL}/chat/completions. The chat's hot path parses the stream's bytes itself
(app/api/routes/chat.py), so an API client would only build the request, and the openai SDK's
request building took about 1 ms of CPU per chat: with 100 chats starting at once, 100 ms more
before the last first token. Failures become UpstreamError, one line a user can act on.
"""

import aiohttp

from app.core.config import Settings


class UpstreamError(Exception):
    """The model server could not be reached, timed out or refused the request; the message says so."""


def make_client(settings: Settings) -> aiohttp.ClientSession:
    """One session (one connection pool) shared by every request.

    Read timeout = the longest wait for the next token; no retries, so a dead server fails fast.
    aiohttp buffers what arrives while a reply is paced (app/api/routes/chat.py): one read then takes
    every token that came in since the last.

    The pool: up to 1000 connections, idle ones closed after 2 s, before the model server closes
    them (uvicorn, under `transformers serve`, does after 5 s): a request sent on a connection the
    server is closing at that moment would fail, and no retry is safe mid-chat.
    """
    timeout = aiohttp.ClientTimeout(
        total=None, sock_connect=min(settings.LLM_TIMEOUT, 10.0), sock_read=settings.LLM_TIMEOUT
    )
    headers = {"Authorization": f"Bearer {settings.LLM_API_KEY}"} if settings.LLM_API_KEY else None
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=1000, keepalive_timeout=2.0),
        timeout=timeout,
        headers=headers,
    )


def describe_error(exc: BaseException, settings: Settings) -> str:
    """One line a user can act on, naming the server's URL."""
    url = settings.llm_base_url
    if isinstance(exc, UpstreamError):
        return str(exc)
    if isinstance(exc, TimeoutError):  # aiohttp's read and connect timeouts are TimeoutErrors
        return f"The model server at {url} did not answer within {settings.LLM_TIMEOUT:g}s (LLM_TIMEOUT)."
    if isinstance(exc, aiohttp.ClientError):  # refused, dropped, cut off mid-reply
        return f"Cannot reach the model server at {url}: is it running? (LLM_BASE_URL / LLM_PROVIDER)"
    return f"The model server at {url} failed: {exc}"


async def refused(response: aiohttp.ClientResponse, settings: Settings) -> UpstreamError:
    """The error for a response with an error status, with the server's own message when it sent one
    (OpenAI, Ollama and llama.cpp: {"error": {"message": ...}}; vLLM: {"message": ...})."""
    detail = response.reason or ""
    try:
        body = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError):
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        found = error.get("message") if isinstance(error, dict) else error
        detail = str(found or body.get("message") or body.get("detail") or detail)
    return UpstreamError(f"The model server at {settings.llm_base_url} answered {response.status}: {detail}")


async def request(
    client: aiohttp.ClientSession, settings: Settings, method: str, path: str, **kwargs
) -> aiohttp.ClientResponse:
    """The upstream's response once its headers are in; UpstreamError for any failure or error status.
    The caller reads the body and releases the response."""
    try:
        response = await client.request(method, f"{settings.llm_base_url}{path}", **kwargs)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise UpstreamError(describe_error(exc, settings)) from exc
    if response.status >= 400:
        try:
            raise await refused(response, settings)
        finally:
            response.release()
    return response


async def list_models(client: aiohttp.ClientSession, settings: Settings) -> list[str]:
    """The ids of the models the server lists (GET /models)."""
    response = await request(client, settings, "GET", "/models")
    try:
        page = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise UpstreamError(describe_error(exc, settings)) from exc
    finally:
        response.release()
    return [model["id"] for model in page.get("data") or []]


async def resolve_model(
    client: aiohttp.ClientSession, settings: Settings, requested: str | None = None
) -> str:
    if requested:
        return requested
    if settings.LLM_MODEL:
        return settings.LLM_MODEL
    models = await list_models(client, settings)
    if not models:
        raise UpstreamError(f"The model server at {settings.llm_base_url} lists no models; set LLM_MODEL.")
    return models[0]


async def stream_chat(
    client: aiohttp.ClientSession, settings: Settings, model: str, messages: list[dict[str, str]]
) -> aiohttp.ClientResponse:
    """A streaming chat completion, once the server has answered; its body is the SSE stream of
    `chat.completion.chunk`s. Closing (`release()`) it ends the request: the model stops generating."""
    body: dict = {"model": model, "messages": messages, "stream": True}
    if settings.max_tokens is not None:
        body["max_tokens"] = settings.max_tokens
    return await request(client, settings, "POST", "/chat/completions", json=body)


async def ollama_version(settings: Settings) -> str | None:
    """Ollama's version from GET /api/version, or None when no Ollama answers at OLLAMA_HOST."""
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2.0)) as http,
            http.get(f"{settings.ollama_url}/api/version") as response,
        ):
            response.raise_for_status()
            return (await response.json(content_type=None)).get("version")
    except (aiohttp.ClientError, TimeoutError, ValueError, AttributeError):
        return None
