"""Exercise 2: the SYSTEM_PROMPT setting reaches the model (see exercises/02-system-prompt.md)."""

import json
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from conftest import chat_body, run_backend, user_message
from tests import scripted_llm

SYSTEM = "You are Ada, a terse assistant. Answer in one sentence."


@pytest.fixture(scope="module")
def recorder() -> Iterator[tuple[str, list[dict]]]:
    """A model server that records the messages of each chat request, then streams a reply."""
    requests: list[dict] = []

    class Recording(scripted_llm.Handler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            requests.append(json.loads(body or b"{}"))
            self.rfile = _Replay(body)
            super().do_POST()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recording)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", requests
    server.shutdown()


class _Replay:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, _size: int = -1) -> bytes:
        return self.data


def backend_env(url: str, **extra: str) -> dict[str, str]:
    return {
        "LLM_PROVIDER": "openai-compatible",
        "LLM_BASE_URL": url,
        "LLM_MAX_TOKENS": "8",
        **extra,
    }


def send(url: str, body: dict) -> None:
    with (
        httpx.Client(base_url=url, timeout=60) as client,
        client.stream("POST", "/api/chat", json=body) as response,
    ):
        assert response.status_code == 200, response.read().decode()
        response.read()


def test_the_model_gets_the_system_prompt_first(recorder, tmp_path: Path) -> None:
    url, requests = recorder
    env = backend_env(url, SYSTEM_PROMPT=SYSTEM, LLM_CONTEXT_TOKENS="300")
    with run_backend(env, tmp_path) as backend:
        requests.clear()
        send(backend, chat_body([user_message("Who are you?")]))
        messages = requests[-1]["messages"]
        assert messages[0] == {"role": "system", "content": SYSTEM}, (
            f"the model got: {messages}"
        )
        assert messages[-1] == {"role": "user", "content": "Who are you?"}

        # A long history: old turns are left out to fit LLM_CONTEXT_TOKENS; the system prompt stays.
        history = []
        for i in range(12):
            history.append(user_message(f"Question {i}: " + "tell me more " * 10))
            history.append(
                {
                    "id": f"a-{i}",
                    "role": "assistant",
                    "parts": [
                        {"type": "text", "text": f"Answer {i}: " + "some words " * 10}
                    ],
                }
            )
        history.append(user_message("And the last question?"))
        send(backend, chat_body(history))
        messages = requests[-1]["messages"]
        assert len(messages) < len(history), "the history should not fit in 300 tokens"
        assert messages[0] == {"role": "system", "content": SYSTEM}, (
            f"first: {messages[0]}"
        )
        assert messages[-1]["content"] == "And the last question?"


def test_no_system_prompt_by_default(recorder, tmp_path: Path) -> None:
    url, requests = recorder
    with run_backend(backend_env(url), tmp_path) as backend:
        requests.clear()
        send(backend, chat_body([user_message("Hi")]))
        assert [m["role"] for m in requests[-1]["messages"]] == ["user"]
