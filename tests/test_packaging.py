"""The wheel carries the templates and their history, and works without the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import REPO, TEMPLATES


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("ai_eng-*.whl"))


def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "ai_eng/templates.bundle" in names
    assert "ai_eng/templates/copier.yml" in names
    for template in TEMPLATES:
        assert f"ai_eng/templates/{template}/template.toml" in names
    assert any(n.endswith("entry_points.txt") for n in names)
    assert not any("node_modules/" in n or "/.venv/" in n for n in names)


def test_installed_wheel_generates_from_its_bundle(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("AI_ENG_TEMPLATE_REPO", None)

    def ai_eng(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "from ai_eng.cli import main; main()", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )

    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import ai_eng.source as s; print(s.template_repo(), s.PACKAGED_BUNDLE)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert where == ["None", str(site / "ai_eng" / "templates.bundle")]
    listed = ai_eng("list")
    assert listed.returncode == 0 and all(t in listed.stdout for t in TEMPLATES)
    made = ai_eng("new", "proj", "-a", "ux", "--defaults")
    assert made.returncode == 0, made.stderr
    answers = yaml.safe_load((tmp_path / "proj" / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == "~/.cache/ai-eng/templates.bundle"
