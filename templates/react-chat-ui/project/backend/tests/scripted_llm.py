"""A scripted OpenAI-compatible server, for projects made without the local model (LLM_PROVIDER is not
`local`, so `make setup` installs no torch or SmolLM2). The tests start it as a real process.

It lists one model and streams a deterministic reply, one word per chunk, until `max_tokens` (then
finish_reason "length"). Usage: python tests/scripted_llm.py PORT
"""

import itertools
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "scripted-model"
REPLY = "Hello! This is the scripted model. It answers every prompt the same way, word by word."
WORDS = REPLY.split()
DEFAULT_TOKENS = 40
SECONDS_PER_TOKEN = 0.02


def reply_tokens(max_tokens: int | None) -> tuple[list[str], str]:
    """The reply's tokens and its finish reason: `max_tokens` words, or DEFAULT_TOKENS then "stop"."""
    count = max_tokens or DEFAULT_TOKENS
    words = list(itertools.islice(itertools.cycle(WORDS), count))
    return [w if i == 0 else f" {w}" for i, w in enumerate(words)], ("length" if max_tokens else "stop")


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
            self.send_json(
                200,
                {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "tests"}]},
            )
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
        tokens, finish = reply_tokens(body.get("max_tokens"))
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
                time.sleep(SECONDS_PER_TOKEN)
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
