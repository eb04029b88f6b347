"""Bad input is refused before streaming; a dead or silent upstream ends the stream with an error part."""

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.api.routes.chat import estimate_tokens, fit_to_context
from tests.conftest import chat_body, free_port, parse_sse, run_backend, scripted_server, user_message


def post(backend: str, body: dict) -> httpx.Response:
    return httpx.post(f"{backend}/api/chat", json=body, timeout=30)


def test_limits_are_enforced_before_streaming(backend: str) -> None:
    too_long = post(backend, chat_body([user_message("x" * 8001)]))
    assert too_long.status_code == 413
    assert too_long.json() == {"detail": "The message has 8001 characters (MAX_MESSAGE_CHARS is 8000)."}

    assistant_last = chat_body([{"id": "a1", "role": "assistant", "parts": [{"type": "text", "text": "hi"}]}])
    assert post(backend, assistant_last).status_code == 422
    assert post(backend, chat_body([])).status_code == 422
    assert post(backend, {"messages": []}).status_code == 422  # no conversation id
    assert post(backend, chat_body([user_message("hi")], trigger="resume-stream")).status_code == 422
    bad_json = httpx.post(f"{backend}/api/chat", content=b"{", headers={"content-type": "application/json"})
    assert bad_json.status_code == 422 and "detail" in bad_json.json()

    body = chat_body([user_message("x" * 8001)])
    post(backend, body)
    assert httpx.get(f"{backend}/api/conversations/{body['id']}", timeout=10).status_code == 404


def test_empty_and_blank_messages_are_refused_with_one_line(backend: str) -> None:
    for text in ("", "   \n\t "):
        body = chat_body([user_message(text)])
        refused = post(backend, body)
        assert refused.status_code == 422
        assert refused.json() == {"detail": "The message is empty: type something to send."}
        assert httpx.get(f"{backend}/api/conversations/{body['id']}", timeout=10).status_code == 404


def test_only_the_new_message_is_limited(client: httpx.Client) -> None:
    """A 10,000-character reply in the history does not stop the conversation."""
    long_reply = {"id": "a1", "role": "assistant", "parts": [{"type": "text", "text": "x" * 10_000}]}
    body = chat_body([user_message("Write a lot."), long_reply, user_message("Thanks! Now shorter?")])
    with client.stream("POST", "/api/chat", json=body) as response:
        assert response.status_code == 200
        events = parse_sse(response.read().decode())
    assert (
        events[-1] == "[DONE]" and [e for e in events if isinstance(e, dict) and e["type"] == "error"] == []
    )
    assert len(client.get(f"/api/conversations/{body['id']}").json()["messages"]) == 4


def test_history_is_trimmed_to_the_context_by_tokens() -> None:
    def turn(role: str, chars: int) -> dict[str, str]:
        return {"role": role, "content": "x" * chars}

    messages = [
        turn("user", 30),
        turn("assistant", 3000),
        turn("user", 30),
        turn("assistant", 300),
        turn("user", 30),
    ]
    assert fit_to_context(messages, budget=10_000) == messages
    # 3,000 characters is over 1,000 tokens: it and everything older go; the prompt starts with a user turn.
    assert fit_to_context(messages, budget=200) == messages[2:]
    assert fit_to_context(messages, budget=50) == messages[4:]
    assert fit_to_context(messages, budget=1) == messages[4:], "the new message is always sent"
    assert estimate_tokens("x" * 3000) >= 1000


def test_upstream_down_gives_an_error_part_naming_the_url(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"
    with run_backend({"LLM_PROVIDER": "openai-compatible", "LLM_BASE_URL": dead}, tmp_path) as backend:
        started = time.monotonic()
        with httpx.stream(
            "POST", f"{backend}/api/chat", json=chat_body([user_message("hi")]), timeout=30
        ) as r:
            assert r.status_code == 200
            events = parse_sse(r.read().decode())
        assert time.monotonic() - started < 5
        assert [e if isinstance(e, str) else e["type"] for e in events] == [
            "start",
            "start-step",
            "error",
            "[DONE]",
        ]
        assert (
            events[2]["errorText"]
            == f"Cannot reach the model server at {dead}: is it running? (LLM_BASE_URL / LLM_PROVIDER)"
        )

        models = httpx.get(f"{backend}/api/models", timeout=10)
        assert models.status_code == 502 and dead in models.json()["detail"]


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers: the one thing a real model server won't do on cue."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_silent_upstream_times_out_with_heartbeats(silent_server: str, tmp_path: Path) -> None:
    env = {
        "LLM_PROVIDER": "openai-compatible",
        "LLM_BASE_URL": silent_server,
        "LLM_MODEL": "any",
        "LLM_TIMEOUT": "1.5",
        "HEARTBEAT_SECONDS": "0.3",
    }
    with run_backend(env, tmp_path) as backend:
        started = time.monotonic()
        with httpx.stream(
            "POST", f"{backend}/api/chat", json=chat_body([user_message("hi")]), timeout=30
        ) as r:
            raw = r.read().decode()
        assert time.monotonic() - started < 6
    assert ": ping" in raw, "heartbeat comments keep proxies from closing a quiet stream"
    events = parse_sse(raw)
    assert events[-2]["type"] == "error" and events[-1] == "[DONE]"
    assert (
        events[-2]["errorText"]
        == f"The model server at {silent_server} did not answer within 1.5s (LLM_TIMEOUT)."
    )


@pytest.fixture(scope="module")
def scripted_upstream() -> Iterator[str]:
    """tests/scripted_llm.py: it refuses unknown models with 404 and a JSON error."""
    with scripted_server() as url:
        yield url


def test_a_refused_request_gives_the_servers_own_message(scripted_upstream: str, tmp_path: Path) -> None:
    env = {"LLM_PROVIDER": "openai-compatible", "LLM_BASE_URL": scripted_upstream}
    with run_backend(env, tmp_path) as backend:
        body = chat_body([user_message("hi")], model="no-such-model")
        with httpx.stream("POST", f"{backend}/api/chat", json=body, timeout=30) as r:
            events = parse_sse(r.read().decode())
        assert events[-2] == {
            "type": "error",
            "errorText": f"The model server at {scripted_upstream} answered 404: model 'no-such-model' not found",
        }
        assert events[-1] == "[DONE]"

        # The same server, a model it has: the reply streams on the connection pool as usual.
        with httpx.stream(
            "POST", f"{backend}/api/chat", json=chat_body([user_message("hi")]), timeout=30
        ) as r:
            events = parse_sse(r.read().decode())
        assert events[-2]["type"] == "finish" and events[-1] == "[DONE]"
