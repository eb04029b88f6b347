"""Shared fixtures: a fresh HOME per test, and a temporary tagged copy of the templates."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REAL_HOME = os.environ.get("HOME", str(Path.home()))  # before the fixture below swaps it
TEMPLATES = sorted(p.parent.name for p in (REPO / "templates").glob("*/template.toml"))


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture(autouse=True)
def home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test runs with an empty HOME (no cached bundle) and a git identity."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var in ("GIT_AUTHOR", "GIT_COMMITTER"):
        monkeypatch.setenv(f"{var}_NAME", "Test User")
        monkeypatch.setenv(f"{var}_EMAIL", "test@example.com")
    monkeypatch.delenv("AI_ENG_TEMPLATE_REPO", raising=False)
    # A user runs a project's make from a shell; `make test` here would hand its level and flags
    # (jobserver, -n, -s) down to every make a test runs, changing what that make prints and does.
    for var in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS"):
        monkeypatch.delenv(var, raising=False)
    return home


def make_template_repo(repo: Path) -> Path:
    """A git copy of copier.yml + templates/ (as git would commit them, uncommitted edits
    included), tagged v1.0.0, at `repo`."""
    files = git(
        REPO,
        "ls-files",
        "--cached",
        "--others",
        "--exclude-standard",
        "-z",
        "--",
        "copier.yml",
        "templates",
    ).split("\0")
    for name in filter(None, files):
        if (REPO / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, repo / name)
    identity = {
        f"GIT_{who}_{key}": value
        for who in ("AUTHOR", "COMMITTER")
        for key, value in (("NAME", "Test User"), ("EMAIL", "test@example.com"))
    }
    env = {**identity, **os.environ}  # the `home` fixture's identity when it runs first
    for args in (
        ["init", "--quiet", "--initial-branch=main"],
        ["add", "--all"],
        ["commit", "--quiet", "-m", "template v1"],
        ["tag", "v1.0.0"],
    ):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)
    return repo


@pytest.fixture(scope="session")
def pristine_template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """make_template_repo once per test session (worker): tests copy it."""
    return make_template_repo(tmp_path_factory.mktemp("pristine") / "template-repo")


@pytest.fixture
def template_repo(
    pristine_template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A throwaway git copy of copier.yml + templates/ (as git would commit them), tagged
    v1.0.0, used as ai-eng's template source (a copy of the session's: same commits)."""
    repo = tmp_path / "template-repo"
    shutil.copytree(pristine_template_repo, repo, symlinks=True)
    monkeypatch.setenv("AI_ENG_TEMPLATE_REPO", str(repo))
    return repo


_MADE: dict[tuple[str, ...], tuple[Path, Path]] = {}


def new_project(dest: Path, *args: str) -> Path:
    """`ai-eng new DEST ARGS…` from the template_repo fixture's source (asserting it worked).
    Made once per session for each template version and ARGS, then copied (with the template
    bundle it leaves in HOME): the project many tests start from, without rendering it again."""
    from typer.testing import CliRunner

    from ai_eng.cli import app

    source = os.environ.get("AI_ENG_TEMPLATE_REPO")
    key = (git(Path(source), "rev-parse", "HEAD"), dest.name, *args) if source else None
    if key in _MADE:
        made, cache = _MADE[key]
        shutil.copytree(made, dest, symlinks=True)
        bundle = Path(os.environ["HOME"]) / ".cache" / "ai-eng"
        if not bundle.exists():
            shutil.copytree(cache, bundle)
        return dest
    result = CliRunner().invoke(app, ["new", str(dest), *args])
    assert result.exit_code == 0, result.output
    if key is not None:
        keep = Path(tempfile.mkdtemp(prefix="ai-eng-made-"))
        atexit.register(shutil.rmtree, keep, True)
        shutil.copytree(dest, keep / "project", symlinks=True)
        shutil.copytree(Path(os.environ["HOME"]) / ".cache" / "ai-eng", keep / "cache")
        _MADE[key] = (keep / "project", keep / "cache")
    return dest


def pytest_terminal_summary(terminalreporter) -> None:
    """The setup/test minutes the slow tests record (`record_property("timing", …)`), also
    from xdist workers, in one block at the end."""
    reports = [r for key in ("passed", "failed") for r in terminalreporter.stats.get(key, [])]
    lines = [
        value
        for r in reports
        if r.when == "call"
        for name, value in r.user_properties
        if name == "timing"
    ]
    if lines:
        terminalreporter.section("timings")
        for line in lines:
            terminalreporter.write_line(line)
