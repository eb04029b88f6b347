"""Any OpenAI-compatible HTTP server: Ollama's /v1, `transformers serve`, vLLM, OpenAI."""

import httpx
from openai import OpenAI

from ..ollama_host import ollama_url
from .base import Backend, BackendUnavailable, Generation, stopwatch


class OpenAICompatibleBackend(Backend):
    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        *,
        name: str = "openai-compatible",
        timeout: float = 120.0,
    ):
        self.name, self.model, self.base_url = name, model, base_url.rstrip("/")
        # Local servers ignore the key, but the client insists on one.
        self.client = OpenAI(
            base_url=self.base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=1
        )

    def chat(self, messages, *, max_tokens=64, temperature=0.0, seed=0) -> Generation:
        with stopwatch() as watch:
            response = self.client.chat.completions.create(
                model=self.model,
                messages=messages,
                max_tokens=max_tokens,
                temperature=temperature,
                seed=seed,
            )
        text = (response.choices[0].message.content or "").strip()
        usage = response.usage
        tokens, prompt = (usage.completion_tokens, usage.prompt_tokens) if usage else (0, 0)
        return Generation(self.name, text, tokens, watch.seconds, prompt)


def served_models(base_url: str, api_key: str = "", timeout: float = 10.0) -> list[str]:
    """The model ids an OpenAI-compatible server offers (GET {base_url}/models), first one first.

    Raises BackendUnavailable, with the fix, when no server answers or it lists no model.
    """
    url = f"{base_url.rstrip('/')}/models"
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        response = httpx.get(url, headers=headers, timeout=timeout)
        response.raise_for_status()
        models = [str(model["id"]) for model in response.json()["data"]]
    except httpx.HTTPError as error:
        raise BackendUnavailable(
            f"skipped: no OpenAI-compatible server answers at {url} ({type(error).__name__}); "
            "start one (`make serve`) or fix LLM_BASE_URL"
        ) from None
    except (ValueError, KeyError, TypeError):
        raise BackendUnavailable(f"skipped: {url} is not an OpenAI-compatible model list") from None
    if not models:
        raise BackendUnavailable(f"skipped: the server at {url} lists no model; set LLM_MODEL")
    return models


def ollama_version(host: str, timeout: float = 1.0) -> str | None:
    """Ollama's version from `GET /api/version`, or None when no Ollama answers there."""
    try:
        response = httpx.get(f"{ollama_url(host)}/api/version", timeout=timeout)
        response.raise_for_status()
        return str(response.json()["version"])
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None


def ollama_backend(host: str, model: str) -> OpenAICompatibleBackend:
    """An Ollama server as an OpenAI-compatible backend, after checking it runs and has `model`."""
    url = ollama_url(host)
    version = ollama_version(host)
    if version is None:
        raise BackendUnavailable(
            f"skipped: no Ollama at {url}; start it with `ollama serve` and "
            f"`ollama pull {model}` (or set OLLAMA_HOST)"
        )
    tags = httpx.get(f"{url}/api/tags", timeout=5.0).json().get("models", [])
    names = {tag.get("name") for tag in tags} | {tag.get("model") for tag in tags}
    if model not in names and f"{model}:latest" not in names:
        raise BackendUnavailable(
            f"skipped: Ollama {version} runs at {url} but has no {model}; run `ollama pull {model}`"
        )
    return OpenAICompatibleBackend(f"{url}/v1", model, "ollama", name="ollama")
