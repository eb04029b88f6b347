"""Backends by name: `open_backend("transformers")`, or all configured ones: `open_backends()`."""

from ..config import BACKEND_NAMES, Settings, get_settings
from .base import Backend, BackendUnavailable, Generation, chat_messages, stopwatch
from .hf import TransformersBackend
from .llamacpp import LlamaCppBackend, llama_cpp_installed
from .openai_compat import (
    OpenAICompatibleBackend,
    ollama_backend,
    ollama_url,
    ollama_version,
    served_models,
)

__all__ = [
    "BACKEND_NAMES",
    "Backend",
    "BackendUnavailable",
    "Generation",
    "LlamaCppBackend",
    "OpenAICompatibleBackend",
    "TransformersBackend",
    "chat_messages",
    "llama_cpp_installed",
    "ollama_backend",
    "ollama_url",
    "ollama_version",
    "open_backend",
    "open_backends",
    "served_models",
    "stopwatch",
]


def open_backend(name: str, settings: Settings | None = None) -> Backend:
    """Start one backend; raises BackendUnavailable (with how to enable it) when it cannot run."""
    settings = settings or get_settings()
    if name == "transformers":
        return TransformersBackend(settings=settings)
    if name == "llama-cpp":
        return LlamaCppBackend(settings.gguf_path or None)
    if name == "ollama":
        return ollama_backend(settings.ollama_host, settings.ollama_model)
    if name == "openai-compatible":
        if not settings.llm_base_url:
            raise BackendUnavailable(
                "skipped: set LLM_BASE_URL (and LLM_MODEL) in .env, "
                "e.g. `make serve` then LLM_BASE_URL=http://127.0.0.1:8000/v1"
            )
        api_key = settings.llm_api_key.get_secret_value()
        model = settings.llm_model or served_models(settings.llm_base_url, api_key)[0]
        return OpenAICompatibleBackend(settings.llm_base_url, model, api_key)
    raise ValueError(f"unknown backend {name!r}; choose from {', '.join(BACKEND_NAMES)}")


def open_backends(settings: Settings | None = None) -> dict[str, Backend]:
    """Every backend in BACKENDS that can run here; prints one line per skipped backend.

    When none of them can run, falls back to transformers, which always works offline.
    """
    settings = settings or get_settings()
    backends = {}
    for name in settings.backends:
        try:
            backends[name] = open_backend(name, settings)
        except BackendUnavailable as reason:
            print(f"{name}: {reason}")
    if not backends:
        print("transformers: none of BACKENDS can run here; using transformers (offline)")
        backends["transformers"] = open_backend("transformers", settings)
    return backends
