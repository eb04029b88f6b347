"""Conversations are stored, listed newest first, renamed, deleted; the client's list is the truth."""

import httpx

from tests.conftest import chat_body, parse_sse, stream_text, user_message


def send(backend: str, body: dict) -> list:
    with httpx.stream("POST", f"{backend}/api/chat", json=body, timeout=60) as response:
        assert response.status_code == 200
        return parse_sse(response.read().decode())


def get(backend: str, conversation_id: str) -> dict:
    response = httpx.get(f"{backend}/api/conversations/{conversation_id}", timeout=10)
    assert response.status_code == 200
    return response.json()


def test_reply_is_saved_with_the_conversation(backend: str) -> None:
    body = chat_body([user_message("What is the capital of France?")])
    events = send(backend, body)
    saved = get(backend, body["id"])
    assert saved["title"] == "What is the capital of France?"
    assert [m["role"] for m in saved["messages"]] == ["user", "assistant"]
    assert saved["messages"][0] == body["messages"][0]
    reply = saved["messages"][1]
    assert reply["id"] == events[0]["messageId"]
    assert reply["parts"][0]["text"] == stream_text(events)


def test_list_is_newest_first_and_rename_and_delete_work(backend: str) -> None:
    first, second = chat_body([user_message("first")]), chat_body([user_message("second")])
    send(backend, first)
    send(backend, second)
    listed = httpx.get(f"{backend}/api/conversations", timeout=10).json()
    ids = [c["id"] for c in listed]
    assert ids.index(second["id"]) < ids.index(first["id"])
    assert set(listed[0]) == {"id", "title", "created_at", "updated_at"}

    renamed = httpx.patch(f"{backend}/api/conversations/{first['id']}", json={"title": "Renamed"}, timeout=10)
    assert renamed.status_code == 200 and renamed.json()["title"] == "Renamed"
    assert get(backend, first["id"])["title"] == "Renamed"
    empty = httpx.patch(f"{backend}/api/conversations/{first['id']}", json={"title": ""}, timeout=10)
    assert empty.status_code == 422

    assert httpx.delete(f"{backend}/api/conversations/{first['id']}", timeout=10).status_code == 204
    assert httpx.get(f"{backend}/api/conversations/{first['id']}", timeout=10).status_code == 404
    assert httpx.delete(f"{backend}/api/conversations/{first['id']}", timeout=10).status_code == 404
    assert first["id"] not in [c["id"] for c in httpx.get(f"{backend}/api/conversations", timeout=10).json()]


def test_regenerate_and_edit_replace_the_stored_history(backend: str) -> None:
    question = user_message("Name a color.")
    body = chat_body([question])
    send(backend, body)
    first_reply = get(backend, body["id"])["messages"][1]

    # Regenerate: useChat drops the last reply and sends the rest with trigger regenerate-message.
    regen = {**body, "trigger": "regenerate-message", "messageId": first_reply["id"]}
    events = send(backend, regen)
    messages = get(backend, body["id"])["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[1]["id"] == events[0]["messageId"] != first_reply["id"]

    # Continue, then edit the first question: the history is cut there and continues from the edit.
    follow_up = chat_body([question, messages[1], user_message("And another?")], conversation_id=body["id"])
    send(backend, follow_up)
    assert len(get(backend, body["id"])["messages"]) == 4
    edited = chat_body([user_message("Name a fruit.", message_id=question["id"])], conversation_id=body["id"])
    send(backend, edited)
    messages = get(backend, body["id"])["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[0]["parts"][0]["text"] == "Name a fruit."
