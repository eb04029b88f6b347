"""The git a project's workflows need: the initial commit, clean-tree checks, status."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from ai_eng.errors import AiEngError
from ai_eng.source import template_repo


def git(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=path, capture_output=True, text=True)


def git_available() -> bool:
    return shutil.which("git") is not None


FALLBACK_IDENTITY = ("ai-eng", "ai-eng@localhost")


def initial_commit(path: Path, note: Callable[[str], None]) -> None:
    env = dict(os.environ)
    strict = ["git", "-c", "user.useConfigOnly=true", "var"]
    if any(
        subprocess.run([*strict, var], cwd=path, capture_output=True).returncode
        for var in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT")
    ):
        name, email = FALLBACK_IDENTITY
        env.update(
            GIT_AUTHOR_NAME=name,
            GIT_AUTHOR_EMAIL=email,
            GIT_COMMITTER_NAME=name,
            GIT_COMMITTER_EMAIL=email,
        )
        note(
            f"no git identity configured: the initial commit is by {name} <{email}> "
            '(set yours: git config --global user.name "…" user.email …)'
        )
    for cmd in (
        ["git", "init", "--quiet", "--initial-branch=main"],
        ["git", "add", "--all"],
        ["git", "commit", "--quiet", "--no-verify", "-m", "Initial commit from ai-eng"],
    ):
        done = subprocess.run(cmd, cwd=path, capture_output=True, text=True, env=env)
        if done.returncode:
            said = "; ".join(ln.strip() for ln in (done.stderr or done.stdout).splitlines())
            raise AiEngError(
                f"`{' '.join(cmd[:2])}` failed: {said or f'exit {done.returncode}'} "
                "(nothing was written; fix git or pass --no-git)"
            )


def require_clean_git(path: Path, doing: str) -> None:
    if not git_available():
        raise AiEngError(f"git is not installed; ai-eng {doing} needs it (install git and retry)")
    if git(path, "rev-parse", "--show-toplevel").returncode != 0:
        raise AiEngError(
            f"{path} is not a git repository; run `git init && git add -A && git commit` first"
        )
    if git(path, "status", "--porcelain").stdout.strip():
        raise AiEngError(f"{path} has uncommitted changes; commit or stash them, then {doing}")


def git_prefix(path: Path) -> str:
    """`path` relative to its repository's top, as git prints paths (`''` or `sub/`)."""
    return git(path, "rev-parse", "--show-prefix").stdout.strip()


def status(path: Path) -> tuple[list[str], list[str], list[str], list[str]]:
    """(conflicts, added, removed, modified) in a project's work tree, relative paths."""
    unmerged = set(git(path, "diff", "--name-only", "--diff-filter=U").stdout.split("\n"))
    unmerged.discard("")
    out = git(path, "-c", "core.quotePath=false", "status", "--porcelain", "-uall").stdout
    conflicts, added, removed, modified = sorted(unmerged), [], [], []
    for line in out.splitlines():
        code, name = line[:2], line[3:].strip().strip('"')
        if name in unmerged:
            continue
        if name.endswith(".rej"):
            conflicts.append(name)
        elif code == "??" or "A" in code:
            added.append(name)
        elif "D" in code:
            removed.append(name)
        else:
            modified.append(name)
    return sorted(conflicts), sorted(added), sorted(removed), sorted(modified)


def conflicts_in(path: Path) -> list[str]:
    """Files left in conflict (inline markers) or .rej leftovers after an update."""
    return status(path)[0]


def dirty_template_checkout() -> bool:
    """True when running from a template checkout with uncommitted template changes."""
    repo = template_repo()
    if repo is None or not git_available():
        return False
    out = subprocess.run(
        ["git", "status", "--porcelain", "--", "copier.yml", "templates"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    return bool(out.stdout.strip())


def project_changed(path: Path) -> bool:
    """Whether the git tree at `path` has changes (tracked or not)."""
    return bool(git(path, "status", "--porcelain").stdout.strip())


def scratch_commit(path: Path) -> None:
    """A throwaway repository with everything at `path` committed (Copier's update needs a
    clean git tree); remove `path/.git` when done."""
    name, email = FALLBACK_IDENTITY
    identity = [
        "-c",
        f"user.name={name}",
        "-c",
        f"user.email={email}",
        "-c",
        "commit.gpgsign=false",
    ]
    for cmd in (
        ["init", "--quiet", "--initial-branch=main"],
        ["add", "--all"],
        [*identity, "commit", "--quiet", "--no-verify", "-m", "ai-eng: staging"],
    ):
        done = git(path, *cmd)
        if done.returncode:
            said = " ".join(done.stderr.split()) or f"exit {done.returncode}"
            raise AiEngError(f"git failed in the staging folder: {said}")
