"""Render somewhere hidden, then move into place: a failure leaves the destination as it was."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from ai_eng.errors import AiEngError, one_line


def plan(src: Path, dest: Path, rel: Path = Path()) -> tuple[list[str], list[str]]:
    """(overwritten files, collisions) when the rendered tree `src` is laid over `dest`."""
    overwritten: list[str] = []
    collisions: list[str] = []
    for entry in sorted(src.iterdir()):
        target = dest / entry.name
        name = str(rel / entry.name)
        if not os.path.lexists(target):
            continue
        entry_dir = entry.is_dir() and not entry.is_symlink()
        target_dir = target.is_dir() and not target.is_symlink()
        if entry_dir and target_dir:
            more = plan(entry, target, rel / entry.name)
            overwritten += more[0]
            collisions += more[1]
        elif entry_dir or target_dir:
            collisions.append(f"{name}/" if target_dir else name)
        else:
            overwritten.append(name)
    return overwritten, collisions


def lay_over(src: Path, dest: Path, backup: Path) -> None:
    """Move the rendered tree `src` into the existing folder `dest` (same filesystem).

    Files `dest` already had are moved aside into `backup` first; on any failure every
    step is undone, so `dest` is left as it was.
    """
    done: list[tuple[Path, Path | None]] = []  # (target, its backup or None if new)

    def merge(s: Path, d: Path) -> None:
        for entry in sorted(s.iterdir()):
            target = d / entry.name
            if entry.is_dir() and not entry.is_symlink() and target.is_dir():
                merge(entry, target)
                continue
            saved = None
            if os.path.lexists(target):
                saved = backup / str(len(done))
                os.rename(target, saved)
            done.append((target, saved))
            os.rename(entry, target)

    backup.mkdir()
    try:
        merge(src, dest)
    except BaseException:
        for target, saved in reversed(done):
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target, ignore_errors=True)
            elif os.path.lexists(target):
                target.unlink()
            if saved is not None:
                os.rename(saved, target)
        raise


def dest_problem(dest: Path, force: bool) -> str | None:
    """Why `dest` can't receive a new project, or None."""
    if dest.exists() and not dest.is_dir():
        return f"{dest} exists and is not a folder"
    if dest.is_dir() and any(dest.iterdir()) and not force:
        return f"{dest} is not empty (use --force to write into it anyway)"
    return None


def mkdirs(path: Path) -> list[Path]:
    """mkdir -p; return the folders created, deepest first (to undo)."""
    created = []
    for folder in [path, *path.parents]:
        if folder.exists():
            break
        created.append(folder)
    for folder in reversed(created):
        folder.mkdir()
    return created


def remove_empty(folders: list[Path]) -> None:
    for folder in folders:  # deepest first
        try:
            folder.rmdir()
        except OSError:
            break


def render(
    src: str,
    dest: Path,
    answers: dict[str, Any],
    *,
    vcs_ref: str,
    defaults: bool,
    user_defaults: dict[str, Any] | None = None,
) -> None:
    from copier import run_copy

    try:
        run_copy(
            src,
            dest,
            data=answers,
            user_defaults=user_defaults,
            defaults=defaults,
            vcs_ref=vcs_ref,
            unsafe=True,
            quiet=True,
            overwrite=True,
        )
    except Exception as e:  # Copier's own errors carry a readable message
        if isinstance(e, KeyboardInterrupt):
            raise
        raise AiEngError(one_line(e)) from e
