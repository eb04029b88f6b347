"""The variant matrix: each template's most code-changing non-default answers, and the
notebook's defaults, each generated fresh and proven by its own `make setup && make test` (real
models, Postgres, browser; offline; minutes). Every project gets a filled-in `.env` with
non-default values first: a user's `.env` must not change what the project's own tests see.

The RAG and chat defaults are proven together, with the network off, as the composed project
built from an offline workshop kit (tests/test_kit.py). Where a variant includes the graded
exercises, each goes red, gets its solution (tests/exercise_solutions/), and goes green; the
project's `make test` passing while the checks are red proves it does not collect them.

Each project's setup, test and grading times are printed in one block at the end of the run.
The pip and npm caches in the real HOME are shared between variants, as they would be on a
user's machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from ai_eng.project import generate
from conftest import REAL_HOME

sys.path.insert(0, str(Path(__file__).parent / "exercise_solutions"))
from solve import exercises, solve  # noqa: E402

pytestmark = pytest.mark.slow

VARIANTS = [
    (
        "rag-pipeline",
        {
            "llm_provider": "openai-compatible",
            "embedding_provider": "openai-compatible",
            "include_serve": False,
        },
    ),
    (
        "react-chat-ui",
        {"llm_provider": "openai-compatible", "persistence": "postgres", "include_e2e": False},
    ),
    ("local-model-notebook", {"include_exercises": True}),
    (
        "local-model-notebook",
        {"backends": ["transformers", "ollama"], "include_finetune": False, "include_dspy": True},
    ),
]

# What a user might have put in .env: other providers, servers that are not there, other limits.
# (The chat's LLM_PROVIDER stays as answered: it decides whether setup installs the local model.)
USER_ENV = {
    "rag-pipeline": """\
DATABASE_URL=postgresql://nobody:nothing@127.0.0.1:9/none
EMBEDDING_PROVIDER=openai-compatible
EMBEDDING_BASE_URL=http://127.0.0.1:9/v1
EMBEDDING_MODEL=my-embedder
LLM_PROVIDER=ollama
LLM_BASE_URL=http://127.0.0.1:9/v1
LLM_MODEL=my-model
LLM_API_KEY=sk-user
OLLAMA_HOST=gpu-box
CHUNK_TOKENS=40
TOP_K=1
""",
    "react-chat-ui": """\
LLM_BASE_URL=http://127.0.0.1:9/v1
LLM_MODEL=my-model
LLM_API_KEY=sk-user
LLM_TIMEOUT=3
MAX_MESSAGE_CHARS=10
MAX_HISTORY_MESSAGES=2
DATABASE_URL=postgresql://nobody:nothing@127.0.0.1:9/none
CORS_ORIGINS=http://example.com
OLLAMA_HOST=gpu-box
""",
    "local-model-notebook": """\
BACKENDS=["ollama"]
HF_MODEL=HuggingFaceTB/SmolLM2-360M-Instruct
DEVICE=cpu
SEED=7
OLLAMA_HOST=gpu-box
LLM_BASE_URL=http://127.0.0.1:9/v1
LLM_MODEL=my-model
LLM_API_KEY=sk-user
""",
}


def variant_id(variant: tuple[str, dict]) -> str:
    template, answers = variant
    return f"{template}:" + (",".join(f"{k}={v}" for k, v in answers.items()) or "defaults")


def run_make(
    project: Path, *args: str, log: Path, timeout: int, env: dict | None = None, offline=False
) -> tuple[int, str, float]:
    """`make ARGS` in `project`, appending to `log`: exit code, this call's output, seconds.
    `offline`: in a network namespace of its own with only loopback (root's `unshare -n`)."""
    env = env or {**os.environ, "HOME": REAL_HOME}  # the user's pip/npm caches, as a user has
    env = {k: v for k, v in env.items() if k != "VIRTUAL_ENV"}
    command = ["make", *args]
    if offline:
        command = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "-", *command]
    start = time.monotonic()
    proc = subprocess.run(
        command,
        cwd=project,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
        timeout=timeout,
    )
    output = proc.stdout + proc.stderr
    with log.open("a") as out:
        out.write(f"$ {' '.join(command)}  # in {project}\n{output}")
    return proc.returncode, output, time.monotonic() - start


def make(project: Path, target: str, log: Path, timeout: int, **kwargs) -> float:
    """`make TARGET`, which must pass; returns its seconds."""
    code, output, seconds = run_make(project, target, log=log, timeout=timeout, **kwargs)
    if code != 0:
        tail = "".join(output.splitlines(keepends=True)[-60:])
        pytest.fail(f"make {target} failed in {project} (exit {code}):\n{tail}")
    return seconds


def grade_exercises(template: str, project: Path, log: Path, **kwargs) -> list[str]:
    """Each exercise's check (`make exercise N`) red, its solution applied, then green, in order
    on the same project as a learner does them; returns a timing line per exercise."""
    numbers = exercises(template)
    assert len(numbers) >= 3, f"{template}: {numbers}"
    statements = sorted(p.name for p in (project / "exercises").glob("[0-9][0-9]-*.md"))
    assert [int(name[:2]) for name in statements] == numbers, statements
    lines = []
    for n in numbers:
        code, output, red = run_make(project, "exercise", str(n), log=log, timeout=900, **kwargs)
        assert code != 0 and re.search(r"\d+ failed", output), (
            f"{template} exercise {n} is not red before its solution:\n{output[-4000:]}"
        )
        solve(template, n, project)
        code, output, green = run_make(project, "exercise", str(n), log=log, timeout=900, **kwargs)
        assert code == 0 and not re.search(r"\d+ (failed|error)", output), (
            f"{template} exercise {n} is not green with its solution:\n{output[-4000:]}"
        )
        lines.append(f"{template} exercise {n}: red {red:.0f} s, green {green:.0f} s")
    code, output, _ = run_make(project, "exercise", "99", log=log, timeout=60, **kwargs)
    assert code != 0 and "No exercise '99'" in output, output[-2000:]
    return lines


@pytest.fixture
def workdir():
    """A folder outside pytest's 0700 basetemp: as root, the embedded Postgres runs as a
    separate `pgserver` user that must reach the project's venv (and the generated
    project's own pytest resets /tmp/pytest-of-root to 0700 while it runs)."""
    path = Path(tempfile.mkdtemp(prefix="ai-eng-project-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
def test_generated_project_passes_its_own_tests(variant, workdir: Path, record_property) -> None:
    template, answers = variant
    project = generate(template, workdir / f"demo-{template}", data=answers, defaults=True)
    (project / ".env").write_text(USER_ENV[template])
    log = workdir / "make.log"
    setup = make(project, "setup", log, timeout=25 * 60)
    test = make(project, "test", log, timeout=20 * 60)
    minutes = f"setup {setup / 60:.1f} min, test {test / 60:.1f} min"
    record_property("timing", f"{variant_id(variant)}: {minutes}")
    if answers.get("include_exercises"):
        for line in grade_exercises(template, project, log):
            record_property("timing", f"  {line}")
