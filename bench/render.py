"""Render a template from this checkout with plain Copier (uncommitted changes included),
as the benchmarks need a generated project to measure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def render(template: str, dest: Path, *, overwrite: bool = False, ref: str = "HEAD") -> Path:
    copier = Path(sys.executable).parent / "copier"
    if not copier.exists():
        copier = REPO / ".venv" / "bin" / "copier"
    cmd = [str(copier), "copy", "--trust", "--defaults", "--vcs-ref", ref, "--quiet"]
    if overwrite:
        cmd.append("--overwrite")
    subprocess.run([*cmd, "-d", f"template={template}", str(REPO), str(dest)], check=True)
    return dest
