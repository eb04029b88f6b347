"""Conversations are stored, listed newest first, renamed, deleted; the client's list is the truth."""

import httpx

from tests.conftest import chat_body, parse_sse, stream_text, user_message
from tests.scripted_llm import CONTINUED


def send(client: httpx.Client, body: dict) -> list:
    with client.stream("POST", "/api/chat", json=body) as response:
        assert response.status_code == 200
        return parse_sse(response.read().decode())


def get(client: httpx.Client, conversation_id: str) -> dict:
    response = client.get(f"/api/conversations/{conversation_id}")
    assert response.status_code == 200
    return response.json()


def test_reply_is_saved_with_the_conversation(client: httpx.Client) -> None:
    body = chat_body([user_message("What is the capital of France?")])
    events = send(client, body)
    saved = get(client, body["id"])
    assert saved["title"] == "What is the capital of France?"
    assert [m["role"] for m in saved["messages"]] == ["user", "assistant"]
    assert saved["messages"][0] == body["messages"][0]
    reply = saved["messages"][1]
    assert reply["id"] == events[0]["messageId"]
    assert reply["parts"][0]["text"] == stream_text(events)


def test_list_is_newest_first_and_rename_and_delete_work(client: httpx.Client) -> None:
    first, second = chat_body([user_message("first")]), chat_body([user_message("second")])
    send(client, first)
    send(client, second)
    listed = client.get("/api/conversations").json()
    ids = [c["id"] for c in listed]
    assert ids.index(second["id"]) < ids.index(first["id"])
    assert set(listed[0]) == {"id", "title", "created_at", "updated_at"}

    renamed = client.patch(f"/api/conversations/{first['id']}", json={"title": "Renamed"})
    assert renamed.status_code == 200 and renamed.json()["title"] == "Renamed"
    assert get(client, first["id"])["title"] == "Renamed"
    for blank in ("", "   "):
        empty = client.patch(f"/api/conversations/{first['id']}", json={"title": blank})
        assert empty.status_code == 422
        assert empty.json() == {"detail": "The title is empty: type at least one character."}
    assert get(client, first["id"])["title"] == "Renamed"
    padded = client.patch(f"/api/conversations/{first['id']}", json={"title": "  Trimmed \n"})
    assert padded.json()["title"] == "Trimmed"

    assert client.delete(f"/api/conversations/{first['id']}").status_code == 204
    assert client.get(f"/api/conversations/{first['id']}").status_code == 404
    assert client.delete(f"/api/conversations/{first['id']}").status_code == 404
    assert first["id"] not in [c["id"] for c in client.get("/api/conversations").json()]


