"""Apply an exercise's solution to a generated project: python solve.py TEMPLATE N PROJECT_DIR."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


class AnchorNotFound(Exception):
    """The template changed under a solution's edit: the message names the file and the anchor."""


class Project:
    def __init__(self, root: Path):
        self.root = Path(root)

    @property
    def package(self) -> str:
        """The Python import name under src/ (rag-pipeline, local-model-notebook)."""
        found = [p.parent.name for p in (self.root / "src").glob("*/__init__.py")]
        if len(found) != 1:
            raise AnchorNotFound(f"{self.root}/src: expected one package, found {found}")
        return found[0]

    def path(self, relative: str) -> Path:
        return self.root / relative.format(package=self.package if "{package}" in relative else "")

    def write(self, relative: str, text: str) -> None:
        path = self.path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def append(self, relative: str, text: str) -> None:
        path = self.path(relative)
        path.write_text(path.read_text().rstrip("\n") + "\n" + text)

    def replace(self, relative: str, old: str, new: str) -> None:
        """Replace `old`, which must occur exactly once."""
        path = self.path(relative)
        text = path.read_text()
        if text.count(old) != 1:
            raise AnchorNotFound(f"{relative}: expected {old!r} once, found it {text.count(old)}x")
        path.write_text(text.replace(old, new))

    def insert_after(self, relative: str, line_pattern: str, new: str) -> None:
        """Insert `new` (whole lines) after the one line matching the regex `line_pattern`."""
        path = self.path(relative)
        lines = path.read_text().splitlines(keepends=True)
        hits = [i for i, line in enumerate(lines) if re.search(line_pattern, line)]
        if len(hits) != 1:
            raise AnchorNotFound(
                f"{relative}: expected one line matching {line_pattern!r}, found {len(hits)}"
            )
        lines.insert(hits[0] + 1, new if new.endswith("\n") else new + "\n")
        path.write_text("".join(lines))


def exercises(template: str) -> list[int]:
    return sorted(int(p.name) for p in (HERE / template).iterdir() if p.name.isdigit())


def solve(template: str, number: int, project: Path) -> None:
    script = HERE / template / f"{number:02d}" / "solve.py"
    spec = importlib.util.spec_from_file_location(f"solution_{template}_{number}", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.solve(Project(project))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: python solve.py TEMPLATE N PROJECT_DIR")
    try:
        solve(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
    except AnchorNotFound as exc:
        sys.exit(f"error: the solution no longer fits the template: {exc}")
