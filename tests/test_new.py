"""`ai-eng new`: every template and answer renders; bad input fails cleanly, leaving nothing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import ai_eng.answers
import ai_eng.project
import ai_eng.staging
from ai_eng.cli import app
from ai_eng.project import generate
from ai_eng.source import BUNDLE_SRC
from conftest import TEMPLATES, git

runner = CliRunner()


def _questions(template: str) -> dict[str, dict]:
    return ai_eng.answers.questions(template)


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
    # A version as `git describe` prints it (v0.2.0, v0.2.0-5-gabc1234), never a bare hash.
    assert re.fullmatch(r"v\d+\.\d+\.\d+(-\d+-g[0-9a-f]+)?", answers["_commit"])
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


def test_a_folder_named_like_a_module_gets_the_fix_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ai-eng new app`: the package name `app` (from the folder) would shadow a module; the
    one-line error names the fix, and the fix works."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "app", "-a", "data-pipeline", "--defaults"])
    assert result.exit_code == 1
    assert "would shadow a module" in result.output
    assert "-d package_name=my_app" in result.output
    assert list(tmp_path.iterdir()) == []
    fixed = runner.invoke(
        app, ["new", "app", "-a", "data-pipeline", "--defaults", "-d", "package_name=my_app"]
    )
    assert fixed.exit_code == 0, fixed.output
    assert (tmp_path / "app" / "src" / "my_app").is_dir()


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
    assert "You look like a researcher: local-model-notebook." in result.output
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


# ------------------------------------------------------------- new never hurts DEST


def _snapshot(root: Path) -> dict[str, object]:
    """Every path under root with its type, mode and content (what must not change)."""
    state: dict[str, object] = {".": (root.stat().st_ino, root.stat().st_mode)}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            state[rel] = ("link", os.readlink(path))
        elif path.is_dir():
            state[rel] = ("dir", path.stat().st_mode)
        else:
            state[rel] = ("file", path.stat().st_mode, path.read_bytes())
    return state


def _one_error(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    return lines[0]


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (lambda d: (d / "Makefile").mkdir() or (d / "Makefile" / "recipe.txt").write_text("x"),
         "Makefile/"),
        (lambda d: (d / "tests").write_text("my notes about tests"), "tests"),
    ],
    ids=["user-folder-vs-template-file", "user-file-vs-template-folder"],
)  # fmt: skip
def test_force_refuses_file_folder_collisions_and_changes_nothing(
    make, named: str, tmp_path: Path
) -> None:
    dest = tmp_path / "mine"
    dest.mkdir()
    (dest / "README.md").write_text("my readme")
    make(dest)
    before = _snapshot(dest)
    result = runner.invoke(app, ["new", str(dest), "-a", "rag-pipeline", "--defaults", "--force"])
    assert result.exit_code == 1
    error = _one_error(result.output)
    assert "has a file where the template has a folder, or the reverse" in error
    assert named in error and "nothing was written" in error
    assert _snapshot(dest) == before
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]


def test_force_lists_every_overwritten_file(tmp_path: Path) -> None:
    dest = tmp_path / "mine"
    (dest / "docs").mkdir(parents=True)
    (dest / "README.md").write_text("my readme")
    (dest / ".gitignore").write_text("mine\n")
    (dest / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["new", str(dest), "-a", "rag-pipeline", "--defaults", "--force"])
    assert result.exit_code == 0, result.output
    assert "--force overwrote 2 of your files:\n  .gitignore\n  README.md\n" in result.output
    assert (dest / "notes.txt").read_text() == "mine"
    assert (dest / "README.md").read_text() != "my readme"
    assert not [p for p in dest.iterdir() if p.name.startswith(".ai-eng-")]


def test_failure_after_rendering_leaves_dest_exactly_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while moving files in (fake: a rename failing midway) is rolled back."""
    dest = tmp_path / "mine"
    dest.mkdir()
    (dest / "README.md").write_text("my readme")
    (dest / "docs").mkdir()
    (dest / "docs" / "keep.md").write_text("mine")
    before = _snapshot(dest)
    real_rename, calls = os.rename, []

    def flaky_rename(src, dst) -> None:
        calls.append(dst)
        if len(calls) == 6:
            raise OSError(28, "No space left on device")
        real_rename(src, dst)

    monkeypatch.setattr(ai_eng.staging.os, "rename", flaky_rename)
    result = runner.invoke(app, ["new", str(dest), "-a", "rag-pipeline", "--defaults", "--force"])
    assert result.exit_code == 1
    assert "No space left on device" in _one_error(result.output)
    assert _snapshot(dest) == before


