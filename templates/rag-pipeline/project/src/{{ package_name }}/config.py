"""All settings in one place: environment variables or .env (see .env.example).

ENV_FILE names another dotenv file to read instead of .env (the tests set it to /dev/null).
"""

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

from .ollama_host import DEFAULT_OLLAMA_HOST, ollama_url

Provider = Literal["local", "ollama", "openai-compatible"]
Backend = Literal["onnx-int8", "onnx", "torch"]

DEFAULT_EMBEDDING_MODELS = {
    "local": "all-MiniLM-L6-v2",
    "ollama": "nomic-embed-text",
    "openai-compatible": "text-embedding-3-small",
}
DEFAULT_LLM_MODELS = {
    "local": "SmolLM2-135M-Instruct",
    "ollama": "llama3.2",
    "openai-compatible": "gpt-4o-mini",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Database: empty DATABASE_URL starts the embedded PostgreSQL in PGDATA_DIR.
    database_url: str = ""
    pgdata_dir: Path = Path(".pgdata")
    db_schema: str = "public"

    # Embeddings
    embedding_provider: Provider = "local"
    embedding_model: str = ""
    embedding_base_url: str = ""
    embedding_api_key: str = ""
    embedding_batch_size: int = 64
    embedding_concurrency: int = 4  # HTTP providers: requests in flight (spread over the URLs)
    embedding_backend: Backend = "onnx-int8"  # local provider: ONNX Runtime int8/fp32, or torch

    # Answers
    llm_provider: Provider = "local"
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_max_tokens: int = 160
    passage_chars: int = 1200  # of each retrieved passage, in the prompt
    llm_timeout: float = 120.0
    ollama_host: str = DEFAULT_OLLAMA_HOST
    models_dir: Path = Path("models")

    # Ingest, retrieval
    chunk_tokens: int = 200
    chunk_overlap: int = 30
    max_file_mb: float = 20.0
    top_k: int = 5
    ef_search: int = 100
    hnsw_m: int = 16
    hnsw_ef_construction: int = 64

    @property
    def embedding_model_name(self) -> str:
        return self.embedding_model or DEFAULT_EMBEDDING_MODELS[self.embedding_provider]

    @property
    def llm_model_name(self) -> str:
        return self.llm_model or DEFAULT_LLM_MODELS[self.llm_provider]

    def base_url(self, provider: Provider, explicit: str) -> str:
        """OpenAI-compatible base URL for a provider (Ollama serves one under /v1)."""
        if explicit:
            return explicit.rstrip("/")
        if provider == "ollama":
            return ollama_url(self.ollama_host) + "/v1"
        return "https://api.openai.com/v1"


@lru_cache
def get_settings() -> Settings:
    return Settings(_env_file=os.environ.get("ENV_FILE") or ".env")
