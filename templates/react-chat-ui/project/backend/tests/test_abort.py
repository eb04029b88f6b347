"""Stop means stop: a client abort cancels the upstream generation and the partial reply is kept."""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import chat_body, parse_sse, run_backend, user_message

# SmolLM2 writes well past 300 tokens for this (greedy), ~20 s of generation on 2 CPU cores.
LONG_PROMPT = "Write a very long story about a dragon."


@pytest.fixture(scope="module")
def long_backend(model_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"LLM_PROVIDER": "openai-compatible", "LLM_BASE_URL": model_server, "LLM_MAX_TOKENS": "600"}
    with run_backend(env, tmp_path_factory.mktemp("abort")) as url:
        yield url


def first_deltas(client: httpx.Client, body: dict, count: int) -> tuple[str, float]:
    """Read `count` text deltas, then drop the connection like the browser's Stop; (text, seconds)."""
    started, text, seen = time.monotonic(), "", 0
    with client.stream("POST", "/api/chat", json=body) as response:
        for line in response.iter_lines():
            events = parse_sse(line + "\n\n")
            if events and isinstance(events[0], dict) and events[0]["type"] == "text-delta":
                text += events[0]["delta"]
                seen += 1
                if seen == count:
                    break
    return text, time.monotonic() - started


def test_abort_saves_partial_and_frees_the_upstream(long_backend: str, tmp_path: Path) -> None:
    client = httpx.Client(base_url=long_backend, timeout=60)  # keeps the guest-session cookie
    body = chat_body([user_message(LONG_PROMPT)])
    seen, _ = first_deltas(client, body, count=5)

    deadline, messages = time.monotonic() + 10, []
    while time.monotonic() < deadline and len(messages) < 2:
        messages = client.get(f"/api/conversations/{body['id']}").json()["messages"]
        time.sleep(0.1)
    assert [m["role"] for m in messages] == ["user", "assistant"], "the partial reply was not saved"
    partial = messages[1]["parts"][0]["text"]
    assert partial.startswith(seen) and len(partial) < 200
    assert messages[1]["metadata"] == {"finishReason": "stopped"}, "a cut-off reply is marked as such"

    # `transformers serve` generates one request at a time: had the aborted 600-token generation
    # (20+ s here) kept running, this request would wait for it. It gets its first token at once.
    _, seconds = first_deltas(client, chat_body([user_message("Say hi")]), count=1)
    client.close()
    assert seconds < 10, f"first token took {seconds:.1f}s: the aborted generation still runs upstream"
