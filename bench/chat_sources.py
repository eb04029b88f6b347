"""react-chat-ui with the RAG part: time from sending a question to its sources arriving, against
the retrieval alone, side by side (target: sources p50 <= retrieval p50 + 50 ms).

Needs a composed project (the chat with `rag_dir` set: `ai-eng new APP -a ux --with rag-pipeline`)
after `make setup`: the chat's backend venv holds the RAG part's package. The script re-runs
itself with that venv's Python. All on 127.0.0.1, the project's own index untouched:
  - the RAG part's shipped docs/ are ingested into a temp embedded PostgreSQL (its `ingest`);
  - backend/tests/scripted_llm.py is the model, the backend runs with the README's uvicorn command;
  - rounds alternate (ABAB) between
      A. retrieval alone: the retriever's `find`, the call the chat route makes (the RAG part's
         hybrid search: embed the question, then SQL), in this process, in a worker thread as the
         route runs it
         (on a busy machine, torch in the main thread measured up to 10x slower than in a worker);
      B. time to sources: POST /api/chat until the first `source-document` part arrives (and,
         printed too, until the first part arrives: what the backend does before retrieval).
Each round asks every question of the RAG part's eval/questions.jsonl once per side; the script
prints each round's p50s, then min/median/max over the rounds. Numbers are printed, never asserted.

    .venv/bin/python bench/chat_sources.py --project DIR [--rounds 4] [--questions 20]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

TARGET_MS = 50.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, process: subprocess.Popen, timeout: float = 300) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"error: the process for {url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"error: {url} did not answer within {timeout:g}s")


def time_to_sources(client, question: str) -> tuple[float, float]:
    """Seconds from sending the question until the first part (`start`: the backend's work before
    retrieval) and until the first source-document part have arrived."""
    body = {
        "id": f"bench-{uuid.uuid4().hex}",
        "trigger": "submit-message",
        "messages": [{"id": "u1", "role": "user", "parts": [{"type": "text", "text": question}]}],
    }
    started = time.perf_counter()
    with client.stream("POST", "/api/chat", json=body) as response:
        response.raise_for_status()
        lines = response.iter_lines()
        first = None
        for line in lines:
            if first is None and line.startswith("data: "):
                first = time.perf_counter() - started
            if line.startswith("data: ") and '"type":"source-document"' in line:
                elapsed = time.perf_counter() - started
                break
        else:
            raise SystemExit("error: the reply had no source-document part (nothing ingested?)")
        for _ in lines:  # let the reply finish before the next question
            pass
    return first, elapsed


def summary(name: str, values: list[float]) -> str:
    return (
        f"{name:<22} min {min(values):7.1f}  median {statistics.median(values):7.1f}"
        f"  max {max(values):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--project", type=Path, required=True, help="a composed project after make setup"
    )
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--questions", type=int, default=20, help="per round and side")
    args = parser.parse_args()
    project = args.project.resolve()
    python = project / "backend" / ".venv" / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"error: {python} does not exist: run `make setup` in {project} first")
    if Path(sys.prefix).resolve() != python.parent.parent.resolve():
        os.execv(python, [str(python), __file__, *sys.argv[1:]])

    os.environ["HF_HUB_OFFLINE"] = "1"
    sys.path.insert(0, str(project / "backend"))
    import httpx
    from app.core.config import PROJECT_ROOT
    from app.core.retriever import open_retriever

    rag_dir = PROJECT_ROOT / "rag"  # where `new --with rag-pipeline` puts the RAG part
    questions = [
        json.loads(line)["question"]
        for line in (rag_dir / "eval" / "questions.jsonl").read_text().splitlines()
        if line.strip()
    ][: args.questions]

    scratch = Path(tempfile.mkdtemp(prefix="chat-sources-bench-"))
    scratch.chmod(0o755)  # as root, the embedded PostgreSQL runs as the user `pgserver`
    env_file = scratch / "rag.env"
    env_file.write_text(f"PGDATA_DIR={scratch / 'pgdata'}\n")
    processes: list[subprocess.Popen] = []
    docs = None
    try:
        print("ingesting the RAG part's docs/ into a temp database ...", flush=True)
        subprocess.run(
            [str(python.with_name("rag")), "ingest", str(rag_dir / "docs")],
            env={**os.environ, "ENV_FILE": str(env_file)},
            check=True,
            stdout=subprocess.DEVNULL,
        )
        llm_port, port = free_port(), free_port()
        processes.append(
            subprocess.Popen(
                [str(python), str(project / "backend/tests/scripted_llm.py"), str(llm_port)]
            )
        )
        wait_http(f"http://127.0.0.1:{llm_port}/v1/models", processes[-1])
        backend_env = {
            **os.environ,
            "ENV_FILE": os.devnull,
            "LLM_PROVIDER": "openai-compatible",
            "LLM_BASE_URL": f"http://127.0.0.1:{llm_port}/v1",
            "DATABASE_URL": f"sqlite:///{scratch / 'chat.db'}",
            "RAG_DIR": str(rag_dir),
            "RAG_ENV_FILE": str(env_file),
        }
        uvicorn = [str(python.with_name("uvicorn")), "app.main:app", "--app-dir", "backend"]
        processes.append(
            subprocess.Popen(
                [*uvicorn, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                cwd=project,
                env=backend_env,
            )
        )
        wait_http(f"http://127.0.0.1:{port}/api/health", processes[-1])
        docs = open_retriever(rag_dir, env_file)  # the same retriever the backend opens

        with (
            httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client,
            ThreadPoolExecutor(max_workers=1) as worker,
        ):
            time_to_sources(client, questions[0])  # warm-up: connections, first query plans
            worker.submit(docs.find, questions[0]).result()
            retrieval_p50s, sources_p50s, start_p50s = [], [], []
            for round_no in range(1, args.rounds + 1):
                retrieval, sources, starts = [], [], []
                for question in questions:  # A then B for each question: same load on both
                    t0 = time.perf_counter()
                    worker.submit(docs.find, question).result()
                    retrieval.append((time.perf_counter() - t0) * 1000)
                    first, elapsed = time_to_sources(client, question)
                    starts.append(first * 1000)
                    sources.append(elapsed * 1000)
                a, b = statistics.median(retrieval), statistics.median(sources)
                retrieval_p50s.append(a)
                sources_p50s.append(b)
                start_p50s.append(statistics.median(starts))
                print(
                    f"round {round_no}: retrieval p50 {a:6.1f} ms | time to sources p50 {b:6.1f} ms"
                    f" | difference {b - a:+6.1f} ms | first part p50 {start_p50s[-1]:5.1f} ms",
                    flush=True,
                )
        differences = [b - a for a, b in zip(retrieval_p50s, sources_p50s, strict=True)]
        print()
        print(summary("retrieval p50", retrieval_p50s))
        print(summary("time to sources p50", sources_p50s))
        print(summary("difference", differences))
        print(summary("time to first part p50", start_p50s))
        ratio = statistics.median(sources_p50s) / statistics.median(retrieval_p50s)
        difference = statistics.median(differences)
        verdict = "meets" if difference <= TARGET_MS else "misses"
        print(
            f"time to sources / retrieval = {ratio:.2f}x; median difference {difference:+.1f} ms"
            f" {verdict} the target (<= +{TARGET_MS:.0f} ms)"
        )
    finally:
        if docs is not None:
            docs.close()
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
