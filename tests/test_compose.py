"""`ai-eng add`, `ai-eng new --with` and `ai-eng update` of a project holding two templates:
the chat at the root and the RAG pipeline in rag/ (or the reverse, the chat in chat/)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from ai_eng.cli import app
from conftest import REPO, git, make_template_repo, new_project
from test_templates import expected_tree

runner = CliRunner()


def _new(dest: Path, archetype: str, *more: str) -> Path:
    return new_project(dest, "-a", archetype, "--defaults", *more)


def _answers(path: Path) -> dict:
    return yaml.safe_load((path / ".copier-answers.yml").read_text())


def _files(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (the parent of a project: staging leftovers show up too)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and ".git" not in p.parts
    }


def _make(project: Path, *args: str) -> str:
    """What `make` prints in `project` (no variables from the tests' own make)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    done = subprocess.run(["make", *args], cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _make_n(project: Path, target: str) -> str:
    """The commands `make <target>` would run in `project`, its parts' included."""
    return _make(project, "-n", target)


def _release(repo: Path, tag: str, change) -> None:
    change(repo)
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", f"template {tag}")
    git(repo, "tag", tag)


# --- new --with: one project, two parts, one commit -----------------------------------------


def test_new_with_renders_both_parts_exactly_in_one_commit(
    template_repo: Path, tmp_path: Path
) -> None:
    project = _new(tmp_path / "my-app", "ux", "--with", "rag-pipeline")
    chat = expected_tree("react-chat-ui", {"rag_dir": "rag"})
    rag = expected_tree("rag-pipeline", {"chat_dir": ".."})
    rag = {f"rag/{name}" for name in rag}
    # The rag part renders a package of its own: the project's package name, then its folder.
    rag = {name.replace("src/my_rag/", "src/my_app_rag/") for name in rag}
    assert _files(project) == chat | rag
    # Every file is committed: neither part's .gitignore hides a file of the other.
    assert set(git(project, "ls-files").splitlines()) == chat | rag
    assert git(project, "log", "--format=%s").splitlines() == ["Initial commit from ai-eng"]
    for name in _files(project):  # no Jinja left (GitHub Actions' ${{ }} is not Jinja)
        text = (project / name).read_bytes().decode("utf-8", errors="replace")
        assert re.search(r"(?<!\$)\{\{|\{%", text) is None, name
    root, part = _answers(project), _answers(project / "rag")
    assert (root["template"], root["rag_dir"]) == ("react-chat-ui", "rag")
    assert (part["template"], part["chat_dir"]) == ("rag-pipeline", "..")
    for shared in ("project_name", "project_slug", "description", "llm_provider"):
        assert part[shared] == root[shared], shared
    assert (root["package_name"], part["package_name"]) == ("my_app", "my_app_rag")
    # The composed root (parts.mk): make setup and make test run the part too; ingest reaches it.
    runs_in_rag = (("setup", "rag prepare"), ("test", "bin/pytest"), ("ingest", "rag ingest"))
    for target, runs in runs_in_rag:
        assert runs in _make_n(project, target), target
    readme = (project / "README.md").read_text()
    assert "make setup && make ingest && make dev" in readme and "rag/.env" in readme
    assert "rag/pyproject.toml" in (project / ".github/workflows/ci.yml").read_text()
    assert "one part of the project in `..`" in (project / "rag/README.md").read_text()


def test_new_with_and_add_reach_the_same_files(template_repo: Path, tmp_path: Path) -> None:
    """`new --with` takes `add`'s own path (render the part, update the project's part with
    the hidden answer): byte for byte the same project."""
    together = _new(tmp_path / "together" / "my-app", "ux", "--with", "rag-pipeline")
    later = _new(tmp_path / "later" / "my-app", "ux")
    added = runner.invoke(app, ["add", "rag-pipeline", "--project", str(later), "--defaults"])
    assert added.exit_code == 0, added.output
    assert _snapshot(together) == _snapshot(later)


def test_new_with_chat_in_a_rag_project(template_repo: Path, tmp_path: Path) -> None:
    project = _new(tmp_path / "docs-app", "data-pipeline", "--with", "ux")
    assert _answers(project)["chat_dir"] == "chat"
    assert _answers(project / "chat")["rag_dir"] == ".."
    runs_in_chat = (("setup", "npm --prefix frontend ci"), ("test", "npm --prefix frontend test"))
    for target, runs in runs_in_chat:
        assert runs in _make_n(project, target), target
    dev = _make_n(project, "dev")  # the chat, not the rag part's own dev
    assert "uvicorn app.main:app" in dev and "rag serve" not in dev
    assert "Run the chat app (chat/)" in _make(project, "help")
    ci = (project / ".github/workflows/ci.yml").read_text()
    assert "actions/setup-node" in ci and "chat/frontend/package-lock.json" in ci
    assert 'extend-exclude = ["chat"]' in (project / "pyproject.toml").read_text()
    assert set(git(project, "ls-files").splitlines()) == _files(project)


def test_the_hidden_answers_are_not_given_by_hand(tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", str(tmp_path / "x"), "-a", "ux", "-d", "rag_dir=rag"])
    assert result.exit_code == 1
    assert "'rag_dir' is set by `ai-eng add` and `ai-eng new --with`, not by hand" in result.output
    assert list(tmp_path.iterdir()) == []


def test_new_with_a_template_that_does_not_compose_writes_nothing(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["new", str(tmp_path / "x"), "-a", "ux", "--with", "local-model-notebook"]
    )
    assert result.exit_code == 1
    assert "local-model-notebook cannot be added to a react-chat-ui project" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


# --- add ---------------------------------------------------------------------------------------


def test_add_rag_to_a_chat_project_keeps_edits_and_tells_the_chat(
    template_repo: Path, tmp_path: Path
) -> None:
    project = _new(tmp_path / "my-app", "ux")
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nMy own notes.\n")
    git(project, "commit", "--quiet", "-am", "my notes")
    result = runner.invoke(app, ["add", "rag-pipeline", "--project", str(project), "--defaults"])
    assert result.exit_code == 0, result.output
    assert f"Added rag-pipeline 1.0.0 in {project / 'rag'}." in result.output
    assert "Changed files" in result.output and "  Makefile\n" in result.output
    # Every file add wrote is listed: the whole rag part, and what is new in the chat's part.
    assert "New files (" in result.output
    listed = set()
    for line in result.output.split("New files (", 1)[1].splitlines()[1:]:
        if not line.startswith("  "):
            break
        listed.add(line.strip())
    new = set(git(project, "ls-files", "--others", "--exclude-standard").splitlines())
    assert listed == new and "rag/Makefile" in new
    assert _answers(project)["rag_dir"] == "rag"
    assert _answers(project / "rag")["chat_dir"] == ".."
    assert _answers(project / "rag")["project_name"] == "my-app"
    assert readme.read_text().endswith("\nMy own notes.\n")  # a normal 3-way update
    assert "## Two parts: a chat app and its RAG pipeline" in readme.read_text()
    assert "-C rag test" in _make_n(project, "test")
    assert (project / "rag/Makefile").is_file() and (project / "rag/src/my_app_rag").is_dir()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".ai-eng-add-")]
    assert git(project, "log", "--format=%s").splitlines()[0] == "my notes"  # nothing committed


