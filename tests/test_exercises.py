"""Slow tier: each template's graded exercises (`include_exercises=true`) go red -> green.

One project per template, set up once: every exercise's check (`make exercise N`) must fail
until its solution from tests/exercise_solutions/ is applied, then pass. Solutions are applied in
order on the same project, as a learner would do them. The time of each check is printed.
`make test` of the project must not collect the checks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from test_projects import USER_ENV

from conftest import REAL_HOME, TEMPLATES

sys.path.insert(0, str(Path(__file__).parent / "exercise_solutions"))
from solve import exercises, solve  # noqa: E402

pytestmark = pytest.mark.workshop


def make(project: Path, *args: str, timeout: int) -> tuple[int, str, float]:
    env = {**os.environ, "HOME": REAL_HOME}  # the user's pip/npm caches
    env.pop("VIRTUAL_ENV", None)
    start = time.monotonic()
    proc = subprocess.run(
        ["make", *args],
        cwd=project,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
        timeout=timeout,
    )
    return proc.returncode, proc.stdout + proc.stderr, time.monotonic() - start


@pytest.fixture(scope="module", params=TEMPLATES)
def project(request):
    """A fresh project with exercises, `make setup` done (shared by the template's checks)."""
    from ai_eng.project import generate

    template = request.param
    folder = Path(tempfile.mkdtemp(prefix="ai-eng-exercises-"))
    folder.chmod(0o755)  # as root, the embedded Postgres runs as `pgserver`
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(folder / "home"))  # no bundle cache in the real HOME
        made = generate(
            template, folder / template, data={"include_exercises": True}, defaults=True
        )
    (made / ".env").write_text(USER_ENV[template])  # a user's .env must not change a check
    code, output, seconds = make(made, "setup", timeout=25 * 60)
    assert code == 0, f"make setup failed in {made}:\n{output[-4000:]}"
    print(f"\n[exercises] {template}: setup {seconds / 60:.1f} min")
    yield template, made
    shutil.rmtree(folder, ignore_errors=True)


def test_each_exercise_is_red_until_its_solution_is_applied(project, capsys) -> None:
    template, folder = project
    numbers = exercises(template)
    assert len(numbers) >= 3, f"{template}: {numbers}"
    statements = sorted(p.name for p in (folder / "exercises").glob("[0-9][0-9]-*.md"))
    assert [int(name[:2]) for name in statements] == numbers, statements
    for n in numbers:
        code, output, red_s = make(folder, "exercise", str(n), timeout=15 * 60)
        assert code != 0 and re.search(r"\d+ failed", output), (
            f"{template} exercise {n} is not red before its solution:\n{output[-4000:]}"
        )
        solve(template, n, folder)
        code, output, green_s = make(folder, "exercise", str(n), timeout=15 * 60)
        assert code == 0 and not re.search(r"\d+ (failed|error)", output), (
            f"{template} exercise {n} is not green with its solution:\n{output[-4000:]}"
        )
        with capsys.disabled():
            print(f"[exercises] {template} {n}: red {red_s:.0f}s, green {green_s:.0f}s")

    code, output, _ = make(folder, "exercise", "99", timeout=60)
    assert code != 0 and "No exercise '99'" in output


def test_make_test_does_not_collect_the_checks(project) -> None:
    template, folder = project
    tests = folder / ("backend" if template == "react-chat-ui" else "")
    python = folder / ("backend/.venv" if template == "react-chat-ui" else ".venv") / "bin/python"
    collected = subprocess.run(
        [python, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=tests,
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        timeout=600,
    )
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert "tests" in collected.stdout and "exercises" not in collected.stdout
