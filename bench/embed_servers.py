"""Ingest past one machine, by simulation: N embedding servers, rag's round-robin over them.

    python bench/embed_servers.py --project DIR [--latency 0.2] [--servers 1,2,4,8,16,32]

DIR is a generated rag-pipeline project after `make setup`; the bench runs in its venv.
It starts N real HTTP servers on 127.0.0.1 (one child process, a thread per server) that
answer POST /v1/embeddings after a fixed latency per batch, one batch at a time each (like
one accelerator), with deterministic vectors (a text's CRC32 seeds its vector). Then it runs
the project's own `ingest()` over a synthetic corpus into a fresh embedded PostgreSQL with
EMBEDDING_BASE_URL listing the N servers (comma-separated: batches go round-robin) and
EMBEDDING_CONCURRENCY = 2 × N (a request queued behind each one being served).

It prints, per N, ingest chunks/s (min/median/max over the rounds, N values alternated in
each round), the ratio to N × one server's measured throughput (target >= 0.8), and the
pipeline's own ceiling measured in the same rounds: the same ingest with embedding free (an
in-process embedder that returns the same deterministic vectors at once), and with
0-latency servers (the HTTP client's cost included). Target: ceiling >= 2,000 chunks/s.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

try:
    import numpy as np
except ImportError:  # any python starts it: main() re-runs it in the project's venv
    np = None

DIM = 384
WORDS = "vector index query chunk embedding postgres recall latency batch server token model search hybrid ranking document corpus shard replica queue worker throughput cache disk memory network cluster node graph neighbour distance cosine score answer question"  # noqa: E501
WORDS = WORDS.split()


def vector(text: str) -> np.ndarray:
    rng = np.random.default_rng(zlib.crc32(text.encode()))
    v = rng.standard_normal(DIM).astype(np.float32)
    return v / np.linalg.norm(v)


# --- the simulated servers (child process) -------------------------------------------------


def serve(ports: list[int], latency: float) -> None:
    def handler_for(lock: threading.Lock):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
                with lock:  # one batch at a time per server, a fixed latency per batch
                    time.sleep(latency)
                b64 = body.get("encoding_format") == "base64"
                data = []
                for i, text in enumerate(texts):
                    v = vector(text)
                    emb = base64.b64encode(v.tobytes()).decode() if b64 else v.tolist()
                    data.append({"object": "embedding", "index": i, "embedding": emb})
                payload = json.dumps(
                    {
                        "object": "list",
                        "data": data,
                        "model": body.get("model", "sim"),
                        "usage": {"prompt_tokens": 0, "total_tokens": 0},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler

    servers = []
    for port in ports:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(threading.Lock()))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    print("ready", flush=True)
    sys.stdin.read()  # until the parent closes our stdin


class Servers:
    def __init__(self, n: int, latency: float, base_port: int):
        self.ports = list(range(base_port, base_port + n))
        cmd = [sys.executable, __file__, "--serve", ",".join(map(str, self.ports))]
        cmd += ["--latency", str(latency)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "ready"

    @property
    def urls(self) -> str:
        return ",".join(f"http://127.0.0.1:{p}/v1" for p in self.ports)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.terminate()
        self.proc.wait()


# --- the measurement (in the project's venv) -------------------------------------------------


class FreeEmbedder:
    """Embedding free: the same deterministic vectors, computed in-process."""

    name = "sim"
    dim = DIM

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.stack([vector(t) for t in texts])


def corpus(folder: Path, chunks: int) -> None:
    """Markdown files of random words, about `chunks` chunks of ~200 tokens in all."""
    rng = np.random.default_rng(0)
    per_file = 40
    for f in range(max(1, chunks // per_file)):
        sections = []
        for s in range(per_file):
            words = rng.choice(WORDS, size=150)
            sections.append(f"## Section {f}.{s}\n\n" + " ".join(words) + f" unique{f}x{s}.\n")
        (folder / f"doc{f:04d}.md").write_text(f"# Document {f}\n\n" + "\n".join(sections))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--project", type=Path)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per batch")
    parser.add_argument("--batch", type=int, default=64, help="EMBEDDING_BATCH_SIZE")
    parser.add_argument("--servers", default="1,2,4,8,16,32")
    parser.add_argument("--chunks", type=int, default=4000, help="synthetic corpus size")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.serve:
        return serve([int(p) for p in args.serve.split(",")], args.latency)

    project = args.project.resolve()
    python = project / ".venv" / "bin" / "python"
    if Path(sys.prefix).resolve() != (project / ".venv").resolve():
        os.execv(python, [str(python), __file__, *sys.argv[1:]])
    sys.path.insert(0, str(project / "src"))
    package = next(p.name for p in (project / "src").iterdir() if (p / "ingest.py").exists())
    os.chdir(project)
    config = __import__(f"{package}.config", fromlist=["Settings"])
    db = __import__(f"{package}.db", fromlist=["connect"])
    ingest_mod = __import__(f"{package}.ingest", fromlist=["ingest"])
    embeddings = __import__(f"{package}.embeddings", fromlist=["get_embedder"])
    from rich.console import Console

    work = Path(tempfile.mkdtemp(prefix="embed-servers-"))
    docs = work / "docs"
    docs.mkdir()
    corpus(docs, args.chunks)
    base = {"pgdata_dir": work / "pg", "embedding_batch_size": args.batch}
    quiet = Console(file=open(os.devnull, "w"))  # noqa: SIM115

    def run(embedder, settings) -> tuple[float, int]:
        conn = db.connect(settings)
        try:
            report = ingest_mod.ingest(conn, settings, [docs], embedder, reset=True, console=quiet)
        finally:
            conn.close()
        return report.chunks / report.total_s, report.chunks

    def with_servers(n: int, latency: float) -> tuple[float, int]:
        servers = Servers(n, latency, 18000 + 100 * (n % 50))
        try:
            settings = config.Settings(
                _env_file=None,
                embedding_provider="openai-compatible",
                embedding_model="sim",
                embedding_base_url=servers.urls,
                embedding_api_key="unused",
                embedding_concurrency=2 * n,
                **base,
            )
            return run(embeddings.get_embedder(settings), settings)
        finally:
            servers.close()

    ns = [int(n) for n in args.servers.split(",")]
    results: dict[str, list[float]] = {}
    chunks = 0
    settings = config.Settings(_env_file=None, **base)
    for r in range(args.rounds):
        order = ns if r % 2 == 0 else ns[::-1]  # alternate
        for label, fn in [
            ("free", lambda: run(FreeEmbedder(), settings)),
            ("http-0ms", lambda: with_servers(max(ns), 0.0)),
            *[(f"N={n}", lambda n=n: with_servers(n, args.latency)) for n in order],
        ]:
            rate, chunks = fn()
            results.setdefault(label, []).append(rate)
            print(f"round {r + 1}: {label:>9} {rate:8.0f} chunks/s", file=sys.stderr, flush=True)
    db.stop_embedded()

    one = statistics.median(results["N=1"])
    ceiling = statistics.median(results["free"])
    per_server = args.batch / args.latency
    print(
        f"\n{chunks} chunks, batch {args.batch}, {args.latency * 1000:.0f} ms per batch "
        f"(one server at most {per_server:.0f} chunks/s), {args.rounds} rounds, "
        f"{os.cpu_count()} cores"
    )
    print(f"{'':>10} {'min':>7} {'median':>7} {'max':>7}  ratio to N x one server (>= 0.8)")
    for label, rates in results.items():
        line = f"{label:>10} {min(rates):7.0f} {statistics.median(rates):7.0f} {max(rates):7.0f}"
        if label.startswith("N="):
            n = int(label[2:])
            expected = min(n * one, ceiling)
            line += f"  {statistics.median(rates) / (n * one):.2f}"
            line += f" (of min(N x one, ceiling): {statistics.median(rates) / expected:.2f})"
        print(line)
    print(f"ceiling (embedding free): {ceiling:.0f} chunks/s (target >= 2000)")


if __name__ == "__main__":
    main()
