"""The upstream model server: one async OpenAI-compatible client for every provider."""

import aiohttp
import httpx
import httpx2
import openai
from openai import AsyncOpenAI, DefaultAioHttpClient

from app.core.config import Settings


def make_client(settings: Settings) -> AsyncOpenAI:
    """One client (one connection pool) shared by every request.

    Read timeout = the longest wait for the next token; no retries, so a dead server fails fast.
    The aiohttp transport (openai's `aiohttp` extra) parses the upstream's HTTP in C and buffers what
    arrives while a reply is paced (app/api/routes/chat.py): one read then takes every token that came
    in since the last, where the default pure-Python transport wakes up once per token.

    The pool: up to 1000 connections (openai's default), idle ones closed after 2 s, before the
    model server closes them (uvicorn, under `transformers serve`, does after 5 s): a request sent
    on a connection the server is closing at that moment would fail, and no retry is safe mid-chat.
    """
    timeout = openai.Timeout(settings.LLM_TIMEOUT, connect=min(settings.LLM_TIMEOUT, 10.0))
    limits = httpx2.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=2.0)
    return AsyncOpenAI(
        base_url=settings.llm_base_url,
        api_key=settings.LLM_API_KEY or "not-needed",
        timeout=timeout,
        max_retries=0,
        http_client=DefaultAioHttpClient(timeout=timeout, limits=limits),
    )


def connection_failed(exc: BaseException | None) -> bool:
    """Whether the connection failed (refused, dropped) rather than timed out: the aiohttp transport
    reports both as timeouts."""
    while exc is not None:
        if isinstance(exc, aiohttp.ClientConnectionError) and not isinstance(exc, TimeoutError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def describe_error(exc: Exception, settings: Settings) -> str:
    """One line a user can act on, naming the server's URL."""
    url = settings.llm_base_url
    if isinstance(exc, openai.APITimeoutError) and connection_failed(exc):
        exc = openai.APIConnectionError(request=exc.request)
    if isinstance(exc, openai.APITimeoutError):
        return f"The model server at {url} did not answer within {settings.LLM_TIMEOUT:g}s (LLM_TIMEOUT)."
    if isinstance(exc, openai.APIConnectionError):
        return f"Cannot reach the model server at {url}: is it running? (LLM_BASE_URL / LLM_PROVIDER)"
    if isinstance(exc, openai.APIStatusError):
        detail = exc.message or exc.response.reason_phrase
        return f"The model server at {url} answered {exc.status_code}: {detail}"
    return f"The model server at {url} failed: {exc}"


async def resolve_model(client: AsyncOpenAI, settings: Settings, requested: str | None = None) -> str:
    if requested:
        return requested
    if settings.LLM_MODEL:
        return settings.LLM_MODEL
    models = await client.models.list()
    if not models.data:
        raise ValueError(f"The model server at {settings.llm_base_url} lists no models; set LLM_MODEL.")
    return models.data[0].id


async def ollama_version(settings: Settings) -> str | None:
    """Ollama's version from GET /api/version, or None when no Ollama answers at OLLAMA_HOST."""
    try:
        async with httpx.AsyncClient(timeout=2.0) as http:
            response = await http.get(f"{settings.ollama_url}/api/version")
            response.raise_for_status()
            return response.json().get("version")
    except (httpx.HTTPError, ValueError):
        return None
