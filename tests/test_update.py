"""`ai-eng update` end to end: template version N -> N+1 keeps the user's edits, offline,
from a fresh HOME and a teammate's clone; conflicts are shown, never silently overwritten."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from ai_eng.cli import app
from ai_eng.project import UNDO
from conftest import git, new_project

runner = CliRunner()
TEMPLATE = "rag-pipeline"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to reach the network fails."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(var, "http://127.0.0.1:9")
    monkeypatch.setenv("GIT_ALLOW_PROTOCOL", "file")


def _source(repo: Path, name: str) -> Path:
    """The template file that renders project file `name` (with or without .jinja)."""
    base = repo / "templates" / TEMPLATE / "project"
    for candidate in (base / name, base / f"{name}.jinja"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(name)


def _release(repo: Path, tag: str, change) -> None:
    change(repo)
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", f"template {tag}")
    git(repo, "tag", tag)


def _new(dest: Path) -> Path:
    return new_project(dest, "-a", TEMPLATE, "--defaults")


def _append_line(repo: Path) -> None:
    gi = _source(repo, ".gitignore")
    gi.write_text(gi.read_text() + "# added in template v2\n")
    changelog = repo / "templates" / TEMPLATE / "project" / "CHANGELOG.md"
    changelog.write_text(changelog.read_text().replace("## [Unreleased]\n", CHANGELOG_V2))
    (repo / "templates" / TEMPLATE / "project" / "NEW_IN_V2.md").write_text("v2\n")


CHANGELOG_V2 = """## [Unreleased]

## [2.0.0] - 2026-12-01
### Upgrade notes
- Run `make setup` again: the ignore list changed.
### Added
- Scratch notes are ignored.
### Internal
- Not for users: refactored the tests.

