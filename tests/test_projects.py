"""The variant matrix: each template's defaults plus the non-default answers that change the most
code, each generated fresh and proven by its own `make setup && make test` (real models,
Postgres, browser; offline; minutes), and the chat composed with the RAG pipeline. Every
project gets a filled-in `.env` with non-default values first: a user's `.env` must not change
what the project's own tests see.

Each project's setup and test time is printed as it finishes. The pip and npm caches in the
real HOME are shared between variants, as they would be on a user's machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from ai_eng.project import generate
from conftest import REAL_HOME

pytestmark = pytest.mark.slow

VARIANTS = [
    ("rag-pipeline", {}),
    (
        "rag-pipeline",
        {
            "llm_provider": "openai-compatible",
            "embedding_provider": "openai-compatible",
            "include_serve": False,
        },
    ),
    ("react-chat-ui", {}),
    (
        "react-chat-ui",
        {"llm_provider": "openai-compatible", "persistence": "postgres", "include_e2e": False},
    ),
    ("local-model-notebook", {}),
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


def _make(project: Path, target: str, log: Path, timeout: int) -> float:
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
    if proc.returncode != 0:
        tail = "".join(log.read_text().splitlines(keepends=True)[-60:])
        pytest.fail(f"make {target} failed in {project} (exit {proc.returncode}):\n{tail}")
    return time.monotonic() - start


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
def test_generated_project_passes_its_own_tests(variant, workdir: Path, capsys) -> None:
    template, answers = variant
    project = generate(template, workdir / f"demo-{template}", data=answers, defaults=True)
    (project / ".env").write_text(USER_ENV[template])
    log = workdir / "make.log"
    setup = _make(project, "setup", log, timeout=25 * 60)
    test = _make(project, "test", log, timeout=20 * 60)
    minutes = f"setup {setup / 60:.1f} min, test {test / 60:.1f} min"
    with capsys.disabled():
        print(f"\n[matrix] {variant_id(variant)}: {minutes}")


def test_composed_project_passes_its_own_tests(workdir: Path, capsys) -> None:
    """`ai-eng new my-app -a ux --with rag-pipeline --defaults`: the root's `make setup` and
    `make test` cover both parts (the chat at the root, the RAG pipeline in rag/)."""
    project = generate("react-chat-ui", workdir / "my-app", defaults=True, with_="rag-pipeline")
    (project / ".env").write_text(USER_ENV["react-chat-ui"])
    (project / "rag" / ".env").write_text(USER_ENV["rag-pipeline"])
    log = workdir / "make.log"
    setup = _make(project, "setup", log, timeout=35 * 60)
    test = _make(project, "test", log, timeout=30 * 60)
    assert (project / "rag" / ".venv" / "bin" / "rag").is_file()  # the part was set up too
    with capsys.disabled():
        print(
            f"\n[matrix] react-chat-ui --with rag-pipeline: "
            f"setup {setup / 60:.1f} min, test {test / 60:.1f} min"
        )
