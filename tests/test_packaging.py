"""The wheel carries the templates and their history, and works without the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import REPO, TEMPLATES, git


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
    assert "ai_eng/copier.yml" in names
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


def test_a_clone_without_tags_still_bundles_the_releases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CI may clone without tags: the wheel's bundle (hatch_build) and a checkout's bundle
    (ai-eng run from it) still carry v0.1.0 and v0.2.0, from cli/ai_eng/releases.toml."""
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--no-tags", str(REPO), str(clone))
    assert git(clone, "tag", "--list") == ""
    sys.path.insert(0, str(REPO))
    try:
        import hatch_build
    finally:
        sys.path.remove(str(REPO))
    hatch_build.make_bundle(clone, tmp_path / "wheel.bundle", "9.9.9")
    heads = git(tmp_path, "bundle", "list-heads", "wheel.bundle")
    for tag in ("v0.1.0", "v0.2.0", "v9.9.9"):
        assert f"refs/tags/{tag}" in heads, heads
    assert git(clone, "tag", "--list") == ""  # the tags live only inside the bundle

    from ai_eng.source import ensure_bundle

    monkeypatch.setenv("AI_ENG_TEMPLATE_REPO", str(clone))
    bundle = Path(ensure_bundle()).expanduser()
    heads = git(tmp_path, "bundle", "list-heads", str(bundle))
    assert "refs/tags/v0.1.0" in heads and "refs/tags/v0.2.0" in heads, heads


# ------------------------------------------------------------------ the release path

CHANGE = "rag-pipeline: ignore scratch files"


def _set_version(repo: Path, version: str) -> None:
    init = repo / "cli" / "ai_eng" / "__init__.py"
    text = init.read_text()
    old = text.split('__version__ = "', 1)[1].split('"', 1)[0]
    init.write_text(text.replace(f'__version__ = "{old}"', f'__version__ = "{version}"'))


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of this checkout with history: v0.1.0 tagged, then a template change and the
    bump to 0.2.0 (not tagged yet: the build tags HEAD v0.2.0 inside the bundle)."""
    repo = tmp_path_factory.mktemp("origin")
    files = git(REPO, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for name in filter(None, files.split("\0")):
        if (REPO / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, repo / name)
    git(repo, "init", "--quiet", "--initial-branch=main")
    _set_version(repo, "0.1.0")
    changelog = repo / "templates" / "rag-pipeline" / "project" / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## [Unreleased]\n\n## [0.1.0]\n\nFirst release.\n")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "release 0.1.0")
    git(repo, "tag", "v0.1.0")
    gitignore = repo / "templates" / "rag-pipeline" / "project" / ".gitignore"
    gitignore.write_text(gitignore.read_text() + "scratch/\n")
    changelog.write_text(
        changelog.read_text().replace(
            "## [Unreleased]\n", f"## [Unreleased]\n\n## [0.2.0]\n### Changed\n- {CHANGE}\n"
        )
    )
    git(repo, "commit", "--quiet", "-am", CHANGE)
    _set_version(repo, "0.2.0")
    git(repo, "commit", "--quiet", "-am", "release 0.2.0")
    return repo


@pytest.fixture(scope="module")
def dist(origin: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m build` on a clean clone: an sdist and a wheel."""
    clone = tmp_path_factory.mktemp("clone") / "ai-eng"
    git(origin.parent, "clone", "--quiet", str(origin), str(clone))
    out = tmp_path_factory.mktemp("dist")
    build = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(clone)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    return out


def test_sdist_carries_the_bundle_with_tags(dist: Path) -> None:
    sdist = next(dist.glob("ai_eng-0.2.0.tar.gz"))
    with tarfile.open(sdist) as tar, tempfile.TemporaryDirectory() as tmp:
        names = tar.getnames()
        assert "ai_eng-0.2.0/templates.bundle" in names
        assert "ai_eng-0.2.0/templates/rag-pipeline/template.toml" in names
        tar.extract("ai_eng-0.2.0/templates.bundle", tmp, filter="data")
        heads = git(Path(tmp), "bundle", "list-heads", "ai_eng-0.2.0/templates.bundle")
    assert "refs/tags/v0.1.0" in heads and "refs/tags/v0.2.0" in heads


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sdist", "wheel"])
def test_installed_release_generates_old_version_and_updates_offline(
    dist: Path, kind: str, tmp_path: Path
) -> None:
    artifact = next(dist.glob("*.tar.gz" if kind == "sdist" else "*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", str(artifact)],
        capture_output=True,
        text=True,
    )
    assert pip.returncode == 0, pip.stderr
    home = tmp_path / "home"
    home.mkdir()
    offline = {v: "http://127.0.0.1:9" for v in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")}
    env = {**os.environ, **offline, "HOME": str(home), "GIT_ALLOW_PROTOCOL": "file"}
    env.pop("AI_ENG_TEMPLATE_REPO", None)

    def run(*cmd: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(venv / "bin" / cmd[0]), *cmd[1:]],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )

    assert run("ai-eng", "--version").stdout == "ai-eng 0.2.0\n"
    made = run("ai-eng", "new", "proj", "-a", "data-pipeline", "--defaults", "--vcs-ref", "v0.1.0")
    assert made.returncode == 0, made.stderr
    project = tmp_path / "proj"
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"] == "v0.1.0"
    assert "scratch/" not in (project / ".gitignore").read_text()

    updated = run("ai-eng", "update", "proj")
    assert updated.returncode == 0, updated.stderr
    assert "template 0.1.0 \u2192 0.2.0" in updated.stdout
    assert f"What changed in rag-pipeline:\n  0.2.0\n    Changed:\n      - {CHANGE}\n" in (
        updated.stdout
    )
    assert "scratch/" in (project / ".gitignore").read_text()

    # Plain Copier sees the same versions (no "No git tags found").
    plain = run(
        "copier", "copy", "--defaults", "-d", "template=rag-pipeline",
        "~/.cache/ai-eng/templates.bundle".replace("~", str(home)), "plain",
    )  # fmt: skip
    assert plain.returncode == 0, plain.stderr
    assert "Copying from template version 0.2.0" in plain.stderr
    assert "No git tags found" not in plain.stderr


def test_shallow_clone_refuses_with_a_clear_message(origin: Path, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "--quiet", "--depth", "1", f"file://{origin}", str(shallow))
    build = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path), str(shallow)],
        capture_output=True,
        text=True,
    )
    assert build.returncode != 0
    assert "this is a shallow git clone" in build.stdout + build.stderr
    assert "git fetch --unshallow --tags" in build.stdout + build.stderr
    assert not list(tmp_path.glob("*.whl")) and not list(tmp_path.glob("*.tar.gz"))
