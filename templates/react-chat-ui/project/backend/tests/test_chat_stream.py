"""POST /api/chat speaks the AI SDK UI message stream protocol v1, checked against a golden fixture."""

import json
import re
from pathlib import Path

import httpx

from tests.conftest import chat_body, parse_sse, stream_text, user_message

GOLDEN = Path(__file__).parent / "fixtures" / "ui_message_stream.golden"


def normalize(events: list[dict | str]) -> list[str]:
    """Ids become placeholders and a run of text-deltas becomes one, so the fixture pins the shape."""
    lines: list[str] = []
    for event in events:
        if isinstance(event, dict):
            event = {k: ("<id>" if k in ("id", "messageId") else v) for k, v in event.items()}
            if event["type"] == "text-delta":
                event["delta"] = "<text>"
        line = event if isinstance(event, str) else json.dumps(event, separators=(",", ":"))
        if not (lines and line == lines[-1] and '"text-delta"' in line):
            lines.append(line)
    return lines


def test_stream_matches_golden_fixture_and_upstream_text(backend: str, upstream: str) -> None:
    body = chat_body([user_message("Say hi")])
    with httpx.stream("POST", f"{backend}/api/chat", json=body, timeout=60) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["x-vercel-ai-ui-message-stream"] == "v1"
        assert response.headers["x-accel-buffering"] == "no"
        raw = response.read().decode()

    assert re.fullmatch(r"(data: [^\n]+\n\n)+", raw), "every event is one `data:` line and a blank line"
    events = parse_sse(raw)
    assert normalize(events) == GOLDEN.read_text().splitlines()
    text_ids = {e["id"] for e in events if isinstance(e, dict) and e["type"].startswith("text-")}
    assert len(text_ids) == 1

    # The deltas add up to exactly what the model server says for the same prompt (greedy decoding).
    model = httpx.get(f"{backend}/api/models", timeout=10).json()["default"]
    direct = httpx.post(
        f"{upstream}/chat/completions",
        json={"model": model, "messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 24},
        timeout=60,
    ).json()
    assert stream_text(events) == direct["choices"][0]["message"]["content"]
    assert stream_text(events).strip()


def test_models_come_from_the_upstream(backend: str, upstream: str) -> None:
    listed = httpx.get(f"{upstream}/models", timeout=10).json()["data"]
    answer = httpx.get(f"{backend}/api/models", timeout=10).json()
    assert answer["models"] == [{"id": m["id"]} for m in listed]
    assert answer["default"] == listed[0]["id"]


def test_unknown_model_is_an_error_part(backend: str) -> None:
    body = chat_body([user_message("Hi")], model="no-such-model")
    with httpx.stream("POST", f"{backend}/api/chat", json=body, timeout=60) as response:
        events = parse_sse(response.read().decode())
    errors = [e for e in events if isinstance(e, dict) and e["type"] == "error"]
    assert events[-1] == "[DONE]"
    assert len(errors) == 1 and "/v1" in errors[0]["errorText"]
