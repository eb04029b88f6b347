"""The exercise checks reuse the backend tests' fixtures: the backend under uvicorn, over HTTP.

Run from backend/ (`make exercise N`), so `tests` is the backend's test package. What a check looks
at is the app, not the model's words: the model server is always tests/scripted_llm.py (a real
OpenAI-compatible server process that answers the same way every time, and starts in a second).
"""

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parents[2] / "backend"
sys.path.insert(0, str(BACKEND))
_tests = importlib.import_module("tests.conftest")

# The backend tests' fixtures and helpers, for the checks.
backend = _tests.backend
client = _tests.client
chat_body = _tests.chat_body
free_port = _tests.free_port
parse_sse = _tests.parse_sse
run_backend = _tests.run_backend
user_message = _tests.user_message
wait_for_models = _tests.wait_for_models
# With the RAG part: each backend searches an empty index of its own (autouse).
if hasattr(_tests, "empty_rag_index"):
    empty_rag_index = _tests.empty_rag_index


@pytest.fixture(scope="session")
def upstream() -> Iterator[str]:
    """The scripted model server, base URL ending in /v1."""
    with _tests.scripted_server() as url:
        yield url
