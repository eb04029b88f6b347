"""The platforms a kit serves (one record each) and pip downloads for any of them."""

from __future__ import annotations

import json
import platform
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: CPU-only torch (PyPI's Linux torch is the multi-GB CUDA build): `cpu_torch` platforms.
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


class KitError(Exception):
    """A user-facing failure: printed as one line, exit code 1."""


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;@]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


@dataclass(frozen=True)
class Platform:
    name: str  # linux-x86_64, macos-arm64, windows-x86_64
    tags: tuple[str, ...]  # pip --platform values
    system: str  # platform.system()
    machines: tuple[str, ...]  # platform.machine() values
    markers: tuple[tuple[str, str], ...]  # PEP 508 marker values there
    npm: tuple[str, str]  # npm's `os`/`cpu` names (for packages like @biomejs/cli-linux-x64)
    cpu_torch: bool = False  # PyPI's torch is the multi-GB CUDA build: fetch the CPU one first


PLATFORMS = {
    p.name: p
    for p in (
        Platform(
            "linux-x86_64",
            ("manylinux_2_28_x86_64", "manylinux2014_x86_64", "linux_x86_64"),
            "Linux",
            ("x86_64", "amd64"),
            (
                ("sys_platform", "linux"),
                ("platform_system", "Linux"),
                ("os_name", "posix"),
                ("platform_machine", "x86_64"),
            ),
            ("linux", "x64"),
            cpu_torch=True,
        ),
        Platform(
            "macos-arm64",
            ("macosx_14_0_arm64",),
            "Darwin",
            ("arm64", "aarch64"),
            (
                ("sys_platform", "darwin"),
                ("platform_system", "Darwin"),
                ("os_name", "posix"),
                ("platform_machine", "arm64"),
            ),
            ("darwin", "arm64"),
        ),
        Platform(
            "windows-x86_64",
            ("win_amd64",),
            "Windows",
            ("amd64", "x86_64"),
            (
                ("sys_platform", "win32"),
                ("platform_system", "Windows"),
                ("os_name", "nt"),
                ("platform_machine", "AMD64"),
            ),
            ("win32", "x64"),
        ),
    )
}

# pip evaluates dependency markers (`nvidia-nccl; platform_system == "Linux"`) for the machine it
# runs on, even with --platform (a long-standing pip limitation). For another platform, pip runs
# with its marker environment set to the target's: the one function packaging reads it from.
PIP_FOR_TARGET = """\
import json, sys
import pip._vendor.packaging.markers as markers
target = json.loads(sys.argv.pop(1))
here = markers.default_environment
markers.default_environment = lambda: {**here(), **target}
from pip._internal.cli.main import main
sys.exit(main())
"""


def this_platform() -> str | None:
    """The kit platform name of this machine, or None when the kit has no such platform."""
    machine = platform.machine().lower()
    for p in PLATFORMS.values():
        if platform.system() == p.system and machine in p.machines:
            return p.name
    return None


def pick_platforms(names: list[str]) -> list[str]:
    """The kit platforms `--platform` names (`all` for every one; none: this machine's)."""
    picked = []
    for name in names or [this_platform() or "linux-x86_64"]:
        if name == "all":
            picked += list(PLATFORMS)
        elif name in PLATFORMS:
            picked.append(name)
        else:
            raise KitError(f"unknown platform '{name}' (choose from: {', '.join(PLATFORMS)}, all)")
    return list(dict.fromkeys(picked))


def this_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


@dataclass
class Download:
    files: list[str]  # wheel file names this set uses
    missing: list[str]  # requirements the registry has no wheel for (for this platform)


_SAVED = re.compile(r"^\s*(?:Saved|File was already downloaded)\s+(\S+)", re.M)
_NOT_FOUND = re.compile(r"No matching distribution found for (\S+)")


