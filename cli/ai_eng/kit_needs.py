"""What a generated project's `make setup` installs, read from its own Makefile, pyproject.toml
and lock files (so the kit follows the templates without a second list, at the locked versions)."""

from __future__ import annotations

import re
import shutil
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ai_eng.kit_platforms import _name


@dataclass
class Needs:
    """What a generated project's `make setup` installs."""

    requirements: list[str] = field(default_factory=list)  # pip, with dependencies
    no_deps: list[str] = field(default_factory=list)  # pip install --no-deps NAME==VERSION
    lockfiles: list[str] = field(default_factory=list)  # package-lock.json, relative
    # The pins of the lock (`-c requirements.lock`) setup installs with: pip resolves the
    # requirements under them, so the kit holds exactly the versions setup installs.
    constraints: list[str] = field(default_factory=list)


#: What a build backend's `get_requires_for_build_editable` hook adds to its build-system
#: requires for `pip install -e` (PEP 660); pip fetches these in its isolated build env too.
EDITABLE_REQUIRES = {"hatchling.build": ["editables~=0.3"]}

_EDITABLE = re.compile(r"""(?i)\bpip\b.*\binstall\b.*\s-e\s+["']?([^"'\s\[]*)(?:\[([^\]]*)\])?""")
_PIN = re.compile(r"(?<!\S)([A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.+!_-]+)(?!\S)")
_NPM_CI = re.compile(r"\bnpm\s+(?:--prefix\s+(\S+)\s+)?ci\b")
_CONSTRAINT = re.compile(r"""\s(?:-c|--constraint)[\s=]+["']?([^"'\s]+)""")
_VAR = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:?=\s*(.*)$")


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
    variables = {m[1]: m[2].strip() for line in makefile.splitlines() if (m := _VAR.match(line))}
    return [_expand(line, variables) for target in seen for line in rules[target][1]]


def _expand(line: str, variables: dict[str, str]) -> str:
    """`line` with the Makefile's own `$(NAME)` variables (`LOCK := -c …`) filled in."""
    for _ in range(3):  # variables that name variables
        line = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m[1], m[0]), line)
    return line


def lock_pins(lockfile: Path) -> list[str]:
    """The `name==version` lines of a pip lock (comments, options and blanks left out)."""
    lines = (line.split("#")[0].strip() for line in lockfile.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("-")]


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
            for lock in _CONSTRAINT.findall(line):
                _constrain(needs, project / lock)
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


def _constrain(needs: Needs, lockfile: Path) -> None:
    """Add the pins of `lockfile`; two locks that pin one package differently cannot be one
    install (the kit says so instead of picking one)."""
    pinned = {_name(p): p for p in needs.constraints}
    for pin in lock_pins(lockfile):
        if _name(pin) in pinned and pinned[_name(pin)] != pin:
            raise ValueError(f"{lockfile.name} pins {pin}, another lock {pinned[_name(pin)]}")
        if _name(pin) not in pinned:
            pinned[_name(pin)] = pin
            needs.constraints.append(pin)


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
