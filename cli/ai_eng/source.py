"""Where the template versions come from, and the stable bundle Copier reads.

Copier needs the template's git history to 3-way merge an update. ai-eng ships
that history as a git bundle (built from this repo when the wheel is built) and
copies it to one fixed, home-relative path. Generated projects record that path,
unexpanded, as `_src_path`, so the same answers file works on every machine
where ai-eng is installed, offline.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import tomllib
from pathlib import Path

#: What generated projects record as `_src_path`. `~` is expanded by Copier.
BUNDLE_SRC = "~/.cache/ai-eng/templates.bundle"

#: Developers and tests point ai-eng at another checkout of the template repo.
REPO_ENV = "AI_ENG_TEMPLATE_REPO"

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGED_BUNDLE = PACKAGE_DIR / "templates.bundle"
RELEASES = PACKAGE_DIR / "releases.toml"


class SourceError(RuntimeError):
    """The template history can't be found or written."""


def _git(*args: str, cwd: Path | None = None) -> str:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    except FileNotFoundError as e:
        raise SourceError("git is not installed; install git and retry") from e
    except subprocess.CalledProcessError as e:
        raise SourceError(f"git {' '.join(args)} failed: {e.stderr.strip()}") from e
    return out.stdout.strip()


def release_tags(record: Path = RELEASES) -> dict[str, str]:
    """The release tags the record names (`v0.2.0` -> its commit)."""
    if not record.is_file():
        return {}
    data = tomllib.loads(record.read_text())
    return {f"v{version}": commit for version, commit in data.get("releases", {}).items()}


def has_commit(repo: Path, commit: str) -> bool:
    check = ["git", "cat-file", "-e", f"{commit}^{{commit}}"]
    return bool(commit) and subprocess.run(check, cwd=repo, capture_output=True).returncode == 0


def write_bundle(repo: Path, out: Path, tags: dict[str, str] | None = None) -> None:
    """`git bundle` of HEAD and every tag of `repo` at `out`, plus each of `tags` (name ->
    commit) the repo lacks and whose commit it has: the tags live only inside the bundle."""
    have = set(_git("tag", "--list", cwd=repo).split())
    missing = {t: c for t, c in (tags or {}).items() if t not in have and has_commit(repo, c)}
    out.unlink(missing_ok=True)  # git bundle refuses to overwrite
    if not missing:
        _git("bundle", "create", "--quiet", str(out), "HEAD", "--tags", cwd=repo)
        return
    with tempfile.TemporaryDirectory(prefix="ai-eng-bundle-") as tmp:
        # A throwaway repo that borrows the checkout's objects: the extra tags live only there.
        bare = Path(tmp)
        _git("init", "--quiet", "--bare", cwd=bare)
        objects = Path(_git("rev-parse", "--path-format=absolute", "--git-common-dir", cwd=repo))
        (bare / "objects" / "info" / "alternates").write_text(f"{objects / 'objects'}\n")
        refs = _git("for-each-ref", "--format=%(objectname) %(refname)", "refs/tags", cwd=repo)
        for line in filter(None, refs.splitlines()):
            sha, ref = line.split(" ", 1)
            _git("update-ref", ref, sha, cwd=bare)
        _git("update-ref", "refs/heads/release", _git("rev-parse", "HEAD", cwd=repo), cwd=bare)
        _git("symbolic-ref", "HEAD", "refs/heads/release", cwd=bare)
        for tag, commit in missing.items():
            _git("tag", tag, commit, cwd=bare)
        _git("bundle", "create", "--quiet", str(out), "HEAD", "--tags", cwd=bare)


def template_repo() -> Path | None:
    """The template repo checkout ai-eng builds from, if it runs from one."""
    if env := os.environ.get(REPO_ENV):
        repo = Path(env).expanduser().resolve()
        if not (repo / "copier.yml").is_file():
            raise SourceError(f"{REPO_ENV}={env} has no copier.yml")
        return repo
    if PACKAGED_BUNDLE.is_file():
        return None
    repo = PACKAGE_DIR.parents[1]  # cli/ai_eng -> repo root (editable install)
    if (repo / "copier.yml").is_file() and (repo / ".git").exists():
        return repo
    return None


def templates_dir() -> Path:
    """The folder holding templates/<name>/template.toml."""
    repo = template_repo()
    if repo is not None:
        return repo / "templates"
    return PACKAGE_DIR / "templates"


def root_config() -> Path:
    """The root copier.yml, beside templates/ (in a checkout and in the wheel)."""
    return templates_dir().parent / "copier.yml"


def bundle_path() -> Path:
    return Path(BUNDLE_SRC).expanduser()


def _stamp(repo: Path | None) -> str:
    if repo is not None:  # a new commit or tag makes a new bundle
        refs = _git("for-each-ref", "--format=%(objectname) %(refname)", "refs/tags", cwd=repo)
        record = RELEASES.read_text() if RELEASES.is_file() else ""
        digest = hashlib.sha256(f"{refs}\n{record}".encode()).hexdigest()[:16]
        return f"git:{_git('rev-parse', 'HEAD', cwd=repo)}:{digest}"
    if not PACKAGED_BUNDLE.is_file():
        raise SourceError(
            "this ai-eng build carries no template history (templates.bundle); "
            "reinstall ai-eng from a wheel or a git checkout"
        )
    return "pkg:" + hashlib.sha256(PACKAGED_BUNDLE.read_bytes()).hexdigest()


def ensure_bundle() -> str:
    """Write (or refresh) the bundle at BUNDLE_SRC; return BUNDLE_SRC for Copier."""
    repo = template_repo()
    stamp = _stamp(repo)
    target = bundle_path()
    stamp_file = target.with_suffix(".stamp")
    if target.is_file() and stamp_file.is_file() and stamp_file.read_text() == stamp:
        return BUNDLE_SRC
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".bundle.tmp")
        os.close(fd)
        try:
            if repo is not None:
                write_bundle(repo, Path(tmp), release_tags())
            else:
                Path(tmp).write_bytes(PACKAGED_BUNDLE.read_bytes())
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        stamp_file.write_text(stamp)
    except OSError as e:
        raise SourceError(f"cannot write the template bundle at {target}: {e}") from e
    return BUNDLE_SRC
