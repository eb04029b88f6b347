"""A real OpenAI-compatible server over the bundled model: `transformers serve` in a subprocess.

`make serve` runs `main()`; tests and notebooks use `local_server()`.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from .models import local_model_dir


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_command(model_dir: Path, host: str, port: int) -> list[str]:
    cli = Path(sys.executable).with_name("transformers")
    return [str(cli), "serve", str(model_dir), "--host", host, "--port", str(port)]


@contextmanager
def local_server(
    model_dir: Path | None = None, *, port: int | None = None, startup_timeout: float = 180.0
) -> Iterator[str]:
    """Start `transformers serve` on 127.0.0.1, wait for /health, yield its /v1 URL, stop it."""
    model_dir = model_dir or local_model_dir()
    port = port or free_port()
    env = os.environ | {"HF_HUB_OFFLINE": "1"}
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            serve_command(model_dir, "127.0.0.1", port), stdout=log, stderr=log, env=env
        )
        try:
            deadline = time.monotonic() + startup_timeout
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    tail = log.read().decode(errors="replace")[-2000:]
                    code = process.returncode
                    raise RuntimeError(f"transformers serve exited with {code}:\n{tail}")
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1.0).is_success:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"transformers serve not up after {startup_timeout:.0f}s")
                time.sleep(0.3)
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve SmolLM2 with an OpenAI-compatible API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    model_dir = local_model_dir()
    print(f"OpenAI-compatible API at http://{args.host}:{args.port}/v1, model {model_dir}")
    command = serve_command(model_dir, args.host, args.port)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
