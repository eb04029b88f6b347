"""Upgrade steps that need no install (fast tier): what an update leaves in a user's project."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from copier import run_copy

from conftest import make_template_repo

MODEL = "smollm2-135m-instruct"


def git(project: Path, *args: str) -> str:
    env = {
        **os.environ,
        **{
            f"GIT_{w}_{k}": v
            for w in ("AUTHOR", "COMMITTER")
            for k, v in (("NAME", "T"), ("EMAIL", "t@e"))
        },
    }
    return subprocess.run(
        ["git", *args], cwd=project, env=env, check=True, capture_output=True, text=True
    ).stdout


def test_rag_model_converted_by_0_1_stays_ignored_and_is_moved_not_converted_again(
    tmp_path: Path,
) -> None:
    """0.1.0 kept the 517 MB converted model in .models/; 0.2.0 ignored /models/ only, so the old
    folder showed up as new files (`git add -A` committed it) and setup converted a second copy."""
    source = make_template_repo(tmp_path / "template-repo")
    project = tmp_path / "rag"
    run_copy(
        str(source),
        project,
        data={"template": "rag-pipeline"},
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    old = project / ".models" / MODEL
    old.mkdir(parents=True)
    (old / "config.json").write_text("{}")
    with open(old / "model.safetensors", "wb") as weights:  # over 10 MB, sparse
        weights.truncate(11 * 2**20)
    assert git(project, "status", "--porcelain", "--untracked-files=all") == ""

    (project / ".venv" / "bin").mkdir(parents=True)
    (project / ".venv" / ".installed").touch()  # installed; only the model step runs
    # `rag prepare` then exports the embedding model and finds SmolLM2 converted (not what this
    # test is about, and it needs the install): here it only says it ran.
    rag = project / ".venv" / "bin" / "rag"
    rag.write_text('#!/bin/sh\necho rag "$@"\n')
    rag.chmod(0o755)
    make = subprocess.run(
        ["make", f"models/{MODEL}/config.json"], cwd=project, capture_output=True, text=True
    )
    assert make.returncode == 0, make.stderr
    assert "moving the model 0.1.0 converted from .models to models/" in make.stdout
    assert make.stdout.rstrip().endswith("rag prepare")  # after the move: nothing to convert
    assert (project / "models" / MODEL / "model.safetensors").stat().st_size == 11 * 2**20
    assert not (project / ".models").exists()
    assert git(project, "status", "--porcelain", "--untracked-files=all") == ""


def fake_wheel(folder: Path, name: str, version: str) -> Path:
    """A newer release of a dependency, as a package index would offer it tomorrow."""
    import zipfile

    dist = f"{name.replace('-', '_')}-{version}"
    wheel = folder / f"{dist}-py3-none-any.whl"
    files = {
        f"{dist}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}.dist-info/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    files[f"{dist}.dist-info/RECORD"] = (
        "".join(f"{path},,\n" for path in files) + f"{dist}.dist-info/RECORD,,\n"
    )
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


@pytest.mark.slow
def test_chat_reinstall_installs_the_same_versions_when_the_index_has_newer_ones(
    tmp_path: Path,
) -> None:
    """`make setup` twice, a newer annotated-types (pydantic's unpinned dependency) published in
    between: the second install has exactly the first one's versions (backend/requirements.lock)."""
    source = make_template_repo(tmp_path / "template-repo")
    project = tmp_path / "chat"
    answers = {
        "template": "react-chat-ui",
        "llm_provider": "openai-compatible",
        "include_e2e": False,
    }
    run_copy(str(source), project, data=answers, defaults=True, unsafe=True, quiet=True)
    venv, target = project / "backend" / ".venv", "backend/.venv/.installed"

    def install(env: dict[str, str]) -> str:
        make = subprocess.run(
            ["make", target], cwd=project, env=env, capture_output=True, text=True
        )
        assert make.returncode == 0, make.stderr
        return subprocess.run(
            [venv / "bin" / "pip", "freeze", "--exclude-editable"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    first = install(dict(os.environ))
    assert "annotated-types==" in first
    tomorrow = tmp_path / "index"
    tomorrow.mkdir()
    fake_wheel(tomorrow, "annotated-types", "99.0.0")
    links = " ".join(filter(None, [str(tomorrow), os.environ.get("PIP_FIND_LINKS", "/opt/wheels")]))
    subprocess.run(["rm", "-rf", str(venv)], check=True)
    second = install({**os.environ, "PIP_FIND_LINKS": links})
    assert second == first
