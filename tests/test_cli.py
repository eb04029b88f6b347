"""The command line itself: help, version, list, doctor, the quiz, argument errors."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from typer.testing import CliRunner

from ai_eng import __version__
from ai_eng.cli import app
from ai_eng.quiz import QUESTIONS, recommend
from conftest import TEMPLATES

runner = CliRunner()


def test_help_lists_commands_without_importing_copier() -> None:
    code = (
        "import sys; from ai_eng.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('copier', 'yaml', 'jinja2', 'pydantic') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    for command in ("new", "list", "update", "doctor"):
        assert command in out.stdout
    assert "HEAVY []" in out.stdout


@pytest.mark.parametrize("command", ["new", "list", "update", "doctor"])
def test_every_command_has_help_with_examples(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
    assert f"ai-eng {command}" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"ai-eng {__version__}"


def test_list_shows_every_template_with_archetype_and_needs() -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0
    assert len(TEMPLATES) == 3
    for name in TEMPLATES:
        assert name in result.output
    for archetype, label in (("data-pipeline", "Data Pipeline"), ("ux", "UX"), (R, "Researcher")):
        assert f"[{archetype}] {label}" in result.output
    assert result.output.count("needs: ") == 3
    for folder, archetype in (("my-rag", D), ("my-chat", U), ("my-model-lab", R)):
        assert f"new: ai-eng new {folder} -a {archetype}" in result.output


D, U, R = "data-pipeline", "ux", "researcher"


@pytest.mark.parametrize(
    ("picks", "expected"),
    [
        ([D, D, D, D], D),
        ([U, U, U, U], U),
        ([R, R, R, R], R),
        ([R, D, D, R], R),  # 2-2 tie: the first question decides
        ([U, D, D, D], D),  # majority wins over the first answer
    ],
)
def test_quiz_recommendation(picks: list[str], expected: str) -> None:
    assert recommend(picks) == expected


def test_quiz_has_three_to_five_questions_and_every_template_answers_each() -> None:
    from ai_eng.catalog import list_templates

    assert 3 <= len(QUESTIONS) <= 5
    for t in list_templates():
        assert len(t.quiz) == len(QUESTIONS), t.name


def test_unknown_archetype_is_one_line_error() -> None:
    result = runner.invoke(app, ["new", "x", "-a", "wizard", "--defaults"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: unknown archetype or template 'wizard' (choose from: data-pipeline, "
        "local-model-notebook, rag-pipeline, react-chat-ui, researcher, ux)"
    ]


def test_bad_data_pair_is_rejected(tmp_path) -> None:
    result = runner.invoke(app, ["new", str(tmp_path / "p"), "-a", "ux", "-d", "oops"])
    assert result.exit_code == 1
    assert "--data expects KEY=VALUE, got 'oops'" in result.output
    assert not (tmp_path / "p").exists()


def test_doctor_reports_missing_node_for_ux(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    # A PATH with git and python but no node/npm.
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("git",):
        real = subprocess.run(["which", tool], capture_output=True, text=True).stdout.strip()
        (bindir / tool).symlink_to(real)
    monkeypatch.setenv("PATH", str(bindir))
    result = runner.invoke(app, ["doctor", "-a", "ux"])
    assert result.exit_code == 1
    assert "MISS Node.js >= 20" in result.output
    assert "fix: install Node 20+" in result.output


class _Version(BaseHTTPRequestHandler):
    """Answers like Ollama's GET /api/version (Ollama itself can't be installed here)."""

    def do_GET(self) -> None:  # noqa: N802
        body = json.dumps({"version": "0.9.9"}).encode()
        self.send_response(200 if self.path == "/api/version" else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_doctor_detects_ollama_via_ollama_host(monkeypatch: pytest.MonkeyPatch) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Version)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{server.server_port}")
        result = runner.invoke(app, ["doctor", "-a", "researcher"])
    finally:
        server.shutdown()
    line = next(ln for ln in result.output.splitlines() if "Ollama" in ln)
    assert line.startswith("ok") and "0.9.9" in line


def test_doctor_says_when_ollama_is_not_running(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")
    result = runner.invoke(app, ["doctor", "-a", "researcher"])
    line = next(ln for ln in result.output.splitlines() if "Ollama" in ln)
    assert line.startswith("--") and "127.0.0.1:9" in line


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("projct_name=Acme", "'projct_name' is not a question of rag-pipeline (did you mean "
         "'project_name'?)"),
        ("include_serve=maybe", "question 'include_serve' expects true or false, got 'maybe'"),
        ("llm_provider=gpt", "question 'llm_provider' expects one of local, ollama, "
         "openai-compatible; got 'gpt'"),
        ("persistence=sqlite", "'persistence' is not a question of rag-pipeline"),
    ],
)  # fmt: skip
def test_unknown_or_ill_typed_answers_name_the_question(
    answer: str, message: str, tmp_path
) -> None:
    dest = tmp_path / "p"
    result = runner.invoke(
        app, ["new", str(dest), "-a", "rag-pipeline", "--defaults", "-d", answer]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"error: {message}"]
    assert not dest.exists()


def test_typed_answers_are_accepted(tmp_path) -> None:
    import yaml

    dest = tmp_path / "p"
    result = runner.invoke(
        app, ["new", str(dest), "-a", "rag-pipeline", "--defaults", "--no-git", "-d",
              "include_serve=no"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((dest / ".copier-answers.yml").read_text())["include_serve"] is False


def _pty_run(args: list[str], cwd, steps: list[tuple[str, bytes]], timeout: float = 60.0):
    """Run `python -m ai_eng ARGS` on a real terminal; at each (text seen, keys) step send the
    keys once `text` has appeared. Returns (exit status, everything printed)."""
    import os
    import pty
    import select
    import signal
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: a session leader whose controlling terminal is the pty
        # Ctrl-C as at a terminal: a background CI job may have inherited SIGINT ignored, and
        # then Python installs no KeyboardInterrupt handler.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.chdir(cwd)
        os.execv(sys.executable, [sys.executable, "-m", "ai_eng", *args])
    seen, deadline = b"", time.monotonic() + timeout
    steps = list(steps)
    try:
        while time.monotonic() < deadline:
            if steps and steps[0][0].encode() in seen:
                os.write(fd, steps.pop(0)[1])
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
                if b"\x1b[6n" in chunk:  # prompt_toolkit asks where the cursor is
                    os.write(fd, b"\x1b[1;1R")
    finally:
        if time.monotonic() >= deadline:  # still waiting for input: stop it
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


def test_ctrl_c_in_the_quiz_exits_130(tmp_path) -> None:
    code, out = _pty_run(["new"], tmp_path, [("your answer", b"\x03")])
    assert code == 130, out
    assert "interrupted; nothing was written" in out and "Aborted" not in out
    assert list(tmp_path.iterdir()) == []


def test_quiz_accepts_names_and_the_folder_follows_the_slug_answer(tmp_path) -> None:
    steps = [("1. ", b"ux\r"), ("2. ", b"ux\r"), ("3. ", b"2\r"), ("4. ", b"ux\r")]
    steps += [("Use this template?", b"y\r"), ("project name", b"\x15Acme Support Bot\r")]
    # Every later question: its default (Enter). Copier pre-fills text answers (Ctrl-U clears).
    later = (
        "Folder and",
        "Python import",
        "One-line",
        "LLM",
        "docker-compose",
        "stored",
        "Playw",
        "workshop exercises",
    )
    steps += [(q, b"\r") for q in later]
    code, out = _pty_run(["new", "--no-git"], tmp_path, steps)
    assert code == 0, out
    assert "You look like a UX engineer: react-chat-ui." in out
    assert [p.name for p in tmp_path.iterdir()] == ["acme-support-bot"]
    assert (tmp_path / "acme-support-bot" / ".copier-answers.yml").is_file()


FOURTH = """archetype = "evaluator"
label = "Evaluator"
persona = "an evaluator"
order = 4
summary = "An evaluation harness for LLM apps"
needs = ["Python 3.11+"]
commands = ["make eval", "make test"]
why = "you improve AI by measuring it first."
quiz = ["Measure it first", "Benchmarks and leaderboards", "Win rate", "A spreadsheet"]

