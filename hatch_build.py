"""Build hook: ship the templates and their git history (a bundle) in the sdist and the wheel.

The bundle is what Copier clones to generate and 3-way merge an update, so it must hold the
full history and the release tags (`v0.2.0`). Built from a git checkout it is made with
`git bundle`; built from an sdist it is the `templates.bundle` the sdist carries.

A checkout whose HEAD has no `v{version}` tag yet (a release about to be tagged, or a CI
clone without tags) gets that tag added inside the bundle only, so Copier and `ai-eng update`
still show the version. A shallow clone is refused: its bundle would lack the history that
older projects need to update.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUNDLE = "templates.bundle"


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


def make_bundle(root: Path, out: Path, version: str) -> None:
    """Write the template history of the checkout at `root` to `out`, tagged v{version}."""
    if _git(root, "rev-parse", "--is-shallow-repository") == "true":
        raise RuntimeError(
            "this is a shallow git clone: the templates bundle needs the full history so that "
            "older projects can update. Run `git fetch --unshallow --tags` and build again."
        )
    tag = f"v{version}"
    out.unlink(missing_ok=True)
    if _git(root, "tag", "--list", tag):
        _git(root, "bundle", "create", "--quiet", str(out), "HEAD", "--tags")
        return
    with tempfile.TemporaryDirectory(prefix="ai-eng-bundle-") as tmp:
        # A throwaway repo that borrows the checkout's objects: the extra tag lives only there.
        repo = Path(tmp)
        _git(repo, "init", "--quiet", "--bare")
        objects = Path(_git(root, "rev-parse", "--path-format=absolute", "--git-common-dir"))
        (repo / "objects" / "info" / "alternates").write_text(f"{objects / 'objects'}\n")
        refs = _git(root, "for-each-ref", "--format=%(objectname) %(refname)", "refs/tags")
        for line in filter(None, refs.splitlines()):
            sha, ref = line.split(" ", 1)
            _git(repo, "update-ref", ref, sha)
        head = _git(root, "rev-parse", "HEAD")
        _git(repo, "update-ref", "refs/heads/release", head)
        _git(repo, "symbolic-ref", "HEAD", "refs/heads/release")
        _git(repo, "tag", tag, head)
        _git(repo, "bundle", "create", "--quiet", str(out), "HEAD", "--tags")


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
        # The templates themselves, for `ai-eng list` and for reading.
        build_data["force_include"][str(root / "templates")] = "ai_eng/templates"
        build_data["force_include"][str(root / "copier.yml")] = "ai_eng/templates/copier.yml"

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        if tmp := getattr(self, "_tmp", None):
            shutil.rmtree(tmp, ignore_errors=True)