def _pip(
    args: list[str], on_line: Callable[[str], None], markers: dict[str, str] | None = None
) -> tuple[int, str]:
    pip = ["-c", PIP_FOR_TARGET, json.dumps(markers)] if markers else ["-m", "pip"]
    proc = subprocess.Popen(
        [sys.executable, *pip, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    out = []
    assert proc.stdout is not None
    for line in proc.stdout:
        out.append(line)
        if line.startswith("Collecting "):
            on_line(line.split()[1])
    return proc.wait(), "".join(out)


def pip_download(
    requirements: list[str],
    dest: Path,
    plat: Platform,
    python: str,
    *,
    deps: bool = True,
    constraints: list[str] = (),
    on_line: Callable[[str], None] = lambda s: None,
) -> Download:
    """`pip download` wheels for `plat`/`python` into `dest`, under `constraints` (a lock's
    pins, as `make setup` installs with them); a requirement without a wheel there is reported
    (and the rest still downloaded) instead of failing the kit."""
    target = _target(plat, python)
    files: set[str] = set()
    missing: list[str] = []
    todo = list(requirements)
    while todo:
        with tempfile.TemporaryDirectory(prefix="ai-eng-kit-pip-") as tmp:
            req, lock = Path(tmp) / "requirements.txt", Path(tmp) / "constraints.txt"
            req.write_text("".join(f"{r}\n" for r in todo))
            lock.write_text("".join(f"{c}\n" for c in constraints))
            args = ["download", "--dest", str(dest), "--find-links", str(dest)]
            args += ["--only-binary=:all:", *target, "-r", str(req), "-c", str(lock)]
            args += [] if deps else ["--no-deps"]
            code, out = _pip(args, on_line, _markers(plat, python))
        files |= {Path(p).name for p in _SAVED.findall(out)}
        if code == 0:
            break
        lacking = _NOT_FOUND.search(out)
        if lacking is None:
            tail = " ".join(out.strip().splitlines()[-1:])
            raise KitError(f"pip download failed for {plat.name}, Python {python}: {tail}")
        name = _name(lacking.group(1))
        missing.append(lacking.group(1))
        top = [r for r in todo if _name(r) == name]
        if not top:  # a dependency of a dependency: the rest cannot be resolved either
            missing.append(f"(and what else depends on {name})")
            break
        todo = [r for r in todo if _name(r) != name]
    return Download(sorted(files), missing)


def _target(plat: Platform, python: str) -> list[str]:
    """pip's --platform/--python-version options; none for this very machine."""
    if plat.name == this_platform() and python == this_python():
        return []
    return [f"--platform={t}" for t in plat.tags] + [f"--python-version={python}"]


def _markers(plat: Platform, python: str) -> dict[str, str] | None:
    """The target's marker environment for pip; None for this very machine."""
    if plat.name == this_platform() and python == this_python():
        return None
    return {**dict(plat.markers), "python_version": python, "python_full_version": f"{python}.0"}


def _torch_cpu(
    pins: list[str],
    dest: Path,
    plat: Platform,
    python: str,
    index: str,
    on_line: Callable[[str], None],
) -> list[str]:
    """Fetch the CPU build of each torch pin (torch==2.13.0 -> torch-2.13.0+cpu-*.whl) first, so
    that the dependency resolution after it takes that one (2.13.0+cpu sorts above PyPI's
    2.13.0, whose Linux wheel is the multi-GB CUDA build)."""
    got = []
    for pin in pins:
        args = ["download", "--no-deps", "--only-binary=:all:", "--dest", str(dest)]
        args += _target(plat, python) + ["--retries", "1"]
        args += (["--extra-index-url", index] if index else []) + [pin.split("+")[0] + "+cpu"]
        code, out = _pip(args, on_line)
        names = [Path(p).name for p in _SAVED.findall(out)]
        if code or not names:
            raise KitError(
                f"no CPU build of {pin} for {plat.name}, Python {python} at "
                f"{index or 'the pip index'}; pass --torch-index URL (a PyTorch CPU wheel index) "
                "or put the wheel in pip's find-links"
            )
        got += names
    return got