def test_regenerate_and_edit_replace_the_stored_history(client: httpx.Client) -> None:
    question = user_message("Name a color.")
    body = chat_body([question])
    send(client, body)
    first_reply = get(client, body["id"])["messages"][1]

    # Regenerate: useChat drops the last reply and sends the rest with trigger regenerate-message.
    regen = {**body, "trigger": "regenerate-message", "messageId": first_reply["id"]}
    events = send(client, regen)
    messages = get(client, body["id"])["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[1]["id"] == events[0]["messageId"] != first_reply["id"]

    # Continue, then edit the first question: the history is cut there and continues from the edit.
    follow_up = chat_body([question, messages[1], user_message("And another?")], conversation_id=body["id"])
    send(client, follow_up)
    assert len(get(client, body["id"])["messages"]) == 4
    edited = chat_body([user_message("Name a fruit.", message_id=question["id"])], conversation_id=body["id"])
    send(client, edited)
    messages = get(client, body["id"])["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[0]["parts"][0]["text"] == "Name a fruit."


def test_conversations_belong_to_their_guest_session(backend: str, client: httpx.Client) -> None:
    body = chat_body([user_message("My secret plans")])
    send(client, body)
    assert client.cookies.get("chat_session", "").startswith("guest-")
    path = f"/api/conversations/{body['id']}"

    with httpx.Client(base_url=backend, timeout=60) as other:  # another browser: its own guest
        assert body["id"] not in [c["id"] for c in other.get("/api/conversations").json()]
        not_found = {"detail": f"Conversation {body['id']!r} not found."}
        assert other.get(path).status_code == 404 and other.get(path).json() == not_found
        assert other.patch(path, json={"title": "Mine now"}).status_code == 404
        assert other.delete(path).status_code == 404
        # Posting to someone else's conversation id is refused too (it would overwrite it).
        hijack = chat_body([user_message("overwrite")], conversation_id=body["id"])
        refused = other.post("/api/chat", json=hijack)
        assert refused.status_code == 404 and refused.json() == not_found

    # A forged cookie is not trusted: the caller becomes a new guest.
    user_id = client.cookies["chat_session"].rpartition(".")[0]
    forged = httpx.get(f"{backend}{path}", headers={"cookie": f"chat_session={user_id}.{'0' * 64}"})
    assert forged.status_code == 404
    assert not forged.cookies["chat_session"].startswith(user_id)

    saved = get(client, body["id"])
    assert saved["title"] == "My secret plans" and len(saved["messages"]) == 2


def test_a_long_conversation_keeps_working(client: httpx.Client) -> None:
    """60 turns, one reply of 10,000 characters: follow-ups still get answers (oldest turns trimmed)."""
    history = []
    for turn in range(60):
        history.append(user_message(f"Question {turn}"))
        text = "word " * 2000 if turn == 58 else f"Answer {turn}"
        history.append({"id": f"a-{turn}", "role": "assistant", "parts": [{"type": "text", "text": text}]})
    body = chat_body([*history, user_message("And a follow-up?")])
    events = send(client, body)
    assert events[-1] == "[DONE]" and not [e for e in events if isinstance(e, dict) and e["type"] == "error"]
    assert stream_text(events).strip()
    assert len(get(client, body["id"])["messages"]) == 122  # all stored; the oldest not sent


def test_continue_extends_the_cut_off_reply(client: httpx.Client) -> None:
    """Continue: the history ends with the cut-off reply; the new text extends that same message."""
    body = chat_body([user_message("Tell me a long story.")])
    send(client, body)  # LLM_MAX_TOKENS=24: cut off by the token limit
    question, cut_off = get(client, body["id"])["messages"]
    assert cut_off["metadata"] == {"finishReason": "length"}
    before = cut_off["parts"][0]["text"]

    # What useChat's sendMessage() with no message sends: the same history, the reply last.
    events = send(client, {**body, "messages": [question, cut_off], "messageId": cut_off["id"]})
    assert events[0] == {"type": "start", "messageId": cut_off["id"]}
    added = stream_text(events)
    assert added == CONTINUED and events[-1] == "[DONE]"  # the model got the continue instruction

    saved = get(client, body["id"])["messages"]
    assert [m["role"] for m in saved] == ["user", "assistant"]  # no "Continue." message stored
    assert saved[0] == question and saved[1]["id"] == cut_off["id"]
    assert saved[1]["parts"] == [{"type": "text", "text": before + added, "state": "done"}]
    assert saved[1]["metadata"] == {"finishReason": "stop"}  # finished now
    listed = {c["id"]: c["title"] for c in client.get("/api/conversations").json()}
    assert listed[body["id"]] == "Tell me a long story."


def test_search_finds_titles_and_message_text(backend: str, client: httpx.Client) -> None:
    """GET /api/conversations?q=: title or any message contains it; case-insensitive; literal % and _."""
    travel = chat_body([user_message("Where should I TRAVEL in May?")])
    weather = chat_body(
        [
            user_message("A question about the weather"),
            {"id": "a-1", "role": "assistant", "parts": [{"type": "text", "text": "Ask away."}]},
            user_message("Is 100% sunny_days likely in Lisbon?"),
        ]
    )
    for body in (travel, weather):
        send(client, body)

    def found(q: str, http: httpx.Client = client) -> list[str]:
        response = http.get("/api/conversations", params={"q": q})
        assert response.status_code == 200
        return [c["id"] for c in response.json()]

    assert found("travel") == [travel["id"]]  # in the title, any case
    assert found("lisbon") == [weather["id"]]  # in a later message only
    assert found("ask AWAY") == [weather["id"]]  # in a reply
    assert found("100%") == found("sunny_d") == [weather["id"]]
    assert found("0% s") == [weather["id"]] and found("1_0") == [] and found("%%") == []
    assert set(found("")) >= {travel["id"], weather["id"]}
    with httpx.Client(base_url=backend, timeout=60) as other:  # another guest finds none of it
        assert found("travel", other) == [] and found("lisbon", other) == []
