"""An offline kit for a workshop room: one folder with every wheel and npm package a starter
needs, so `make setup` in a generated project works with the network off.

    KIT/
      manifest.json   versions, sizes, sha256, platforms, what is missing where
      wheels/         ai-eng's wheel, its dependencies, each template's project dependencies
      npm-cache/      an npm cache holding every package of each front end's package-lock.json
      install.py      stdlib only: installs ai-eng from wheels/ with the network off

What a template's `make setup` installs is read from the rendered project's own Makefile (its
`pip install -e DIR[extras]` lines, `--no-deps NAME==VERSION` pins and `npm ci` lines) and
pyproject.toml files, so the kit follows the templates without a second list to keep in sync.
pip and npm do the downloading; pip, told `PIP_NO_INDEX=1 PIP_FIND_LINKS=KIT/wheels`, and npm,
told `npm_config_cache=KIT/npm-cache npm_config_offline=true`, do the installing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ai_eng import __version__
from ai_eng.kit_install import env_lines, kit_env  # noqa: F401  (re-exported)

MANIFEST = "manifest.json"
WHEELS = "wheels"
NPM_CACHE = "npm-cache"
INSTALLER = "install.py"
#: CPU-only torch for Linux (PyPI's Linux torch is the multi-GB CUDA build).
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


class KitError(Exception):
    """A user-facing failure: printed as one line, exit code 1."""


# ----------------------------------------------------------------------------- platforms


@dataclass(frozen=True)
class Platform:
    name: str  # linux-x86_64, macos-arm64, windows-x86_64
    tags: tuple[str, ...]  # pip --platform values
    system: str  # platform.system()
    machines: tuple[str, ...]  # platform.machine() values
    markers: tuple[tuple[str, str], ...]  # PEP 508 marker values there


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


def this_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


# ----------------------------------------------------------------------------- what setup needs


@dataclass
class Needs:
    """What a generated project's `make setup` installs."""

    requirements: list[str] = field(default_factory=list)  # pip, with dependencies
    no_deps: list[str] = field(default_factory=list)  # pip install --no-deps NAME==VERSION
    lockfiles: list[str] = field(default_factory=list)  # package-lock.json, relative


#: What a build backend's `get_requires_for_build_editable` hook adds to its build-system
#: requires for `pip install -e` (PEP 660); pip fetches these in its isolated build env too.
EDITABLE_REQUIRES = {"hatchling.build": ["editables~=0.3"]}

_EDITABLE = re.compile(r"""(?i)\bpip\b.*\binstall\b.*\s-e\s+["']?([^"'\s\[]*)(?:\[([^\]]*)\])?""")
_PIN = re.compile(r"(?<!\S)([A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.+!_-]+)(?!\S)")
_NPM_CI = re.compile(r"\bnpm\s+(?:--prefix\s+(\S+)\s+)?ci\b")


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;@]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


_RULE = re.compile(r"^([^\s:=#][^:=]*?)\s*:(?![=:])(.*)$")


def setup_recipes(makefile: str, goal: str = "setup") -> list[str]:
    """The recipe lines `make setup` can run: those of `setup` and of every target its
    prerequisites name, transitively (a prerequisite inside `$(if …)` counts: the kit then
    holds what either branch installs). Optional targets (`setup-llamacpp`) stay out."""
    rules: dict[str, tuple[str, list[str]]] = {}
    current: list[str] = []
    for line in makefile.splitlines():
        if line.startswith("\t"):
            for target in current:
                rules[target][1].append(line)
        elif m := _RULE.match(line):
            current = m.group(1).split()
            for target in current:
                rules[target] = (m.group(2).split("##")[0], [])
        elif line.strip() and not line.startswith("#"):
            current = []
    seen: list[str] = []
    todo = [goal]
    while todo:
        target = todo.pop()
        if target in seen or target not in rules:
            continue
        seen.append(target)
        prereqs = rules[target][0]
        todo += [t for t in rules if t not in seen and t in prereqs]
    return [line for target in seen for line in rules[target][1]]


