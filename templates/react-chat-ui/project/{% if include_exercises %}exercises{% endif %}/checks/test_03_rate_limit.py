"""Exercise 3: a per-user limit on chat requests (see exercises/03-rate-limit.md)."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import chat_body, run_backend, user_message


@pytest.fixture(scope="module")
def limited(upstream: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {
        "LLM_PROVIDER": "openai-compatible",
        "LLM_BASE_URL": upstream,
        "LLM_MAX_TOKENS": "4",
        "CHAT_REQUESTS_PER_MINUTE": "2",
    }
    with run_backend(env, Path(tmp_path_factory.mktemp("limited"))) as url:
        yield url


def post_chat(client: httpx.Client, body: dict) -> httpx.Response:
    with client.stream("POST", "/api/chat", json=body) as response:
        response.read()
        return response


def test_the_third_chat_in_a_minute_is_refused(limited: str) -> None:
    with httpx.Client(base_url=limited, timeout=60) as user:
        for i in range(2):
            response = post_chat(user, chat_body([user_message(f"message {i}")]))
            assert response.status_code == 200, (
                f"chat {i + 1} of 2: {response.status_code}"
            )
        refused_body = chat_body([user_message("one too many")])
        refused = post_chat(user, refused_body)
        assert refused.status_code == 429, f"the third chat got {refused.status_code}"
        assert int(refused.headers.get("retry-after", "0")) > 0, (
            "a Retry-After header in seconds"
        )
        assert "CHAT_REQUESTS_PER_MINUTE" in refused.json().get("detail", "")
        stored = user.get(f"/api/conversations/{refused_body['id']}")
        assert stored.status_code == 404, "nothing of a refused message is stored"
        assert user.get("/api/conversations").status_code == 200, (
            "other routes are not limited"
        )

    with httpx.Client(base_url=limited, timeout=60) as other_user:
        response = post_chat(other_user, chat_body([user_message("hello")]))
        assert response.status_code == 200, "the limit is per user"
