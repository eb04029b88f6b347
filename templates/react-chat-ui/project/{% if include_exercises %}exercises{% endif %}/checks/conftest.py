"""The exercise checks reuse the backend tests' fixtures: the backend under uvicorn, a real model server.

Run from backend/ (`make exercise N`), so `tests` is the backend's test package.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "backend"))

from tests.conftest import (  # noqa: F401 (fixtures)
    backend,
    chat_body,
    client,
    free_port,
    parse_sse,
    run_backend,
    upstream,
    user_message,
)