def project_needs(project: Path) -> Needs:
    """Read what `make setup` installs from the project's Makefile and pyproject.toml files."""
    makefile = (project / "Makefile").read_text()
    needs = Needs(requirements=["pip"])  # setup may run `pip install --upgrade pip`
    seen: set[str] = set()

    def add(req: str) -> None:
        if req not in seen:
            seen.add(req)
            needs.requirements.append(req)

    for line in setup_recipes(makefile):
        if m := _EDITABLE.search(line):
            folder, extras = m.group(1) or ".", {e.strip() for e in (m.group(2) or "").split(",")}
            data = tomllib.loads((project / folder / "pyproject.toml").read_text())
            own = _name(data["project"]["name"])
            build = data.get("build-system", {})
            for req in build.get("requires", []) + EDITABLE_REQUIRES.get(
                build.get("build-backend"), []
            ):
                add(req)
            optional = data["project"].get("optional-dependencies", {})
            for req in data["project"].get("dependencies", []) + [
                r for extra in sorted(extras & optional.keys()) for r in optional[extra]
            ]:
                if _name(req) != own:
                    add(req)
        elif re.search(r"(?i)\bpip\b.*\binstall\b.*--no-deps", line):
            needs.no_deps += [p for p in _PIN.findall(line) if p not in needs.no_deps]
        if m := _NPM_CI.search(line):
            lock = Path(m.group(1) or ".") / "package-lock.json"
            if (project / lock).is_file() and str(lock) not in needs.lockfiles:
                needs.lockfiles.append(str(lock))
    # A pin installed --no-deps that is also a dependency (torch) comes with its dependencies.
    names = {_name(r) for r in needs.requirements}
    needs.no_deps = [p for p in needs.no_deps if _name(p) not in names]
    return needs


# ----------------------------------------------------------------------------- pip download


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
    on_line: Callable[[str], None] = lambda s: None,
) -> Download:
    """`pip download` wheels for `plat`/`python` into `dest`; a requirement without a wheel
    there is reported (and the rest still downloaded) instead of failing the kit."""
    target = _target(plat, python)
    files: set[str] = set()
    missing: list[str] = []
    todo = list(requirements)
    while todo:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as req:
            req.write("\n".join(todo) + "\n")
        try:
            args = ["download", "--dest", str(dest), "--find-links", str(dest)]
            args += ["--only-binary=:all:", *target, "-r", req.name]
            args += [] if deps else ["--no-deps"]
            code, out = _pip(args, on_line, _markers(plat, python))
        finally:
            os.unlink(req.name)
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


# ----------------------------------------------------------------------------- npm


def _integrity_path(cache: Path, integrity: str) -> Path:
    algo, _, digest = integrity.split()[0].partition("-")
    hexd = base64.b64decode(digest).hex()
    return cache / "_cacache" / "content-v2" / algo / hexd[:2] / hexd[2:4] / hexd[4:]


#: npm's `os`/`cpu` names of each kit platform (for packages like @biomejs/cli-linux-x64).
NPM_PLATFORM = {
    "linux-x86_64": ("linux", "x64"),
    "macos-arm64": ("darwin", "arm64"),
    "windows-x86_64": ("win32", "x64"),
}


def lock_packages(
    lockfile: Path, platforms: Iterable[str] | None = None
) -> list[tuple[str, str, str]]:
    """(name, version, integrity) of every registry package in a package-lock.json (v2/v3);
    with `platforms`, only the platform-specific ones (`os`/`cpu`) that one of them runs."""
    data = json.loads(lockfile.read_text())
    wanted = None if platforms is None else [NPM_PLATFORM[p] for p in platforms]
    found = []
    for path, meta in data.get("packages", {}).items():
        if not path or meta.get("link") or "integrity" not in meta:
            continue
        if (
            wanted is not None
            and ("os" in meta or "cpu" in meta)
            and not any(o in meta.get("os", [o]) and c in meta.get("cpu", [c]) for o, c in wanted)
        ):
            continue
        name = meta.get("name") or path.rsplit("node_modules/", 1)[-1]
        found.append((name, meta["version"], meta["integrity"]))
    return sorted(set(found))


def npm_missing(cache: Path, lockfile: Path, platforms: Iterable[str] | None = None) -> list[str]:
    """name@version of the lockfile's packages whose tarball is not in the npm cache."""
    return [
        f"{n}@{v}"
        for n, v, i in lock_packages(lockfile, platforms)
        if not _integrity_path(cache, i).is_file()
    ]


