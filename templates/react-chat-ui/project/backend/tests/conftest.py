"""Real processes only: the backend under uvicorn, and an OpenAI-compatible model server in front of it.

Most tests check the app, not the model's words: their model server is tests/scripted_llm.py, a
scripted OpenAI-compatible server (fast, deterministic). The few whose point is a real model server
(Stop frees its generation; the local provider starts and stops it) run on the bundled SmolLM2 behind
`transformers serve` when `make setup` installed it (LLM_PROVIDER=local): `model_server`.
"""

import contextlib
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.core.config import PROJECT_ROOT, Settings
from app.core.local_llm import LocalModelServer

BACKEND_DIR = PROJECT_ROOT / "backend"

# The user's environment must not change what the tests see (tests/__init__.py drops `.env` too).
for name in Settings.model_fields:
    os.environ.pop(name, None)

# `make setup` installs the local model only for LLM_PROVIDER=local (see the Makefile).
LOCAL_MODEL = (
    importlib.util.find_spec("transformers") is not None
    and (Settings().LOCAL_MODEL_DIR / "config.json").is_file()
)
requires_local_model = pytest.mark.skipif(
    not LOCAL_MODEL, reason="the local model is installed only for LLM_PROVIDER=local"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def run_backend(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """Start `uvicorn app.main:app` (the command the README and the e2e suite use) and yield its URL."""
    port = free_port()
    full_env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / f'chat-{port}.db'}",
        "FRONTEND_DIST": str(tmp_path / "no-frontend"),
        "HF_HUB_OFFLINE": "1",
        **env,
    }
    uvicorn = Path(sys.executable).with_name("uvicorn")
    cmd = [
        str(uvicorn),
        "app.main:app",
        "--app-dir",
        str(BACKEND_DIR),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    log = open(tmp_path / f"backend-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(cmd, env=full_env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"backend did not start: {(tmp_path / f'backend-{port}.log').read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def wait_for_models(base_url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/models", timeout=1).status_code == 200:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the model server at {base_url} did not start")
        time.sleep(0.1)


@contextlib.contextmanager
def scripted_server() -> Iterator[str]:
    """tests/scripted_llm.py as a real process; yields its base URL, ending in /v1."""
    port = free_port()
    script = Path(__file__).with_name("scripted_llm.py")
    process = subprocess.Popen([sys.executable, str(script), str(port)])
    try:
        wait_for_models(f"http://127.0.0.1:{port}/v1", process)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def upstream() -> Iterator[str]:
    """The scripted model server (tests/scripted_llm.py) as a real process, base URL ending in /v1."""
    with scripted_server() as url:
        yield url


@pytest.fixture(scope="session")
def model_server() -> Iterator[str]:
    """The project's own model server when `make setup` installed it (SmolLM2-135M via `transformers
    serve`), else the scripted one: for the tests whose point is how a real model server behaves."""
    if not LOCAL_MODEL:
        with scripted_server() as url:
            yield url
        return
    server = LocalModelServer(Settings().LOCAL_MODEL_DIR, free_port(), threads=1)
    server.start()
    try:
        yield server.base_url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def backend(upstream: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # A 2,048-token context: long histories really get trimmed.
    env = {
        "LLM_PROVIDER": "openai-compatible",
        "LLM_BASE_URL": upstream,
        "LLM_MAX_TOKENS": "24",
        "LLM_CONTEXT_TOKENS": "2048",
    }
    with run_backend(env, tmp_path_factory.mktemp("backend")) as url:
        yield url


@pytest.fixture
def client(backend: str) -> Iterator[httpx.Client]:
    """An HTTP client for the backend that keeps its cookies: one guest user, like one browser."""
    with httpx.Client(base_url=backend, timeout=60) as http:
        yield http


def user_message(text: str, message_id: str | None = None) -> dict:
    return {
        "id": message_id or f"u-{uuid.uuid4().hex[:8]}",
        "role": "user",
        "parts": [{"type": "text", "text": text}],
    }


def chat_body(messages: list[dict], conversation_id: str | None = None, **extra) -> dict:
    return {
        "id": conversation_id or f"c-{uuid.uuid4().hex}",
        "trigger": "submit-message",
        "messages": messages,
        **extra,
    }


def parse_sse(raw: str) -> list[dict | str]:
    """The `data:` payloads of an SSE body, JSON-decoded ("[DONE]" stays a string)."""
    events = []
    for block in raw.split("\n\n"):
        data = [line[len("data: ") :] for line in block.splitlines() if line.startswith("data: ")]
        if data:
            payload = "\n".join(data)
            events.append(payload if payload == "[DONE]" else json.loads(payload))
    return events


def stream_text(events: list[dict | str]) -> str:
    return "".join(e["delta"] for e in events if isinstance(e, dict) and e["type"] == "text-delta")
