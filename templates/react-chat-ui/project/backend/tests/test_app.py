"""Settings, CORS, the built front end, and the backend-managed local model server."""

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.core.config import PROJECT_ROOT, Settings, retired_settings
from app.core.local_llm import REPETITION_PENALTY
from tests.conftest import (
    chat_body,
    free_port,
    parse_sse,
    requires_local_model,
    run_backend,
    stream_text,
    user_message,
)


def test_provider_defaults_and_paths() -> None:
    assert Settings(LLM_PROVIDER="local", LOCAL_LLM_PORT=9000).llm_base_url == "http://127.0.0.1:9000/v1"
    ollama = Settings(LLM_PROVIDER="ollama", OLLAMA_HOST="0.0.0.0:11434")
    assert ollama.llm_base_url == "http://127.0.0.1:11434/v1"
    remote = Settings(LLM_PROVIDER="ollama", OLLAMA_HOST="gpu-box")  # Ollama's default port, not 80
    assert remote.llm_base_url == "http://gpu-box:11434/v1"
    assert Settings(LLM_BASE_URL="http://h:1/v1/").llm_base_url == "http://h:1/v1"
    with pytest.raises(ValueError, match="LLM_BASE_URL is required"):
        _ = Settings(LLM_PROVIDER="openai-compatible", LLM_BASE_URL="").llm_base_url
    expected = f"sqlite:///{PROJECT_ROOT}/data/x.db"
    assert expected == Settings(DATABASE_URL="sqlite:///data/x.db").DATABASE_URL
    assert Settings(CORS_ORIGINS="http://a, http://b").CORS_ORIGINS == ["http://a", "http://b"]
    assert Settings(LLM_PROVIDER="local").max_tokens == 200
    assert Settings(LLM_PROVIDER="ollama").max_tokens is None
    assert Settings(LLM_PROVIDER="ollama", LLM_MAX_TOKENS=64).max_tokens == 64


def test_a_setting_no_longer_read_is_named_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A .env from 0.1.0 still sets MAX_HISTORY_MESSAGES: the backend says it is ignored, and why."""
    env = tmp_path / ".env"
    env.write_text("LLM_MAX_TOKENS=64\nMAX_HISTORY_MESSAGES=50\n")
    assert retired_settings(env) == [
        "MAX_HISTORY_MESSAGES is no longer read (since 0.2.0 the oldest turns that do not fit "
        "LLM_CONTEXT_TOKENS are left out): remove it from .env"
    ]
    assert retired_settings(tmp_path / "missing.env") == []
    monkeypatch.setenv("MAX_HISTORY_MESSAGES", "50")
    assert len(retired_settings(os.devnull)) == 1


@requires_local_model
def test_local_model_folder_is_prepared_with_a_repetition_penalty() -> None:
    folder = Settings().LOCAL_MODEL_DIR
    config = json.loads((folder / "generation_config.json").read_text())
    assert config["repetition_penalty"] == REPETITION_PENALTY
    assert json.loads((folder / "config.json").read_text())["architectures"] == ["LlamaForCausalLM"]


def test_cors_allows_only_the_configured_origin(backend: str) -> None:
    def preflight(origin: str) -> httpx.Response:
        headers = {"Origin": origin, "Access-Control-Request-Method": "POST"}
        return httpx.options(f"{backend}/api/chat", headers=headers, timeout=10)

    assert (
        preflight("http://localhost:5173").headers["access-control-allow-origin"] == "http://localhost:5173"
    )
    refused = preflight("http://evil.example")
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers


def test_built_frontend_is_served_at_root(upstream: str, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>chat-spa</title>")
    env = {"LLM_PROVIDER": "openai-compatible", "LLM_BASE_URL": upstream, "FRONTEND_DIST": str(dist)}
    with run_backend(env, tmp_path) as backend:
        assert "chat-spa" in httpx.get(f"{backend}/", timeout=10).text
        assert httpx.get(f"{backend}/api/health", timeout=10).json()["status"] == "ok"


@requires_local_model
def test_local_provider_starts_and_stops_its_model_server(tmp_path: Path) -> None:
    port = free_port()
    with run_backend(
        {"LLM_PROVIDER": "local", "LLM_BASE_URL": "", "LOCAL_LLM_PORT": str(port)}, tmp_path
    ) as backend:
        assert (
            httpx.get(f"{backend}/api/health", timeout=10).json()["llm_base_url"]
            == f"http://127.0.0.1:{port}/v1"
        )
        models = httpx.get(f"{backend}/api/models", timeout=30).json()
        assert models["default"].endswith("smollm2-135m-instruct")
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"LLM_PROVIDER": "gpt"},
            "error: invalid setting (environment or .env): LLM_PROVIDER: Input should be",
        ),
        ({"LLM_PROVIDER": "openai-compatible", "LLM_BASE_URL": ""}, "error: LLM_BASE_URL is required"),
        ({"MAX_MESSAGE_CHARS": "lots"}, "error: invalid setting (environment or .env): MAX_MESSAGE_CHARS:"),
    ],
)
def test_bad_settings_exit_with_one_line(env: dict[str, str], message: str) -> None:
    uvicorn = Path(sys.executable).with_name("uvicorn")
    result = subprocess.run(
        [
            str(uvicorn),
            "app.main:app",
            "--app-dir",
            str(PROJECT_ROOT / "backend"),
            "--port",
            str(free_port()),
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith(message), result.stderr


def test_ollama_provider_goes_to_ollama_host(upstream: str, tmp_path: Path) -> None:
    host = upstream.removesuffix("/v1")  # an OpenAI-compatible server where Ollama would be
    env = {
        "LLM_PROVIDER": "ollama",
        "LLM_BASE_URL": "",
        "OLLAMA_HOST": host.removeprefix("http://"),
        "LLM_MAX_TOKENS": "8",
    }
    with run_backend(env, tmp_path) as backend:
        assert httpx.get(f"{backend}/api/health", timeout=10).json()["llm_base_url"] == upstream
        body = chat_body([user_message("Hi")])
        with httpx.stream("POST", f"{backend}/api/chat", json=body, timeout=60) as response:
            assert stream_text(parse_sse(response.read().decode()))
        port = backend.rsplit(":", 1)[1]
    # It is not Ollama (no GET /api/version), and the log says so.
    assert f"No Ollama answers at {host}" in (tmp_path / f"backend-{port}.log").read_text()