## [1.0.0] - 2026-11-01
### Added
- Already in the project's version: never printed by this update.
"""


@pytest.mark.usefixtures("offline")
def test_update_brings_template_change_and_keeps_user_edit(
    template_repo: Path, tmp_path: Path
) -> None:
    project = _new(tmp_path / "proj")
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"] == "v1.0.0"
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nMy own notes.\n")
    git(project, "commit", "--quiet", "-am", "my notes")

    _release(template_repo, "v2.0.0", _append_line)
    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 0, result.output
    assert "template 1.0.0 \u2192 2.0.0" in result.output
    # The release notes of the versions crossed, upgrade notes first; never commit subjects.
    assert (
        "Upgrade notes: do these before you go on\n  2.0.0:\n"
        "    - Run `make setup` again: the ignore list changed.\n"
        f"What changed in {TEMPLATE}:\n  2.0.0\n    Added:\n      - Scratch notes are ignored.\n"
    ) in result.output
    assert "Internal" not in result.output and "Already in" not in result.output
    assert "template v2.0.0" not in result.output  # the commit's subject
    assert "New files (1):\n  NEW_IN_V2.md\n" in result.output
    assert "Changed files (2):\n  .gitignore\n  CHANGELOG.md\n" in result.output
    assert f"Undo the whole update: {UNDO}" in result.output
    assert "# added in template v2" in (project / ".gitignore").read_text()
    assert "## [2.0.0]" in (project / "CHANGELOG.md").read_text()
    assert readme.read_text().endswith("\nMy own notes.\n")
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"] == "v2.0.0"


@pytest.mark.usefixtures("offline")
@pytest.mark.parametrize("mode", ["inline", "rej"])
def test_conflicting_edit_is_a_conflict_not_an_overwrite(
    template_repo: Path, tmp_path: Path, mode: str
) -> None:
    project = _new(tmp_path / "proj")
    gi = project / ".gitignore"
    first = gi.read_text().splitlines()[0]
    gi.write_text(gi.read_text().replace(first, "# the user's own first line", 1))
    git(project, "commit", "--quiet", "-am", "my first line")

    def change_first_line(repo: Path) -> None:
        src = _source(repo, ".gitignore")
        src.write_text(src.read_text().replace(first, "# the template's new first line", 1))

    _release(template_repo, "v2.0.0", change_first_line)
    result = runner.invoke(app, ["update", str(project), "--conflict", mode])
    assert result.exit_code == 0, result.output
    text = gi.read_text()
    if mode == "inline":
        assert "Conflicts (1):\n  .gitignore\n" in result.output
        assert "<<<<<<< before updating" in text
        assert "# the user's own first line" in text and "# the template's new first line" in text
    else:  # Copier applies the template and keeps the user's rejected hunk beside it
        assert "Rejected changes (1):\n  .gitignore.rej\n" in result.output
        assert "Each file has the template's new version; its .rej holds your change" in (
            result.output
        )
        assert "# the template's new first line" in text
        assert "+# the user's own first line" in (project / ".gitignore.rej").read_text()
    # The undo recipe the output gives restores the project, conflicts and all.
    head = git(project, "rev-parse", "HEAD")
    undo = subprocess.run(UNDO, shell=True, cwd=project, capture_output=True, text=True)
    assert undo.returncode == 0, undo.stderr
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "rev-parse", "HEAD") == head
    assert gi.read_text().splitlines()[0] == "# the user's own first line"


def test_new_and_removed_files_are_listed_and_undo_restores(
    template_repo: Path, tmp_path: Path
) -> None:
    project = _new(tmp_path / "proj")
    removed = sorted(p.name for p in (project / "docs").iterdir())[0]
    head = git(project, "rev-parse", "HEAD")

    def add_and_remove(repo: Path) -> None:
        _append_line(repo)
        _source(repo, f"docs/{removed}").unlink()

    _release(template_repo, "v2.0.0", add_and_remove)
    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 0, result.output
    assert "New files (1):\n  NEW_IN_V2.md\n" in result.output
    assert f"Removed files (1):\n  docs/{removed}\n" in result.output
    subprocess.run(UNDO, shell=True, cwd=project, check=True)
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "rev-parse", "HEAD") == head
    assert (project / "docs" / removed).is_file() and not (project / "NEW_IN_V2.md").exists()


def test_nothing_to_update_says_so_without_hints(template_repo: Path, tmp_path: Path) -> None:
    project = _new(tmp_path / "proj")
    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 0, result.output
    assert "up to date with template 1.0.0; nothing to change." in result.output
    assert "git diff" not in result.output and "Undo" not in result.output
    assert git(project, "status", "--porcelain") == ""


def test_dirty_tree_is_refused(template_repo: Path, tmp_path: Path) -> None:
    project = _new(tmp_path / "proj")
    (project / "README.md").write_text("uncommitted")
    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 1
    assert "has uncommitted changes; commit or stash them" in result.output
    assert (project / "README.md").read_text() == "uncommitted"


def test_not_a_project_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["update", str(tmp_path)])
    assert result.exit_code == 1
    assert "no .copier-answers.yml" in result.output


def test_pretend_lists_changes_and_target_and_writes_nothing(
    template_repo: Path, tmp_path: Path
) -> None:
    project = _new(tmp_path / "proj")
    _release(template_repo, "v2.0.0", _append_line)
    result = runner.invoke(app, ["update", str(project), "--pretend"])
    assert result.exit_code == 0, result.output
    assert "Pretend: updating" in result.output and "template 1.0.0 \u2192 2.0.0" in result.output
    assert "New files (1):\n  NEW_IN_V2.md\n" in result.output
    assert "Changed files (2):\n  .gitignore\n  CHANGELOG.md\n" in result.output
    assert "Upgrade notes: do these before you go on" in result.output
    assert "Undo" not in result.output
    assert git(project, "status", "--porcelain") == ""
    assert not (project / "NEW_IN_V2.md").exists()


def test_vcs_ref_picks_a_version(template_repo: Path, tmp_path: Path) -> None:
    project = _new(tmp_path / "proj")
    _release(template_repo, "v2.0.0", _append_line)
    _release(
        template_repo,
        "v3.0.0",
        lambda r: (r / "templates" / TEMPLATE / "project" / "V3.md").write_text("3\n"),
    )
    result = runner.invoke(app, ["update", str(project), "--vcs-ref", "v2.0.0"])
    assert result.exit_code == 0, result.output
    assert (project / "NEW_IN_V2.md").is_file() and not (project / "V3.md").exists()


@pytest.mark.usefixtures("offline")
def test_teammate_clone_with_fresh_home_updates_offline(
    template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _new(tmp_path / "proj")
    _release(template_repo, "v2.0.0", _append_line)
    # Another machine: a clone of the project, a HOME that never saw ai-eng.
    clone = tmp_path / "teammate"
    git(tmp_path, "clone", "--quiet", str(project), str(clone))
    other_home = tmp_path / "other-home"
    other_home.mkdir()
    monkeypatch.setenv("HOME", str(other_home))
    result = runner.invoke(app, ["update", str(clone)])
    assert result.exit_code == 0, result.output
    assert (clone / "NEW_IN_V2.md").is_file()
    assert (other_home / ".cache" / "ai-eng" / "templates.bundle").is_file()


@pytest.mark.usefixtures("offline")
def test_plain_copier_update_works_once_ai_eng_has_run(template_repo: Path, tmp_path: Path) -> None:
    project = _new(tmp_path / "proj")
    _release(template_repo, "v2.0.0", _append_line)
    runner.invoke(app, ["doctor", "-a", "ux"])  # doctor (like new/update) refreshes the bundle
    copier = Path(sys.executable).with_name("copier")
    proc = subprocess.run(
        [str(copier), "update", "--defaults"],
        cwd=project,
        capture_output=True,
        text=True,
        env=dict(os.environ),
    )
    assert proc.returncode == 0, proc.stderr
    assert (project / "NEW_IN_V2.md").is_file()


def test_unknown_project_version_says_upgrade_ai_eng(template_repo: Path, tmp_path: Path) -> None:
    project = _new(tmp_path / "proj")
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("_commit: v1.0.0", "_commit: v9.9.9"))
    git(project, "commit", "--quiet", "-am", "from the future")
    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 1
    assert "template version 9.9.9, which this ai-eng does not know" in result.output


def test_versions_read_as_versions() -> None:
    """A project generated from a checkout records `git describe` (v0.2.0-5-gabc1234):
    update prints it as the development version it is, never a bare hash."""
    from ai_eng import __version__
    from ai_eng.versions import display_version

    assert display_version("v0.2.0") == "0.2.0"
    next_release = __version__.split(".dev")[0]
    assert display_version("v0.2.0-5-gabc1234") == f"{next_release}.dev5"
    assert display_version(f"v{next_release}-2-gabc1234") == f"{next_release}.post2"


def test_release_notes_with_only_upgrade_notes_print_no_empty_heading(capsys) -> None:
    from ai_eng.project_cli import print_notes
    from ai_eng.versions import UPGRADE, Release

    print_notes([Release("2.0.0", {UPGRADE: ["- Run `make setup` again."]})], TEMPLATE)
    shown = capsys.readouterr().out
    assert "2.0.0:\n    - Run `make setup` again.\n" in shown
    assert "What changed" not in shown  # a heading with nothing under it
