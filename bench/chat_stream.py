"""react-chat-ui: what the backend adds to a stream (time to first token, 100 concurrent chats).

Generates the template with Copier from this checkout, installs its backend (no model extras),
starts a scripted OpenAI-compatible upstream (bench/chat_upstream.py: 200 tokens, 5 ms apart), the
backend with the README's uvicorn command and the floor (bench/chat_floor.py: the least a Python
backend can do, forwarding tokens with no validation, database or session), then measures, all on
127.0.0.1 and bounded:
  1. time to first token, one chat at a time: direct to the upstream, through the floor and through
     the backend;
  2. `--concurrency` (100) chats at once, direct, floor and backend taking turns, round by round:
     first-token p50/p95 of each round, min/median/max over the rounds, against the targets
     backend p50 <= direct p50 + 50 ms and backend p95 <= 2x direct p95; errors (target 0);
     CPU per streamed token of the floor and of the backend.
Numbers are printed, never asserted.

The client is aiohttp (HTTP parsed in C). With httpx (pure Python) the client itself used a whole
core for 100 streams, so the direct baseline measured the client more than the upstream.

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
        floor_port = free_port()
        procs.append(
            subprocess.Popen(
                [
                    str(project / "backend/.venv/bin/uvicorn"),
                    "chat_floor:app",
                    "--app-dir",
                    str(ROOT / "bench"),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(floor_port),
                    "--log-level",
                    "warning",
                ],
                env={**os.environ, "LLM_BASE_URL": upstream, "LLM_MODEL": model},
            )
        )
        floor = f"http://127.0.0.1:{floor_port}"
        wait_http(f"{floor}/api/health", 60, procs[-1])

        config = {
            "upstream": upstream,
            "backend": backend,
            "floor": floor,
            "model": model,
            "runs": args.runs,
            "concurrency": 0 if args.upstream == "local" else args.concurrency,
            "tokens": args.tokens,
            "rounds": args.rounds,
            "backend_pid": procs[1].pid,
            "floor_pid": procs[2].pid,
            "upstream_pid": procs[0].pid,
        }
        subprocess.run([str(python), __file__, "--measure", json.dumps(config)], check=True)
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(timeout=30)


# ---- measurement (runs inside the generated backend venv: aiohttp) ----------------------------

PATHS = ("direct", "floor", "backend")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def sse_data(response):
    """The `data:` payloads of an SSE response, as text."""
    async for line in response.content:  # aiohttp splits the body into lines
        if line.startswith(b"data: "):
            yield line[6:].rstrip(b"\r\n").decode()


async def stream_direct(client, cfg: dict, max_tokens: int) -> tuple[float, float, int]:
    """(seconds to the first token, seconds to the end, tokens) straight from the upstream."""
    body = {
        "model": cfg["model"],
        "stream": True,
        "max_tokens": max_tokens,
        "messages": [{"role": "user", "content": "Say hi"}],
    }
    start, first, text = time.perf_counter(), None, []
    async with client.post(f"{cfg['upstream']}/chat/completions", json=body) as r:
        r.raise_for_status()
        async for data in sse_data(r):
            if data.startswith("{"):
                content = json.loads(data)["choices"][0]["delta"].get("content")
                if content:
                    first = first or time.perf_counter()
                    text.append(content)
    # The scripted upstream's tokens are "tok0 ", "tok1 ", ...: count them in the text.
    return first - start, time.perf_counter() - start, len("".join(text).split())


async def stream_ui(client, url: str) -> tuple[float, float, int]:
    """The same through a backend (the generated one, or the floor) speaking the AI SDK UI message
    stream; it may send several tokens in one text-delta."""
    body = {
        "id": f"bench-{uuid.uuid4().hex}",
        "trigger": "submit-message",
        "messages": [{"id": "u1", "role": "user", "parts": [{"type": "text", "text": "Say hi"}]}],
    }
    start, first, text, done = time.perf_counter(), None, [], False
    async with client.post(f"{url}/api/chat", json=body) as r:
        r.raise_for_status()
        async for data in sse_data(r):
            if data == "[DONE]":
                done = True
            elif data.startswith("{"):
                event = json.loads(data)
                if event["type"] == "error":
                    raise RuntimeError(event["errorText"])
                if event["type"] == "text-delta":
                    first = first or time.perf_counter()
                    text.append(event["delta"])
    if not done:
        raise RuntimeError("stream ended without [DONE]")
    return first - start, time.perf_counter() - start, len("".join(text).split())


def one_stream(client, cfg: dict, path: str):
    if path == "direct":
        return stream_direct(client, cfg, cfg["tokens"])
    return stream_ui(client, cfg[path])


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
    """`concurrency` streams at once; first-token times, errors, and CPU per token of the process
    in the middle (floor or backend)."""
    n, tokens = cfg["concurrency"], cfg["tokens"]
    pids = {
        "client": os.getpid(),
        "upstream": cfg["upstream_pid"],
        "floor": cfg["floor_pid"],
        "backend": cfg["backend_pid"],
    }
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    start = time.perf_counter()
    results = await asyncio.gather(
        *(one_stream(client, cfg, path) for _ in range(n)), return_exceptions=True
    )
    wall = time.perf_counter() - start
    used = {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()}
    ok = [r for r in results if not isinstance(r, BaseException) and r[2] == tokens]
    firsts = [r[0] for r in ok]
    return {
        "wall": wall,
        **{f"cpu_{name}": seconds for name, seconds in used.items()},
        "p50": pct(firsts, 0.5) if ok else float("nan"),
        "p95": pct(firsts, 0.95) if ok else float("nan"),
        "errors": n - len(ok),
        "first_error": next((repr(r) for r in results if r not in ok), ""),
        "cpu_us_per_token": used.get(path, 0.0) * 1e6 / max(1, sum(r[2] for r in ok)),
    }


def spread(values: list[float]) -> str:
    return (
        f"min {min(values):8.1f}  median {statistics.median(values):8.1f}  max {max(values):8.1f}"
    )


def ratios(values: list[float]) -> str:
    return f"min {min(values):.2f}  median {statistics.median(values):.2f}  max {max(values):.2f}"


async def measure(cfg: dict) -> None:
    import aiohttp

    # Idle connections are dropped after 2 s, before uvicorn closes them (5 s): reusing one the
    # server is closing at that moment fails with an error that no server change can prevent.
    connector = aiohttp.TCPConnector(limit=400, keepalive_timeout=2)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
        for _ in range(5):  # warm up every path
            for path in PATHS:
                await one_stream(client, cfg, path)
        serial: dict[str, list[float]] = {path: [] for path in PATHS}
        for _ in range(cfg["runs"]):  # interleaved, one at a time
            for path in PATHS:
                serial[path].append((await one_stream(client, cfg, path))[0])
        print(f"time to first token, one chat at a time, {cfg['runs']} runs each ({cfg['model']}):")
        d50 = statistics.median(serial["direct"]) * 1000
        for path in PATHS:
            p50 = statistics.median(serial[path]) * 1000
            delta = f"  delta {p50 - d50:+7.2f} ms" if path != "direct" else ""
            print(f"  {path:7s} p50 {p50:7.2f} ms  p90 {ms(serial[path], 0.9):7.2f} ms{delta}")

        n = cfg["concurrency"]
        if not n:
            return
        # The paths take turns, round by round: drift on a shared machine hits each of them.
        rounds: dict[str, list[dict]] = {path: [] for path in PATHS}
        for _ in range(cfg["rounds"]):
            for path in PATHS:
                rounds[path].append(await concurrent_round(client, cfg, path))
        print(
            f"time to first token, {n} concurrent chats x {cfg['tokens']} tokens,"
            f" {cfg['rounds']} rounds of each path, taking turns (ms):"
        )
        for path in PATHS:
            for q in ("p50", "p95"):
                print(f"  {path:7s} {q}  {spread([r[q] for r in rounds[path]])}")

        def paired(path: str, q: str, op) -> list[float]:
            pairs = zip(rounds["direct"], rounds[path], strict=True)
            return [op(mid[q], direct[q]) for direct, mid in pairs]

        for path in ("floor", "backend"):
            target = " (target <= +50 ms)" if path == "backend" else "                  "
            p50_delta = paired(path, "p50", lambda a, b: a - b)
            print(f"  {path:7s} p50 - direct p50{target}: {spread(p50_delta)}")
        for path in ("floor", "backend"):
            target = " (target <= 2.0)" if path == "backend" else "                "
            p95_ratio = paired(path, "p95", lambda a, b: a / b)
            print(f"  {path:7s} p95 / direct p95{target}:    {ratios(p95_ratio)}")
        for path in ("floor", "backend"):
            errors = sum(r["errors"] for r in rounds[path])
            first = next((r["first_error"] for r in rounds[path] if r["errors"]), "")
            print(f"  {path:7s} errors {errors} (target 0){'  first: ' + first if first else ''}")
            cpu = [r["cpu_us_per_token"] for r in rounds[path]]
            print(f"  {path:7s} CPU per streamed token (us): {spread(cpu)}")
        # Where the machine's time goes: CPU seconds per round of each process, and the cores that
        # kept busy (sum / wall). The client, the upstream and the backend share this machine's
        # cores: when they are all busy, every first token waits for a core.
        print(f"  CPU seconds per round (median; {os.cpu_count()} cores on this machine):")
        for path in PATHS:
            r = rounds[path]
            names = ("client", "upstream") + ((path,) if path != "direct" else ())
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
    parser.add_argument(
        "--rounds", type=int, default=4, help="rounds of each path at --concurrency"
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        asyncio.run(measure(json.loads(args.measure)))
    else:
        orchestrate(args)


if __name__ == "__main__":
    main()
