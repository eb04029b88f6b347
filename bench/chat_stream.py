"""react-chat-ui: what the backend adds to a stream (time to first token, 100 concurrent chats).

Generates the template with Copier from this checkout, installs its backend (no model extras),
starts a scripted OpenAI-compatible upstream (bench/chat_upstream.py: 200 tokens, 5 ms apart) and
the backend with the README's uvicorn command, then measures, all on 127.0.0.1 and bounded:
  1. time to first token, one chat at a time, through the backend vs direct to the same upstream;
  2. `--concurrency` (100) chats at once, direct and through the backend in alternating (ABAB)
     rounds: first-token p50/p95 of each round, min/median/max over the rounds, against the
     targets backend p50 <= direct p50 + 50 ms and backend p95 <= 2x direct p95; errors (target 0);
     backend CPU per streamed token.
Numbers are printed, never asserted.

    .venv/bin/python bench/chat_stream.py [--project DIR] [--runs 60] [--rounds 4]

--project reuses a generated copy whose backend/.venv exists (skips generation and install).
--upstream local measures step 1 against the real SmolLM2 server instead (needs `make setup` there).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from render import render  # bench/render.py, beside this script

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float, process: subprocess.Popen) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"error: process for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"error: {url} did not answer within {timeout:g}s")


def prepare_project(project: Path | None) -> Path:
    if project:
        if not (project / "backend/.venv/bin/python").exists():
            raise SystemExit(
                f"error: {project}/backend/.venv not found; run `make setup` there first"
            )
        return project
    dest = Path(tempfile.mkdtemp(prefix="chat-bench-")) / "app"
    render("react-chat-ui", dest)
    venv = dest / "backend/.venv"
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
    subprocess.run([venv / "bin/pip", "install", "-q", "-e", str(dest / "backend")], check=True)
    return dest


def orchestrate(args: argparse.Namespace) -> None:
    project = prepare_project(args.project)
    python = project / "backend/.venv/bin/python"
    tmp = Path(tempfile.mkdtemp(prefix="chat-bench-run-"))
    procs: list[subprocess.Popen] = []
    try:
        up_port, be_port = free_port(), free_port()
        if args.upstream == "local":
            upstream_env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
            model_dir = project / "data/models/smollm2-135m-instruct"
            cmd = [
                str(project / "backend/.venv/bin/transformers"),
                "serve",
                str(model_dir),
                "--host",
                "127.0.0.1",
                "--port",
                str(up_port),
                "--device",
                "cpu",
            ]
            model = str(model_dir)
        else:
            upstream_env = dict(os.environ)
            cmd = [
                str(python),
                str(ROOT / "bench/chat_upstream.py"),
                "--port",
                str(up_port),
                "--tokens",
                str(args.tokens),
                "--delay-ms",
                str(args.delay_ms),
            ]
            model = "scripted"
        procs.append(
            subprocess.Popen(
                cmd, env=upstream_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        )
        upstream = f"http://127.0.0.1:{up_port}/v1"
        wait_http(f"{upstream}/models", 180, procs[-1])

        backend_env = {
            **os.environ,
            "LLM_PROVIDER": "openai-compatible",
            "LLM_BASE_URL": upstream,
            "LLM_MODEL": model,
            "LLM_MAX_TOKENS": str(args.tokens),
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
            "FRONTEND_DIST": str(tmp / "none"),
        }
        procs.append(
            subprocess.Popen(
                [
                    str(project / "backend/.venv/bin/uvicorn"),
                    "app.main:app",
                    "--app-dir",
                    "backend",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(be_port),
                    "--log-level",
                    "warning",
                ],
                cwd=project,
                env=backend_env,
            )
        )
        backend = f"http://127.0.0.1:{be_port}"
        wait_http(f"{backend}/api/health", 60, procs[-1])

        config = {
            "upstream": upstream,
            "backend": backend,
            "model": model,
            "runs": args.runs,
            "concurrency": 0 if args.upstream == "local" else args.concurrency,
            "tokens": args.tokens,
            "rounds": args.rounds,
            "backend_pid": procs[-1].pid,
            "upstream_pid": procs[0].pid,
        }
        subprocess.run([str(python), __file__, "--measure", json.dumps(config)], check=True)
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(timeout=30)


# ---- measurement (runs inside the generated backend venv: httpx) ------------------------------


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def stream_direct(client, cfg: dict, max_tokens: int) -> tuple[float, float, int]:
    """(seconds to the first token, seconds to the end, tokens) straight from the upstream."""
    body = {
        "model": cfg["model"],
        "stream": True,
        "max_tokens": max_tokens,
        "messages": [{"role": "user", "content": "Say hi"}],
    }
    start, first, text = time.perf_counter(), None, []
    async with client.stream("POST", f"{cfg['upstream']}/chat/completions", json=body) as r:
        r.raise_for_status()
        async for line in r.aiter_lines():
            if line.startswith("data: {"):
                content = json.loads(line[6:])["choices"][0]["delta"].get("content")
                if content:
                    first = first or time.perf_counter()
                    text.append(content)
    # The scripted upstream's tokens are "tok0 ", "tok1 ", ...: count them in the text.
    return first - start, time.perf_counter() - start, len("".join(text).split())


async def stream_backend(client, cfg: dict) -> tuple[float, float, int]:
    """The same through the backend; it may send several tokens in one text-delta."""
    body = {
        "id": f"bench-{uuid.uuid4().hex}",
        "trigger": "submit-message",
        "messages": [{"id": "u1", "role": "user", "parts": [{"type": "text", "text": "Say hi"}]}],
    }
    start, first, text, done = time.perf_counter(), None, [], False
    async with client.stream("POST", f"{cfg['backend']}/api/chat", json=body) as r:
        r.raise_for_status()
        async for line in r.aiter_lines():
            if line == "data: [DONE]":
                done = True
            elif line.startswith("data: {"):
                event = json.loads(line[6:])
                if event["type"] == "error":
                    raise RuntimeError(event["errorText"])
                if event["type"] == "text-delta":
                    first = first or time.perf_counter()
                    text.append(event["delta"])
    if not done:
        raise RuntimeError("stream ended without [DONE]")
    return first - start, time.perf_counter() - start, len("".join(text).split())


def ms(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100)[int(q * 100) - 1] * 1000
        if len(values) > 2
        else values[0] * 1000
    )


def pct(values: list[float], q: float) -> float:
    """The q-quantile of values, in ms."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def concurrent_round(client, cfg: dict, path: str) -> dict:
    """`concurrency` streams at once; first-token times, errors, and backend CPU per token."""
    n, tokens = cfg["concurrency"], cfg["tokens"]
    one = (
        (lambda: stream_direct(client, cfg, tokens))
        if path == "direct"
        else (lambda: stream_backend(client, cfg))
    )
    pids = {"backend": cfg["backend_pid"], "upstream": cfg["upstream_pid"], "client": os.getpid()}
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    start = time.perf_counter()
    results = await asyncio.gather(*(one() for _ in range(n)), return_exceptions=True)
    wall = time.perf_counter() - start
    used = {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()}
    cpu = used["backend"]
    ok = [r for r in results if not isinstance(r, BaseException) and r[2] == tokens]
    firsts = [r[0] for r in ok]
    return {
        "wall": wall,
        **{f"cpu_{name}": seconds for name, seconds in used.items()},
        "p50": pct(firsts, 0.5) if ok else float("nan"),
        "p95": pct(firsts, 0.95) if ok else float("nan"),
        "errors": n - len(ok),
        "first_error": next((repr(r) for r in results if r not in ok), ""),
        "cpu_us_per_token": cpu * 1e6 / max(1, sum(r[2] for r in ok)),
    }