def test_add_from_inside_the_project(
    template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _new(tmp_path / "my-rag", "data-pipeline")
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["add", "ux", "-d", "persistence=postgres", "--defaults"])
    assert result.exit_code == 0, result.output
    assert _answers(project / "chat")["persistence"] == "postgres"
    assert _answers(project)["chat_dir"] == "chat"


@pytest.mark.parametrize(
    ("setup", "add", "message"),
    [
        ("plain", "rag-pipeline", "has no .copier-answers.yml"),
        ("chat", "local-model-notebook", "local-model-notebook cannot be added"),
        ("chat", "ux", "already holds react-chat-ui"),
        ("composed", "rag-pipeline", "already holds rag-pipeline (in rag/)"),
        ("part", "ux", "already holds react-chat-ui (in ../)"),
        ("folder", "rag-pipeline", "rag already exists; move it away"),
        ("dirty", "rag-pipeline", "has uncommitted changes; commit or stash them, then add"),
        ("foreign", "rag-pipeline", "was not generated by ai-eng"),
        ("chat", "nope", "unknown archetype or template 'nope'"),
    ],
)
def test_add_refuses_in_one_line_and_writes_nothing(
    template_repo: Path, tmp_path: Path, setup: str, add: str, message: str
) -> None:
    project = tmp_path / "p"
    if setup == "plain":
        project.mkdir()
    elif setup in ("composed", "part"):
        _new(project, "ux", "--with", "rag-pipeline")
    else:
        _new(project, "ux")
    if setup == "folder":
        (project / "rag").mkdir()
        (project / "rag" / "mine.txt").write_text("mine\n")
    if setup == "dirty":
        (project / "README.md").write_text("uncommitted\n")
    if setup == "foreign":
        answers = project / ".copier-answers.yml"
        answers.write_text(answers.read_text().replace("~/.cache/ai-eng", "gh:someone/else"))
        git(project, "commit", "--quiet", "-am", "another source")
    before = _snapshot(tmp_path)
    where = project / "rag" if setup == "part" else project
    result = runner.invoke(app, ["add", add, "--project", str(where), "--defaults"])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert _snapshot(tmp_path) == before


