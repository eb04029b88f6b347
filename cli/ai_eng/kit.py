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
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from ai_eng import __version__
from ai_eng.kit_install import env_lines, kit_env  # noqa: F401  (re-exported)
from ai_eng.kit_needs import Needs, render_needs
from ai_eng.kit_platforms import (  # noqa: F401  (re-exported)
    PLATFORMS,
    TORCH_CPU_INDEX,
    Download,
    KitError,
    Platform,
    _name,
    _torch_cpu,
    pip_download,
    this_platform,
    this_python,
)

MANIFEST = "manifest.json"
WHEELS = "wheels"
NPM_CACHE = "npm-cache"
INSTALLER = "install.py"


# ----------------------------------------------------------------------------- npm


def _integrity_path(cache: Path, integrity: str) -> Path:
    algo, _, digest = integrity.split()[0].partition("-")
    hexd = base64.b64decode(digest).hex()
    return cache / "_cacache" / "content-v2" / algo / hexd[:2] / hexd[2:4] / hexd[4:]


def lock_packages(
    lockfile: Path, platforms: Iterable[str] | None = None
) -> list[tuple[str, str, str]]:
    """(name, version, integrity) of every registry package in a package-lock.json (v2/v3);
    with `platforms`, only the platform-specific ones (`os`/`cpu`) that one of them runs."""
    data = json.loads(lockfile.read_text())
    wanted = None if platforms is None else [PLATFORMS[p].npm for p in platforms]
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
    manifest: dict[str, Any] = {
        "ai_eng": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "platforms": platforms,
        "python": pythons,
        "templates": {},
        "sets": [],
        "npm": {},
    }
    build = _Build(kit, manifest, work, torch_index)
    steps = [Step("ai-eng: build its wheel", build.own_wheel)]
    for name in templates:
        steps.append(
            Step(f"{name}: read what `make setup` installs", partial(build.read, name, answers))
        )
    for plat in platforms:
        for py in pythons:
            steps.append(
                Step(f"ai-eng: wheels for {plat}, Python {py}", partial(build.own_deps, plat, py))
            )
            for name in templates:
                steps.append(
                    Step(
                        f"{name}: wheels for {plat}, Python {py}",
                        partial(build.deps, name, plat, py),
                    )
                )
    for name in templates:
        steps.append(Step(f"{name}: npm packages", partial(build.npm, name, platforms)))
    steps.append(Step("install.py for attendees", build.installer))
    return steps, manifest


@dataclass
class _Build:
    """What the steps of one kit build share."""

    kit: Path
    manifest: dict[str, Any]
    work: Path
    torch_index: str
    own: dict[str, Path] = field(default_factory=dict)
    needs: dict[str, Needs] = field(default_factory=dict)

    @property
    def wheels(self) -> Path:
        return self.kit / WHEELS

    def own_wheel(self, note: Callable[[str], None]) -> None:
        self.wheels.mkdir(parents=True, exist_ok=True)
        self.own["wheel"] = build_own_wheel(self.wheels)

    def read(
        self, name: str, answers: dict[str, dict[str, Any]], note: Callable[[str], None]
    ) -> None:
        needs = self.needs[name] = render_needs(name, answers.get(name, {}), keep=self.work / name)
        self.manifest["templates"][name] = {
            "answers": answers.get(name, {}),
            "requirements": needs.requirements,
            "no_deps": needs.no_deps,
            "constraints": needs.constraints,
            "npm_lockfiles": needs.lockfiles,
        }

    def own_deps(self, plat: str, py: str, note: Callable[[str], None]) -> None:
        wheel = self.own["wheel"]
        got = pip_download([str(wheel)], self.wheels, PLATFORMS[plat], py, on_line=note)
        _record(self.manifest, "ai-eng", plat, py, got, [wheel.name])

    def deps(self, name: str, plat: str, py: str, note: Callable[[str], None]) -> None:
        n, target = self.needs[name], PLATFORMS[plat]
        extra: list[str] = []
        if target.cpu_torch:  # torch's CPU build first (see _torch_cpu)
            pins = {_name(p): p for p in n.requirements + n.constraints if "==" in p}
            torch = [pins["torch"]] if "torch" in pins else []
            try:
                extra = _torch_cpu(torch, self.wheels, target, py, self.torch_index, note)
            except KitError as e:
                if plat == this_platform() and py == this_python():
                    raise
                _record(self.manifest, name, plat, py, Download([], [str(e)]), [])
                return
        got = pip_download(
            n.requirements, self.wheels, target, py, constraints=n.constraints, on_line=note
        )
        more = pip_download(n.no_deps, self.wheels, target, py, deps=False, on_line=note)
        got = Download(got.files + more.files, got.missing + more.missing)
        _record(self.manifest, name, plat, py, got, extra)

    def npm(self, name: str, platforms: list[str], note: Callable[[str], None]) -> None:
        for lock in self.needs[name].lockfiles:
            folder = (self.work / name / lock).parent
            count = fill_npm_cache(folder, self.kit / NPM_CACHE, platforms)
            self.manifest["npm"][f"{name}:{lock}"] = {
                "packages": count,
                "lockfile_sha256": _sha256(folder / "package-lock.json"),
            }

    def installer(self, note: Callable[[str], None]) -> None:
        shutil.copyfile(Path(__file__).with_name("kit_install.py"), self.kit / INSTALLER)


def _record(
    manifest: dict[str, Any], what: str, plat: str, py: str, got: Download, extra: list[str]
) -> None:
    files = sorted(set(got.files) | set(extra))
    manifest["sets"].append(
        {"for": what, "platform": plat, "python": py, "files": files, "missing": got.missing}
    )


def merge_manifest(previous: dict[str, Any], manifest: dict[str, Any]) -> dict[str, Any]:
    """`manifest` added to the one an earlier build wrote (other templates, platforms,
    Pythons stay; a set built again is replaced)."""
    keep = {(s["for"], s["platform"], s["python"]) for s in manifest["sets"]}
    earlier = [s for s in previous["sets"] if (s["for"], s["platform"], s["python"]) not in keep]
    return {
        **manifest,
        "sets": earlier + manifest["sets"],
        "templates": {**previous["templates"], **manifest["templates"]},
        "npm": {**previous.get("npm", {}), **manifest["npm"]},
        "platforms": list(dict.fromkeys(previous["platforms"] + manifest["platforms"])),
        "python": list(dict.fromkeys(previous["python"] + manifest["python"])),
    }


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
