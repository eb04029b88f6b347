"""`ai-eng new`: every template and answer renders; bad input fails cleanly, leaving nothing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import ai_eng.project
from ai_eng.cli import app
from ai_eng.project import generate
from ai_eng.source import BUNDLE_SRC
from conftest import TEMPLATES, git

runner = CliRunner()


def _questions(template: str) -> dict[str, dict]:
    return ai_eng.project._questions(template)


def _choice_values(template: str) -> list[tuple[str, object]]:
    """(question, value) for every choice and bool of the questions this template asks."""
    pairs: list[tuple[str, object]] = []
    asked = set(ai_eng.project.missing_answers(template, {"template": template}))
    for name, spec in _questions(template).items():
        if name not in asked:
            continue
        if spec.get("multiselect"):
            choices = spec["choices"]
            values = list(choices.values()) if isinstance(choices, dict) else list(choices)
            pairs += [(name, [v]) for v in values]
        elif "choices" in spec:
            choices = spec["choices"]
            values = list(choices.values()) if isinstance(choices, dict) else list(choices)
            pairs += [(name, v) for v in values]
        elif spec.get("type") == "bool":
            pairs += [(name, True), (name, False)]
    return pairs


CASES = [pytest.param(t, q, v, id=f"{t}-{q}={v}") for t in TEMPLATES for q, v in _choice_values(t)]
JINJA_LEFT = re.compile(r"\{\{\s*_?copier|\{%-?\s*(if|for|endif|endfor|raw)\b")


def _rendered_ok(project: Path, template: str) -> None:
    names = [n for n in _questions(template) if n != "template"]
    left = re.compile(r"\{\{-?\s*(" + "|".join(map(re.escape, names)) + r")\b")
    for path in project.rglob("*"):
        rel = path.relative_to(project)
        if ".git" in rel.parts:
            continue
        assert ".jinja" not in path.name and "{{" not in path.name and "{%" not in path.name, rel
        if path.is_file() and path.stat().st_size < 2_000_000:
            try:
                text = path.read_text()
            except UnicodeDecodeError:
                continue
            assert not left.search(text), f"unrendered answer in {rel}"
            assert not JINJA_LEFT.search(text), f"unrendered Jinja in {rel}"


@pytest.mark.parametrize("template", TEMPLATES)
def test_generates_with_defaults(template: str, tmp_path: Path) -> None:
    dest = tmp_path / "my-project"
    result = runner.invoke(app, ["new", str(dest), "-a", template, "--defaults"])
    assert result.exit_code == 0, result.output
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == BUNDLE_SRC  # never a machine-specific path
    assert answers["_commit"]
    assert answers["template"] == template
    assert answers["project_name"] == "my-project"  # taken from DEST
    for required in ("README.md", "Makefile", ".gitignore", ".github/workflows/ci.yml"):
        assert (dest / required).is_file(), required
    assert git(dest, "log", "--format=%s") == "Initial commit from ai-eng"
    assert git(dest, "status", "--porcelain") == ""
    _rendered_ok(dest, template)
    # The closing lines are the generated README's two commands.
    from ai_eng.catalog import find_template

    commands = find_template(template).commands
    assert len(commands) == 2
    readme = (dest / "README.md").read_text()
    for command in commands:
        assert command in result.output
        assert command in readme


@pytest.mark.parametrize(("template", "question", "value"), CASES)
def test_generates_each_choice(template: str, question: str, value: object, tmp_path: Path) -> None:
    dest = tmp_path / "p"
    generate(template, dest, data={question: value}, defaults=True, git=False)
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers[question] == value
    _rendered_ok(dest, template)
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--quiet", "."],
        cwd=dest,
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("project_name=9lives", "Validation error for question 'project_name'"),
        ("project_slug=My_Slug", "Validation error for question 'project_slug'"),
        ("package_name=my-pkg", "Validation error for question 'package_name'"),
        ("package_name=json", "would shadow a module"),
    ],
)
def test_bad_names_are_rejected(answer: str, message: str, tmp_path: Path) -> None:
    dest = tmp_path / "p"
    result = runner.invoke(app, ["new", str(dest), "-a", "ux", "--defaults", "-d", answer])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0]
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == []  # no temp folder left behind


def test_no_tty_and_missing_answers_fails_fast_naming_them(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": os.environ["HOME"]}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ai_eng",
            "new",
            str(tmp_path / "p"),
            "-a",
            "researcher",
            "-d",
            "project_name=Lab",
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 1
    assert "missing answers (no terminal to ask):" in proc.stderr
    assert "project_slug" in proc.stderr and "project_name" not in proc.stderr.split(":", 2)[2]
    assert not (tmp_path / "p").exists()


def test_no_tty_without_archetype_fails_fast(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ai_eng", "new", str(tmp_path / "p"), "--defaults"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "missing answers (no terminal to ask): archetype" in proc.stderr


def test_non_empty_dest_is_refused_and_untouched(tmp_path: Path) -> None:
    dest = tmp_path / "existing"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["new", str(dest), "-a", "ux", "--defaults"])
    assert result.exit_code == 1
    assert "is not empty (use --force" in result.output
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]


def test_force_writes_into_non_empty_dest_keeping_other_files(tmp_path: Path) -> None:
    dest = tmp_path / "existing"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["new", str(dest), "-a", "ux", "--defaults", "--force"])
    assert result.exit_code == 0, result.output
    assert (dest / "notes.txt").read_text() == "mine"
    assert (dest / ".copier-answers.yml").is_file()


def test_interrupt_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C in the middle of rendering: no project, no temp folder (fake: a real Ctrl-C
    can't be timed inside Copier from a test)."""
    import copier

    def interrupted_copy(src: str, dst: Path, **kwargs: object) -> None:
        Path(dst).mkdir(parents=True, exist_ok=True)  # as Copier does
        (Path(dst) / "half-written.txt").write_text("x")
        raise KeyboardInterrupt

    monkeypatch.setattr(copier, "run_copy", interrupted_copy)
    result = runner.invoke(app, ["new", str(tmp_path / "p"), "-a", "ux", "--defaults"])
    assert result.exit_code == 130
    assert "interrupted; nothing was written" in result.output
    assert list(tmp_path.iterdir()) == []


