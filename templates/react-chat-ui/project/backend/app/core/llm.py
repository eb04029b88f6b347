"""The upstream model server: one async OpenAI-compatible client for every provider."""

import httpx
import openai
from openai import AsyncOpenAI

from app.core.config import Settings


def make_client(settings: Settings) -> AsyncOpenAI:
    # Read timeout = the longest wait for the next token; no retries, so a dead server fails fast.
    timeout = httpx.Timeout(settings.LLM_TIMEOUT, connect=min(settings.LLM_TIMEOUT, 10.0))
    return AsyncOpenAI(
        base_url=settings.llm_base_url,
        api_key=settings.LLM_API_KEY or "not-needed",
        timeout=timeout,
        max_retries=0,
    )


def describe_error(exc: Exception, settings: Settings) -> str:
    """One line a user can act on, naming the server's URL."""
    url = settings.llm_base_url
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
