"""Build hook: ship the templates and their git history (a bundle) inside the wheel."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class TemplateBundleHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # editable installs build the bundle from the checkout at run time
        root = Path(self.root)
        out = Path(self.directory) / "templates.bundle"
        out.parent.mkdir(parents=True, exist_ok=True)
        if (root / ".git").exists():
            out.unlink(missing_ok=True)
            subprocess.run(
                ["git", "bundle", "create", "--quiet", str(out), "HEAD", "--tags"],
                cwd=root,
                check=True,
            )
        elif (root / "templates.bundle").is_file():  # building from an sdist
            out.write_bytes((root / "templates.bundle").read_bytes())
        else:
            raise RuntimeError("need a git checkout (or templates.bundle) to build the wheel")
        build_data["force_include"][str(out)] = "ai_eng/templates.bundle"
        # The templates themselves, for `ai-eng list` and for reading.
        build_data["force_include"][str(root / "templates")] = "ai_eng/templates"
        build_data["force_include"][str(root / "copier.yml")] = "ai_eng/templates/copier.yml"
