"""A real OpenAI-compatible server over the bundled model: `transformers serve` in a subprocess.

`make serve` runs `main()`; tests and notebooks use `local_server()`. The process handling is
smollm2.py (the same file in every ai-eng template).
"""

import argparse
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .models import local_model_dir
from .smollm2 import ModelServer, serve_command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def local_server(
    model_dir: Path | None = None, *, port: int | None = None, startup_timeout: float = 180.0
) -> Iterator[str]:
    """Start `transformers serve` on 127.0.0.1, wait until it answers, yield its /v1 URL."""
    server = ModelServer(model_dir or local_model_dir(), port or free_port())
    try:
        yield server.start(startup_timeout)
    finally:
        server.stop()


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
