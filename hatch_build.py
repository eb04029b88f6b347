"""Build hook: ship the templates and their git history (a bundle) in the sdist and the wheel.

The bundle is what Copier clones to generate and 3-way merge an update, so it must hold the
full history and the release tags (`v0.2.0`). Built from a git checkout it is made with
`git bundle`; built from an sdist it is the `templates.bundle` the sdist carries.

A checkout whose HEAD has no `v{version}` tag yet (a release about to be tagged, or a CI
clone without tags) gets that tag added inside the bundle only, and so does each release of
`cli/ai_eng/releases.toml` the clone lacks, so Copier and `ai-eng update` still show versions.
A shallow clone is refused: its bundle would lack the history that older projects need to
update.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path
from types import ModuleType

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUNDLE = "templates.bundle"


def _source_module(root: Path) -> ModuleType:
    """cli/ai_eng/source.py, loaded by path (the build has no ai_eng installed)."""
    spec = importlib.util.spec_from_file_location("_ai_eng_source", root / "cli/ai_eng/source.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_bundle(root: Path, out: Path, version: str) -> None:
    """Write the template history of the checkout at `root` to `out`, with every release tag
    (those of cli/ai_eng/releases.toml too) and HEAD tagged v{version}."""
    source = _source_module(root)
    if source._git("rev-parse", "--is-shallow-repository", cwd=root) == "true":
        raise RuntimeError(
            "this is a shallow git clone: the templates bundle needs the full history so that "
            "older projects can update. Run `git fetch --unshallow --tags` and build again."
        )
    tags = source.release_tags(root / "cli" / "ai_eng" / "releases.toml")
    if not source.has_commit(root, tags.get(f"v{version}", "")):  # this build's own version
        tags[f"v{version}"] = source._git("rev-parse", "HEAD", cwd=root)
    source.write_bundle(root, out, tags)


class TemplateBundleHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name not in ("wheel", "sdist") or version == "editable":
            return  # editable installs build the bundle from the checkout at run time
        root = Path(self.root)
        self._tmp = Path(tempfile.mkdtemp(prefix="ai-eng-build-"))
        out = self._tmp / BUNDLE
        if (root / ".git").exists():
            make_bundle(root, out, self.metadata.version)
        elif (root / BUNDLE).is_file():  # building from an sdist
            shutil.copyfile(root / BUNDLE, out)
        else:
            raise RuntimeError(
                f"need a git checkout (with history) or an sdist carrying {BUNDLE} to build ai-eng"
            )
        if self.target_name == "sdist":
            build_data["force_include"][str(out)] = BUNDLE
            return
        build_data["force_include"][str(out)] = f"ai_eng/{BUNDLE}"
        # The template itself, laid out as in the repo (copier.yml includes templates/*/…),
        # for `ai-eng list` and for reading its questions with Copier (ai_eng.answers).
        build_data["force_include"][str(root / "templates")] = "ai_eng/templates"
        build_data["force_include"][str(root / "copier.yml")] = "ai_eng/copier.yml"

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        if tmp := getattr(self, "_tmp", None):
            shutil.rmtree(tmp, ignore_errors=True)