def spread(values: list[float]) -> str:
    return (
        f"min {min(values):8.1f}  median {statistics.median(values):8.1f}  max {max(values):8.1f}"
    )


async def measure(cfg: dict) -> None:
    import httpx

    # Idle connections are dropped after 2 s, before uvicorn closes them (5 s): reusing one the
    # server is closing at that moment fails with a ReadError that no server change can prevent.
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400, keepalive_expiry=2)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        for _ in range(5):  # warm up both paths
            await stream_direct(client, cfg, cfg["tokens"])
            await stream_backend(client, cfg)
        direct, through = [], []
        for _ in range(cfg["runs"]):  # interleaved, one at a time
            direct.append((await stream_direct(client, cfg, cfg["tokens"]))[0])
            through.append((await stream_backend(client, cfg))[0])
        d50, b50 = statistics.median(direct) * 1000, statistics.median(through) * 1000
        print(f"time to first token, one chat at a time, {cfg['runs']} runs each ({cfg['model']}):")
        print(f"  direct  p50 {d50:7.2f} ms  p90 {ms(direct, 0.9):7.2f} ms")
        print(f"  backend p50 {b50:7.2f} ms  p90 {ms(through, 0.9):7.2f} ms")
        print(f"  delta   p50 {b50 - d50:+7.2f} ms")

        n = cfg["concurrency"]
        if not n:
            return
        # ABAB: direct and backend rounds alternate, so drift on a shared machine hits both.
        rounds: dict[str, list[dict]] = {"direct": [], "backend": []}
        for _ in range(cfg["rounds"]):
            for path in ("direct", "backend"):
                rounds[path].append(await concurrent_round(client, cfg, path))
        print(
            f"time to first token, {n} concurrent chats x {cfg['tokens']} tokens,"
            f" {cfg['rounds']} ABAB rounds (ms):"
        )
        for path in ("direct", "backend"):
            for q in ("p50", "p95"):
                print(f"  {path:7s} {q}  {spread([r[q] for r in rounds[path]])}")
        p50_delta = [
            b["p50"] - d["p50"] for d, b in zip(rounds["direct"], rounds["backend"], strict=True)
        ]
        p95_ratio = [
            b["p95"] / d["p95"] for d, b in zip(rounds["direct"], rounds["backend"], strict=True)
        ]
        print(f"  backend p50 - direct p50 (target <= +50 ms): {spread(p50_delta)}")
        print(
            f"  backend p95 / direct p95 (target <= 2.0):    "
            f"min {min(p95_ratio):.2f}  median {statistics.median(p95_ratio):.2f}"
            f"  max {max(p95_ratio):.2f}"
        )
        errors = sum(r["errors"] for r in rounds["backend"])
        first = next((r["first_error"] for r in rounds["backend"] if r["errors"]), "")
        print(f"  backend errors {errors} (target 0){'  first: ' + first if first else ''}")
        cpu = [r["cpu_us_per_token"] for r in rounds["backend"]]
        print(f"  backend CPU per streamed token (us): {spread(cpu)}")
        # Where the machine's time goes: CPU seconds per round of each process, and the cores that
        # kept busy (sum / wall). The client, the upstream and the backend share this machine's
        # cores: when they are all busy, every first token waits for a core.
        print(f"  CPU seconds per round (median; {os.cpu_count()} cores on this machine):")
        for path in ("direct", "backend"):
            r = rounds[path]
            names = ("client", "upstream") + (("backend",) if path == "backend" else ())
            median = {k: statistics.median(x[f"cpu_{k}"] for x in r) for k in names}
            wall = statistics.median(x["wall"] for x in r)
            detail = "  ".join(f"{k} {v:5.2f}" for k, v in median.items())
            busy = sum(median.values()) / wall
            print(f"    {path:7s} {detail}  | wall {wall:5.2f} s, busy {busy:4.2f} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--project", type=Path, help="a generated copy with backend/.venv (skips install)"
    )
    parser.add_argument("--upstream", choices=["scripted", "local"], default="scripted")
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument(
        "--delay-ms", type=float, default=5.0, help="scripted upstream: pause between tokens"
    )
    parser.add_argument("--rounds", type=int, default=4, help="ABAB rounds at --concurrency")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        asyncio.run(measure(json.loads(args.measure)))
    else:
        orchestrate(args)


if __name__ == "__main__":
    main()
