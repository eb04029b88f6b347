"""Exercise 1: thumbs up / down stored with each reply (see exercises/01-feedback.md)."""

import httpx
from conftest import chat_body, parse_sse, user_message


def chat(client: httpx.Client, text: str) -> tuple[str, str]:
    """Send one message; the conversation id and the reply's message id."""
    body = chat_body([user_message(text)])
    with client.stream("POST", "/api/chat", json=body) as response:
        assert response.status_code == 200
        events = parse_sse(response.read().decode())
    return body["id"], events[0]["messageId"]


def stored_reply(client: httpx.Client, conversation_id: str, message_id: str) -> dict:
    messages = client.get(f"/api/conversations/{conversation_id}").json()["messages"]
    return next(m for m in messages if m["id"] == message_id)


def feedback_url(conversation_id: str, message_id: str) -> str:
    return f"/api/conversations/{conversation_id}/messages/{message_id}/feedback"


def test_a_rating_is_stored_with_the_reply_and_can_change(client: httpx.Client) -> None:
    conversation_id, reply_id = chat(client, "Say hello.")
    url = feedback_url(conversation_id, reply_id)

    response = client.put(url, json={"rating": "up"})
    assert response.status_code == 200, (
        f"PUT {url}: {response.status_code} {response.text}"
    )
    metadata = stored_reply(client, conversation_id, reply_id).get("metadata") or {}
    assert metadata.get("feedback") == "up", f"the stored reply's metadata: {metadata}"
    assert "finishReason" in metadata, "keep the metadata that was already there"

    assert client.put(url, json={"rating": "down"}).status_code == 200
    metadata = stored_reply(client, conversation_id, reply_id)["metadata"]
    assert metadata["feedback"] == "down"

    assert client.put(url, json={"rating": None}).status_code == 200
    metadata = stored_reply(client, conversation_id, reply_id).get("metadata") or {}
    assert metadata.get("feedback") is None, "rating null clears the feedback"


def test_bad_ratings_and_other_messages_are_refused(
    client: httpx.Client, backend: str
) -> None:
    conversation_id, reply_id = chat(client, "Name a color.")
    url = feedback_url(conversation_id, reply_id)
    assert client.put(url, json={"rating": "meh"}).status_code == 422

    messages = client.get(f"/api/conversations/{conversation_id}").json()["messages"]
    question_id = next(m["id"] for m in messages if m["role"] == "user")
    assert (
        client.put(
            feedback_url(conversation_id, question_id), json={"rating": "up"}
        ).status_code
        == 404
    )
    assert (
        client.put(
            feedback_url(conversation_id, "msg-nope"), json={"rating": "up"}
        ).status_code
        == 404
    )
    assert (
        client.put(feedback_url("c-nope", reply_id), json={"rating": "up"}).status_code
        == 404
    )

    with httpx.Client(
        base_url=backend, timeout=60
    ) as stranger:  # another guest session
        assert stranger.put(url, json={"rating": "down"}).status_code == 404
    metadata = stored_reply(client, conversation_id, reply_id).get("metadata") or {}
    assert metadata.get("feedback") is None, "a refused rating must not be stored"
