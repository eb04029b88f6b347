"""Whether a kit holds what a machine needs (`ai-eng kit install --check`, `doctor --kit`)."""

from __future__ import annotations

import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ai_eng.kit import MANIFEST, NPM_CACHE, WHEELS, npm_missing
from ai_eng.kit_platforms import _NOT_FOUND as NOT_FOUND
from ai_eng.kit_platforms import KitError, this_platform, this_python


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
        pins = (entry or {}).get("constraints", [])  # the lock setup installs with
        problem = _pip_check(kit, reqs, pins=pins) or _pip_check(kit, no_deps, deps=False)
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


def _pip_check(kit: Path, reqs: list[str], deps: bool = True, pins: list[str] = ()) -> str | None:
    if not reqs:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        req, lock = Path(tmp) / "requirements.txt", Path(tmp) / "constraints.txt"
        req.write_text("\n".join(reqs) + "\n")
        lock.write_text("".join(f"{p}\n" for p in pins))
        args = ["install", "--dry-run", "--ignore-installed", "--no-index", "--only-binary=:all:"]
        args += [
            "--find-links",
            str(kit / WHEELS),
            "--target",
            str(Path(tmp) / "t"),
            "-r",
            str(req),
            "-c",
            str(lock),
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
    if m := NOT_FOUND.search(out):
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