[defaults]
project_name = "My Evals"
description = "Evals for my app"
"""


def test_a_fourth_template_needs_nothing_but_its_folder(
    template_repo, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    from conftest import git

    folder = template_repo / "templates" / "eval-harness"
    (folder / "project").mkdir(parents=True)
    (folder / "template.toml").write_text(FOURTH)
    (folder / "questions.yml").write_text(
        "metric:\n  type: str\n  help: Main metric\n"
        "  when: \"{{ template == 'eval-harness' }}\"\n  default: accuracy\n"
    )
    readme = folder / "project" / "README.md.jinja"
    readme.write_text("# {{ project_name }}\n\n{{ description }}; metric: {{ metric }}\n")
    answers = "{{_copier_conf.answers_file}}.jinja"
    (folder / "project" / answers).write_text(
        (template_repo / "templates" / "rag-pipeline" / "project" / answers).read_text()
    )
    git(template_repo, "add", "--all")
    git(template_repo, "commit", "--quiet", "-m", "eval-harness: a fourth template")
    git(template_repo, "tag", "v1.1.0")
    touched = git(template_repo, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert touched and all(p.startswith("templates/eval-harness/") for p in touched)

    listed = runner.invoke(app, ["list"])
    assert "eval-harness  [evaluator] Evaluator" in listed.output
    assert "new: ai-eng new my-evals -a evaluator" in listed.output

    monkeypatch.chdir(tmp_path)
    made = runner.invoke(app, ["new", "-a", "evaluator", "--defaults"])
    assert made.exit_code == 0, made.output
    project = tmp_path / "my-evals"
    assert (project / "README.md").read_text() == (
        "# My Evals\n\nEvals for my app; metric: accuracy\n"
    )
    assert "make eval" in made.output

    monkeypatch.setattr("ai_eng.cli._interactive", lambda: True)
    quizzed = runner.invoke(app, ["new", "quizzed", "--defaults"], input="4\n4\n4\n4\ny\n")
    assert quizzed.exit_code == 0, quizzed.output
    assert "You look like an evaluator: eval-harness." in quizzed.output
    assert (
        yaml.safe_load((tmp_path / "quizzed" / ".copier-answers.yml").read_text())["template"]
        == "eval-harness"
    )
    monkeypatch.setattr("ai_eng.cli._interactive", lambda: False)

    doctor = runner.invoke(app, ["doctor", "-a", "evaluator"])
    assert doctor.exception is None or isinstance(doctor.exception, SystemExit), doctor.output
    assert "Python >= 3.11" in doctor.output and "Template history" in doctor.output

    readme.write_text(readme.read_text() + "\nRun `make eval`.\n")
    (folder / "project" / "CHANGELOG.md").write_text(
        "# Changelog\n\n## [1.2.0]\n### Changed\n- The README says how to run the evals.\n"
    )
    git(template_repo, "add", "--all")
    git(template_repo, "commit", "--quiet", "-m", "eval-harness: say how to run")
    git(template_repo, "tag", "v1.2.0")
    updated = runner.invoke(app, ["update", str(project)])
    assert updated.exit_code == 0, updated.output
    assert "template 1.1.0 \u2192 1.2.0" in updated.output
    assert (
        "What changed in eval-harness:\n  1.2.0\n    Changed:\n"
        "      - The README says how to run the evals.\n"
    ) in updated.output
    assert (project / "README.md").read_text().endswith("Run `make eval`.\n")