def test_add_without_answers_and_terminal_names_them(template_repo: Path, tmp_path: Path) -> None:
    project = _new(tmp_path / "p", "ux")
    result = runner.invoke(app, ["add", "rag-pipeline", "--project", str(project)])
    assert result.exit_code == 1
    assert "missing answers (no terminal to ask): include_docker_compose, embedding_provider" in (
        result.output
    )
    assert git(project, "status", "--porcelain") == "" and not (project / "rag").exists()


def test_a_failing_update_of_the_project_leaves_it_as_it_was(
    template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Copier fails after the part is rendered (here: the bundle's history is gone): the
    project's own files, the new folder and the staging folder are all undone."""
    from ai_eng import compose
    from ai_eng.errors import AiEngError

    project = _new(tmp_path / "p", "ux")
    head = git(project, "rev-parse", "HEAD")
    before = _snapshot(tmp_path)
    real = compose.run_update

    def update_then_fail(path, *args, **kwargs):
        real(path, *args, **kwargs)  # the project's own files are now changed
        raise AiEngError("simulated failure after the update")

    monkeypatch.setattr(compose, "run_update", update_then_fail)
    result = runner.invoke(app, ["add", "rag-pipeline", "--project", str(project), "--defaults"])
    assert result.exit_code == 1
    assert "simulated failure" in result.output
    assert _snapshot(tmp_path) == before
    assert git(project, "status", "--porcelain") == "" and git(project, "rev-parse", "HEAD") == head


# --- update: every part, from an older version ---------------------------------------------


def _v2(repo: Path) -> None:
    for name in ("rag-pipeline", "react-chat-ui"):
        gi = repo / "templates" / name / "project" / ".gitignore"
        gi.write_text(gi.read_text() + f"# added to {name} in v2\n")
        (repo / "templates" / name / "project" / "NEW_IN_V2.md").write_text(f"# {name} v2\n")


def test_add_at_an_older_version_then_update_both_parts_keeps_edits(
    template_repo: Path, tmp_path: Path
) -> None:
    _release(template_repo, "v2.0.0", _v2)
    project = _new(tmp_path / "my-app", "ux", "--vcs-ref", "v1.0.0")
    result = runner.invoke(app, ["add", "rag-pipeline", "--project", str(project), "--defaults"])
    assert result.exit_code == 0, result.output
    assert _answers(project / "rag")["_commit"] == "v1.0.0"  # the project's own version
    for part in (project, project / "rag"):
        readme = part / "README.md"
        readme.write_text(readme.read_text() + f"\nNotes on {part.name}.\n")
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "-m", "add rag, my notes")

    result = runner.invoke(app, ["update", str(project), "--pretend"])
    assert result.exit_code == 0, result.output
    assert f"Pretend: updating {project} (react-chat-ui), template 1.0.0 \u2192 2.0.0" in (
        result.output
    )
    assert f"Pretend: updating {project / 'rag'} (rag-pipeline), template 1.0.0" in result.output
    assert git(project, "status", "--porcelain") == ""

    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"Updated {project} (react-chat-ui): template 1.0.0 \u2192 2.0.0." in out
    assert f"Updated {project / 'rag'} (rag-pipeline): template 1.0.0 \u2192 2.0.0." in out
    # Files are listed under their part.
    chat_block, rag_block = out.split(f"Updated {project / 'rag'}")
    assert "New files (1):\n  NEW_IN_V2.md\n" in chat_block
    assert "New files (1):\n  rag/NEW_IN_V2.md\n" in rag_block
    assert "Changed files (1):\n  rag/.gitignore\n" in rag_block
    for part, name in ((project, "react-chat-ui"), (project / "rag", "rag-pipeline")):
        assert _answers(part)["_commit"] == "v2.0.0"
        assert f"# added to {name} in v2" in (part / ".gitignore").read_text()
        assert (part / "README.md").read_text().endswith(f"\nNotes on {part.name}.\n")
    assert _answers(project)["rag_dir"] == "rag"  # the hidden answer survives the update
    assert _answers(project / "rag")["chat_dir"] == ".."
    assert "## Two parts" in (project / "README.md").read_text()


def test_conflicts_in_both_parts_are_listed_per_part(template_repo: Path, tmp_path: Path) -> None:
    """Copier marks the first part's conflicts as unmerged in the index; the second part's
    update still runs, and both keep their marks (what `git status` and editors show)."""
    project = _new(tmp_path / "my-app", "ux", "--with", "rag-pipeline")
    firsts = {}
    for part in (project, project / "rag"):
        gi = part / ".gitignore"
        firsts[part] = gi.read_text().splitlines()[0]
        gi.write_text(gi.read_text().replace(firsts[part], "# mine", 1))
    git(project, "commit", "--quiet", "-am", "my first lines")

    def change(repo: Path) -> None:
        for name, first in (
            ("react-chat-ui", firsts[project]),
            ("rag-pipeline", firsts[project / "rag"]),
        ):
            gi = repo / "templates" / name / "project" / ".gitignore"
            gi.write_text(gi.read_text().replace(first, "# the template's", 1))

    _release(template_repo, "v2.0.0", change)
    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 0, result.output
    chat_block, rag_block = result.output.split(f"Updated {project / 'rag'}")
    assert "Conflicts (1):\n  .gitignore\n" in chat_block
    assert "Conflicts (1):\n  rag/.gitignore\n" in rag_block
    unmerged = set(git(project, "diff", "--name-only", "--diff-filter=U").splitlines())
    assert unmerged == {".gitignore", "rag/.gitignore"}
    for part in (project, project / "rag"):
        assert "<<<<<<< before updating" in (part / ".gitignore").read_text()


# --- a composed project made by ai-eng 0.3.0 ---------------------------------------------------


def _repo_030_then_this(repo: Path) -> None:
    """A template repo holding 0.3.0's templates (tagged v0.3.0), then this checkout's (v0.4.0)."""
    releases = tomllib.loads((REPO / "cli/ai_eng/releases.toml").read_text())["releases"]
    repo.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", releases["0.3.0"], "copier.yml", "templates"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(repo)], input=archive, check=True)
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "0.3.0")
    git(repo, "tag", "v0.3.0")
    current = make_template_repo(repo.with_name("current"))
    for name in ("copier.yml", "templates"):
        shutil.rmtree(repo / name, ignore_errors=True)
        (repo / name).unlink(missing_ok=True)
        shutil.move(current / name, repo / name)
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "this checkout")
    git(repo, "tag", "v0.4.0")