def test_new_dot_keeps_the_folder_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "here"
    dest.mkdir()
    dest.chmod(0o751)
    inode = dest.stat().st_ino
    monkeypatch.chdir(dest)
    result = runner.invoke(app, ["new", ".", "-a", "ux", "--defaults"])
    assert result.exit_code == 0, result.output
    assert dest.stat().st_ino == inode and dest.stat().st_mode & 0o777 == 0o751
    assert Path.cwd() == dest and (dest / ".copier-answers.yml").is_file()
    assert git(dest, "status", "--porcelain") == ""
    assert "cd " not in result.output  # already there


def test_new_folder_gets_copiers_mode(tmp_path: Path) -> None:
    dest = tmp_path / "fresh"
    result = runner.invoke(app, ["new", str(dest), "-a", "ux", "--defaults", "--no-git"])
    assert result.exit_code == 0, result.output
    umask = os.umask(0)
    os.umask(umask)
    assert dest.stat().st_mode & 0o777 == 0o777 & ~umask
    assert list(tmp_path.iterdir()) == [dest]


def test_no_dest_uses_the_slug_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = generate("ux", None, data={"project_name": "Acme Support Bot"}, defaults=True)
    assert path == tmp_path / "acme-support-bot"
    assert yaml.safe_load((path / ".copier-answers.yml").read_text())["project_slug"] == (
        "acme-support-bot"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["acme-support-bot"]


# ------------------------------------------------------------ one-line errors, exit 1

NEEDS_ROOT = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root and unshare"
)


def _cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None, prefix=()):
    return subprocess.run(
        [*prefix, sys.executable, "-m", "ai_eng", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=300,
    )


def _read_only(folder: Path, then_writable: Path | None = None) -> tuple[str, ...]:
    """A prefix that runs the command with `folder` mounted read-only (a real EROFS)."""
    script = f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}"'
    if then_writable is not None:
        script = f'mount --bind "{then_writable}" "{then_writable}" && {script}'
        script = script.replace(
            f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}"',
            f'mount -o remount,bind,ro "{folder}"',
        )
        script = f'mount --bind "{folder}" "{folder}" && {script}'
    return ("unshare", "-m", "sh", "-c", f'{script} && exec "$@"', "sh")


@NEEDS_ROOT
def test_read_only_dest_is_one_line(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    proc = _cli("new", str(ro / "proj"), "-a", "ux", "--defaults", prefix=_read_only(ro))
    assert proc.returncode == 1, proc.stderr
    assert "Read-only file system" in _one_error(proc.stderr)
    assert list(ro.iterdir()) == []


@NEEDS_ROOT
def test_existing_dest_works_when_only_dest_is_writable(tmp_path: Path) -> None:
    parent = tmp_path / "parent"
    dest = parent / "proj"
    dest.mkdir(parents=True)
    proc = _cli("new", str(dest), "-a", "ux", "--defaults", prefix=_read_only(parent, dest))
    assert proc.returncode == 0, proc.stderr
    assert (dest / ".copier-answers.yml").is_file()
    assert [p.name for p in parent.iterdir()] == ["proj"]


def test_no_git_on_path_is_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    proc = _cli("new", str(tmp_path / "p"), "-a", "ux", "--defaults", env={"PATH": str(empty)})
    assert proc.returncode == 1
    assert "git is not installed" in _one_error(proc.stderr)
    assert not (tmp_path / "p").exists()


def test_failing_git_commit_shows_gits_message(tmp_path: Path) -> None:
    config = tmp_path / "gitconfig"
    config.write_text("[commit]\n\tgpgsign = true\n[user]\n\tsigningkey = nobody@example.com\n")
    gnupg = tmp_path / "gnupg"
    gnupg.mkdir(mode=0o700)
    env = {"GIT_CONFIG_GLOBAL": str(config), "GNUPGHOME": str(gnupg)}
    proc = _cli("new", str(tmp_path / "p"), "-a", "ux", "--defaults", env=env)
    assert proc.returncode == 1
    error = _one_error(proc.stderr)
    assert "`git commit` failed:" in error and "gpg failed to sign the data" in error
    assert "--no-git" in error
    assert not (tmp_path / "p").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["gitconfig", "gnupg"]


def test_missing_git_identity_is_named(tmp_path: Path) -> None:
    config = tmp_path / "gitconfig"
    config.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_AUTHOR", "GIT_COMMITTER"))}
    env.update(GIT_CONFIG_GLOBAL=str(config), GIT_CONFIG_NOSYSTEM="1", EMAIL="")
    proc = subprocess.run(
        [sys.executable, "-m", "ai_eng", "new", str(tmp_path / "p"), "-a", "ux", "--defaults"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "no git identity configured: the initial commit is by ai-eng <ai-eng@localhost>" in (
        proc.stderr
    )
    assert git(tmp_path / "p", "log", "--format=%an <%ae>") == "ai-eng <ai-eng@localhost>"