def _npm(args: list[str], cwd: Path, cache: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise KitError("npm is not installed; the kit's front-end packages need Node 20+ and npm")
    done = subprocess.run(
        [npm, *args, "--cache", str(cache), "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode:
        tail = " ".join((done.stderr or done.stdout).strip().splitlines()[-2:])
        raise KitError(f"npm {args[0]} failed in {cwd}: {tail}")


def fill_npm_cache(project_dir: Path, cache: Path, platforms: list[str]) -> int:
    """Put every package of the lockfile in `project_dir` into the npm cache: `npm ci` (what the
    project's setup runs, so the cache holds what an offline `npm ci` looks up), then
    `npm cache add` for what ci skipped: the other `platforms`' native packages (biome…)."""
    lock = project_dir / "package-lock.json"
    _npm(["ci", "--ignore-scripts"], project_dir, cache)
    shutil.rmtree(project_dir / "node_modules", ignore_errors=True)
    rest = npm_missing(cache, lock, platforms)
    for i in range(0, len(rest), 50):
        _npm(["cache", "add", *rest[i : i + 50]], project_dir, cache)
    return len(lock_packages(lock, platforms))


# ----------------------------------------------------------------------------- ai-eng's wheel


def build_own_wheel(dest: Path) -> Path:
    """ai-eng's wheel: built from the checkout it runs from, or re-packed from the install."""
    from ai_eng.source import template_repo

    repo = template_repo() or None
    if repo is not None and (repo / "pyproject.toml").is_file():
        with tempfile.TemporaryDirectory() as tmp:
            args = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", tmp]
            try:
                import hatchling  # noqa: F401

                args.append("--no-build-isolation")  # works offline; hatchling is here
            except ImportError:
                pass
            done = subprocess.run([*args, str(repo)], capture_output=True, text=True)
            if done.returncode:
                tail = " ".join(done.stderr.strip().splitlines()[-1:])
                raise KitError(f"building ai-eng's wheel from {repo} failed: {tail}")
            built = next(Path(tmp).glob("ai_eng-*.whl"))
            return Path(shutil.copy2(built, dest / built.name))
    return _repack_installed(dest)


def _repack_installed(dest: Path) -> Path:
    """Rebuild the installed ai-eng's wheel from its RECORD (the files pip installed)."""
    import zipfile
    from importlib import metadata

    dist = metadata.distribution("ai-eng")
    files = [f for f in dist.files or [] if not str(f).startswith("..")]
    info = next(str(f).split("/")[0] for f in files if str(f).endswith(".dist-info/WHEEL"))
    skip = {f"{info}/{n}" for n in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json")}
    wheel = dest / f"ai_eng-{__version__}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            name = str(f).replace(os.sep, "/")
            if name in skip or "__pycache__" in name:
                continue
            data = Path(f.locate()).read_bytes()
            zf.writestr(name, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{name},sha256={digest.decode()},{len(data)}")
        record.append(f"{info}/RECORD,,")
        zf.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return wheel


# ----------------------------------------------------------------------------- build


@dataclass
class Step:
    label: str
    run: Callable[[Callable[[str], None]], None]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _tree_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def render_needs(template: str, answers: dict[str, Any], keep: Path | None = None) -> Needs:
    """What the project `template` generates with `answers` (else defaults) installs; with
    `keep`, its package.json/package-lock.json pairs are copied there (same folders)."""
    from ai_eng.project import generate

    with tempfile.TemporaryDirectory(prefix="ai-eng-kit-") as tmp:
        project = generate(template, Path(tmp) / "p", data=answers, defaults=True, git=False)
        needs = project_needs(project)
        for lock in needs.lockfiles if keep else []:
            folder = (keep / lock).parent
            folder.mkdir(parents=True, exist_ok=True)
            for name in ("package.json", "package-lock.json"):
                shutil.copy2(project / Path(lock).parent / name, folder / name)
        return needs


def plan_build(
    kit: Path,
    templates: list[str],
    platforms: list[str],
    pythons: list[str],
    answers: dict[str, dict[str, Any]],
    work: Path,
    torch_index: str = TORCH_CPU_INDEX,
) -> tuple[list[Step], dict[str, Any]]:
    """The steps that fill `kit` and the manifest they fill in (written by `write_manifest`);
    `work` is a scratch folder that lives as long as the steps."""
    wheels = kit / WHEELS
    cache = kit / NPM_CACHE
    manifest: dict[str, Any] = {
        "ai_eng": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "platforms": platforms,
        "python": pythons,
        "templates": {},
        "sets": [],
        "npm": {},
    }
    own: dict[str, Path] = {}
    needs: dict[str, Needs] = {}
    steps: list[Step] = []

    def wheel_step(note: Callable[[str], None]) -> None:
        wheels.mkdir(parents=True, exist_ok=True)
        own["wheel"] = build_own_wheel(wheels)

    steps.append(Step("ai-eng: build its wheel", wheel_step))

    for name in templates:

        def render(note: Callable[[str], None], name: str = name) -> None:
            needs[name] = render_needs(name, answers.get(name, {}), keep=work / name)
            manifest["templates"][name] = {
                "answers": answers.get(name, {}),
                "requirements": needs[name].requirements,
                "no_deps": needs[name].no_deps,
                "npm_lockfiles": needs[name].lockfiles,
            }

        steps.append(Step(f"{name}: read what `make setup` installs", render))

    for plat in platforms:
        for py in pythons:

            def own_deps(note: Callable[[str], None], plat: str = plat, py: str = py) -> None:
                got = pip_download([str(own["wheel"])], wheels, PLATFORMS[plat], py, on_line=note)
                _record(manifest, "ai-eng", plat, py, got, [own["wheel"].name])

            steps.append(Step(f"ai-eng: wheels for {plat}, Python {py}", own_deps))
            for name in templates:

                def deps(
                    note: Callable[[str], None], name: str = name, plat: str = plat, py: str = py
                ) -> None:
                    n = needs[name]
                    extra: list[str] = []
                    if plat == "linux-x86_64":  # torch's CPU build first (see _torch_cpu)
                        torch = [r for r in n.requirements if _name(r) == "torch" and "==" in r]
                        try:
                            extra = _torch_cpu(
                                torch, wheels, PLATFORMS[plat], py, torch_index, note
                            )
                        except KitError as e:
                            if plat == this_platform() and py == this_python():
                                raise
                            _record(manifest, name, plat, py, Download([], [str(e)]), [])
                            return
                    got = pip_download(n.requirements, wheels, PLATFORMS[plat], py, on_line=note)
                    more = pip_download(
                        n.no_deps, wheels, PLATFORMS[plat], py, deps=False, on_line=note
                    )
                    got = Download(got.files + more.files, got.missing + more.missing)
                    _record(manifest, name, plat, py, got, extra)

                steps.append(Step(f"{name}: wheels for {plat}, Python {py}", deps))

    for name in templates:

        def npm(note: Callable[[str], None], name: str = name) -> None:
            for lock in needs[name].lockfiles:
                folder = (work / name / lock).parent
                count = fill_npm_cache(folder, cache, platforms)
                manifest["npm"][f"{name}:{lock}"] = {
                    "packages": count,
                    "lockfile_sha256": _sha256(folder / "package-lock.json"),
                }

        steps.append(Step(f"{name}: npm packages", npm))

    def installer(note: Callable[[str], None]) -> None:
        shutil.copyfile(Path(__file__).with_name("kit_install.py"), kit / INSTALLER)

    steps.append(Step("install.py for attendees", installer))
    return steps, manifest


def _record(
    manifest: dict[str, Any], what: str, plat: str, py: str, got: Download, extra: list[str]
) -> None:
    files = sorted(set(got.files) | set(extra))
    manifest["sets"].append(
        {"for": what, "platform": plat, "python": py, "files": files, "missing": got.missing}
    )


def write_manifest(kit: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Add sizes and checksums, per file and per (template, platform), and write it."""
    wheels = kit / WHEELS
    files = {}
    for p in sorted(wheels.glob("*")):
        files[p.name] = {"size": p.stat().st_size, "sha256": _sha256(p)}
    manifest["files"] = files
    for s in manifest["sets"]:
        s["size"] = sum(files[f]["size"] for f in s["files"] if f in files)
    if (kit / NPM_CACHE).is_dir():
        count, size = _tree_size(kit / NPM_CACHE)
        manifest["npm_cache"] = {"files": count, "size": size}
    manifest["size"] = sum(f["size"] for f in files.values()) + manifest.get("npm_cache", {}).get(
        "size", 0
    )
    (kit / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def size_table(manifest: dict[str, Any]) -> list[tuple[str, str, str, int, int, list[str]]]:
    """(what, platform, python, wheels, bytes of wheels, missing) per set."""
    return [
        (s["for"], s["platform"], s["python"], len(s["files"]), s["size"], s["missing"])
        for s in manifest["sets"]
    ]


def human(size: float) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1000:
            return f"{size:.0f} {unit}"
        size /= 1000
    return f"{size:.2f} GB"


# ----------------------------------------------------------------------------- check


def load_manifest(kit: Path) -> dict[str, Any]:
    path = kit / MANIFEST
    if not path.is_file():
        raise KitError(f"{kit} is not an ai-eng kit (no {MANIFEST}); make one: ai-eng kit build")
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise KitError(f"cannot read {path}: {e}") from e


def check_kit(kit: Path, templates: list[str] | None = None) -> list[tuple[str, bool, str]]:
    """(what, ok, detail) for this laptop: ai-eng and each template's wheels and npm packages.

    pip itself decides (`pip install --dry-run --no-index --find-links KIT/wheels`), for this
    Python and platform, so what it says is what `make setup` will meet."""
    manifest = load_manifest(kit)
    plat = this_platform()
    py = this_python()
    wanted = templates or list(manifest["templates"])
    results: list[tuple[str, bool, str]] = []
    where = f"{plat or platform.system() + ' ' + platform.machine()}, Python {py}"
    own = [f"ai-eng=={manifest['ai_eng']}"]
    checks = [("ai-eng", own, [], None)]
    for name in wanted:
        entry = manifest["templates"].get(name)
        if entry is None:
            results.append(
                (name, False, f"not in the kit; add it: ai-eng kit build {kit} -a {name}")
            )
            continue
        checks.append((name, entry["requirements"], entry["no_deps"], entry))
    for name, reqs, no_deps, entry in checks:
        problem = _pip_check(kit, reqs) or _pip_check(kit, no_deps, deps=False)
        if problem is None and entry is not None:
            for lock in entry.get("npm_lockfiles", []):
                problem = _npm_check(kit, name, lock)
                if problem:
                    break
        if problem is None:
            results.append((name, True, f"all in the kit for {where}"))
        else:
            fix = f"ai-eng kit build {kit}" + ("" if name == "ai-eng" else f" -a {name}")
            for key, value in (entry or {}).get("answers", {}).items():
                text = str(value).lower() if isinstance(value, bool) else str(value)
                fix += " -d " + shlex.quote(f"{key}={text}")
            if plat and plat not in manifest["platforms"]:
                fix += f" --platform {plat}"
            if py not in manifest["python"]:
                fix += f" --python {py}"
            results.append((name, False, f"the kit lacks {problem} for {where}; add it: {fix}"))
    return results


def _pip_check(kit: Path, reqs: list[str], deps: bool = True) -> str | None:
    if not reqs:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        req = Path(tmp) / "requirements.txt"
        req.write_text("\n".join(reqs) + "\n")
        args = ["install", "--dry-run", "--ignore-installed", "--no-index", "--only-binary=:all:"]
        args += [
            "--find-links",
            str(kit / WHEELS),
            "--target",
            str(Path(tmp) / "t"),
            "-r",
            str(req),
        ]
        env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(kit / WHEELS)}
        done = subprocess.run(
            [sys.executable, "-m", "pip", *args, *([] if deps else ["--no-deps"])],
            capture_output=True,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    if done.returncode == 0:
        return None
    out = done.stdout + done.stderr
    if m := _NOT_FOUND.search(out):
        return m.group(1)
    return " ".join(out.strip().splitlines()[-1:]) or f"pip exit {done.returncode}"


def _npm_check(kit: Path, template: str, lock: str) -> str | None:
    from ai_eng.source import templates_dir

    lockfile = templates_dir() / template / "project" / lock
    if not lockfile.is_file():
        return None
    plat = this_platform()
    lacking = npm_missing(kit / NPM_CACHE, lockfile, [plat] if plat else None)
    if lacking:
        more = f" (and {len(lacking) - 1} more npm packages)" if len(lacking) > 1 else ""
        return f"{lacking[0]}{more}"
    return None