def test_a_composed_project_from_0_3_0_updates_to_one_root_keeping_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """0.3.0 wrote the root's targets for the rag part into the chat's Makefile; they now live in
    parts.mk. An update brings that with no conflict where the user edited other lines, and the
    rag part keeps the package name 0.3.0 gave it (the chat's)."""
    _repo_030_then_this(tmp_path / "template-repo")
    monkeypatch.setenv("AI_ENG_TEMPLATE_REPO", str(tmp_path / "template-repo"))
    # 0.3.0 gave both parts the chat's package name: -d package_name does the same here.
    project = _new(tmp_path / "my-app", "ux", "--with", "rag-pipeline", "--vcs-ref", "v0.3.0",
                   "-d", "package_name=my_app")  # fmt: skip
    assert "\t$(MAKE) -C rag test\n" in (project / "Makefile").read_text()  # 0.3.0's layout
    assert not (project / "parts.mk").exists()
    with (project / "Makefile").open("a") as makefile:
        makefile.write("\nhello: ## my own target\n\techo hello\n")
    with (project / "README.md").open("a") as readme:
        readme.write("\nMy notes.\n")
    git(project, "commit", "--quiet", "-am", "my target, my notes")

    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 0, result.output
    assert "Conflicts" not in result.output
    assert "New files (1):\n  parts.mk\n" in result.output
    makefile = (project / "Makefile").read_text()
    assert "$(MAKE) -C rag" not in makefile.replace("$(MAKE) -C rag ingest", "")
    assert makefile.endswith("\nhello: ## my own target\n\techo hello\n")
    assert (project / "README.md").read_text().endswith("\nMy notes.\n")
    assert "## Two parts: a chat app and its RAG pipeline" in (project / "README.md").read_text()
    assert _answers(project / "rag")["package_name"] == "my_app"  # never renamed under the user
    assert (project / "rag/src/my_app/retrieval.py").is_file()
    # The same targets as before: setup and test run both parts.
    assert "rag prepare" in _make_n(project, "setup")
    assert "-C rag test" in _make_n(project, "test")
    assert "echo hello" in _make_n(project, "hello")


def test_update_of_a_single_part_project_is_unchanged(template_repo: Path, tmp_path: Path) -> None:
    project = _new(tmp_path / "p", "data-pipeline")
    # A folder holding someone else's answers file is not a part.
    (project / "vendor").mkdir()
    (project / "vendor" / ".copier-answers.yml").write_text("_src_path: gh:someone/else\n")
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "-m", "vendor")
    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 0, result.output
    assert result.output == f"{project} is up to date with template 1.0.0; nothing to change.\n"
    assert os.listdir(project / "vendor") == [".copier-answers.yml"]