def test_data_file_answers(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text("project_name: Lab Notes\ninclude_finetune: false\n")
    dest = tmp_path / "out"
    result = runner.invoke(
        app, ["new", str(dest), "-a", "researcher", "--defaults", "--data-file", str(answers)]
    )
    assert result.exit_code == 0, result.output
    recorded = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert recorded["project_name"] == "Lab Notes"
    assert recorded["package_name"] == "lab_notes"


def test_quiz_picks_the_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ai_eng.cli._interactive", lambda: True)
    dest = tmp_path / "quizzed"
    # Four "models and algorithms" answers, accept the recommendation.
    result = runner.invoke(app, ["new", str(dest), "--defaults"], input="3\n3\n3\n3\ny\n")
    assert result.exit_code == 0, result.output
    assert "You look like a Researcher engineer: local-model-notebook." in result.output
    assert "Why: " in result.output
    assert yaml.safe_load((dest / ".copier-answers.yml").read_text())["template"] == (
        "local-model-notebook"
    )


def test_quiz_recommendation_can_be_overridden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ai_eng.cli._interactive", lambda: True)
    dest = tmp_path / "override"
    result = runner.invoke(app, ["new", str(dest), "--defaults"], input="1\n1\n1\n1\nn\n2\n")
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((dest / ".copier-answers.yml").read_text())["template"] == "react-chat-ui"


@pytest.mark.parametrize("template", TEMPLATES)
def test_plain_copier_copy_works_from_the_repo(template: str, copie) -> None:
    """The repo itself is a Copier template (pytest-copie renders it from the checkout)."""
    result = copie.copy(extra_answers={"template": template})
    assert result.exit_code == 0, result.exception
    assert result.answers["template"] == template
    _rendered_ok(result.project_dir, template)
