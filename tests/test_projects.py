"""Each template is proven by its own checks: generate it with defaults, then run the
generated project's `make setup && make test` (real models, Postgres, browser; minutes)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from ai_eng.project import generate
from conftest import REAL_HOME, TEMPLATES

pytestmark = pytest.mark.slow


def _make(project: Path, target: str, log: Path, timeout: int) -> None:
    env = {**os.environ, "HOME": REAL_HOME}  # the user's pip/npm caches, as a user would have
    env.pop("VIRTUAL_ENV", None)
    start = time.monotonic()
    with log.open("a") as out:
        proc = subprocess.run(
            ["make", target],
            cwd=project,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            timeout=timeout,
        )
    took = time.monotonic() - start
    print(f"{project.name}: make {target} took {took:.0f}s")
    if proc.returncode != 0:
        tail = "".join(log.read_text().splitlines(keepends=True)[-60:])
        pytest.fail(f"make {target} failed in {project} (exit {proc.returncode}):\n{tail}")


@pytest.fixture
def workdir():
    """A folder outside pytest's 0700 basetemp: as root, the embedded Postgres runs as a
    separate `pgserver` user that must reach the project's venv (and the generated
    project's own pytest resets /tmp/pytest-of-root to 0700 while it runs)."""
    path = Path(tempfile.mkdtemp(prefix="ai-eng-project-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.parametrize("template", TEMPLATES)
def test_generated_project_passes_its_own_tests(template: str, workdir: Path) -> None:
    project = generate(template, workdir / f"demo-{template}", defaults=True)
    log = workdir / "make.log"
    _make(project, "setup", log, timeout=20 * 60)
    _make(project, "test", log, timeout=20 * 60)
