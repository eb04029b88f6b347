"""`ai-eng new`: render a template into a new project, atomically."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ai_eng.answers import missing_answers, questions, read_answers
from ai_eng.catalog import Template, find_template
from ai_eng.compose import attach, composition, part_answers
from ai_eng.errors import AiEngError, MissingAnswers
from ai_eng.gitops import git_available, initial_commit, scratch_commit
from ai_eng.source import ensure_bundle
from ai_eng.staging import dest_problem, lay_over, mkdirs, plan, remove_empty, render


def generate(
    template: str,
    dest: str | Path | None,
    *,
    data: dict[str, Any] | None = None,
    user_defaults: dict[str, Any] | None = None,
    defaults: bool = False,
    force: bool = False,
    interactive: bool = False,
    git: bool = True,
    vcs_ref: str | None = None,
    note: Callable[[str], None] | None = None,
    with_: str | None = None,
) -> Path:
    """Render `template` (archetype or template name) into `dest` (None: the `project_slug`
    answer, here) and return it. `with_` adds that template as a part, by `ai-eng add`'s path.

    It renders into a hidden staging folder (in `dest`, or beside it) and moves the result
    into place only when everything worked: a failure or Ctrl-C leaves `dest` as it was.
    `force` overwrites files `dest` has (each reported through `note`), but refuses, before
    writing anything, a file where the template has a folder or the reverse."""
    note = note or (lambda message: None)
    tpl: Template = find_template(template)
    if dest is not None:
        dest = Path(dest).expanduser().absolute()
        if problem := dest_problem(dest, force):
            raise AiEngError(problem)
    part = composition(tpl.name, with_) if with_ is not None else None
    answers = {**(data or {}), "template": tpl.name}
    if part is not None:  # the part's own answers are for the part
        answers = {k: v for k, v in answers.items() if k in questions(tpl.name)}
    if not interactive:  # nobody to confirm a suggested default: it becomes the answer
        answers, user_defaults = {**(user_defaults or {}), **answers}, None
        if not defaults:
            _require_answers(tpl, part, answers, data or {})
    if not git_available():
        raise AiEngError(
            "git is not installed (ai-eng reads the template history with it); install git"
        )
    src = ensure_bundle()
    stage_in = Path.cwd() if dest is None else dest if dest.is_dir() else dest.parent
    tmp, created = _stage(stage_in)
    project, placed = tmp / "project", False
    try:
        render(src, project, answers, user_defaults=user_defaults, vcs_ref=vcs_ref or "HEAD",
               defaults=defaults)  # fmt: skip
        if part is not None:
            _attach(project, tpl, part, data or {}, src=src, defaults=defaults)
        dest = dest or _slug_folder(project, stage_in, tpl, force)
        overwritten = _place(project, dest, tmp / "backup", git=git, note=note)
        placed = True
    except OSError as e:
        raise AiEngError(f"cannot write to {dest or stage_in}: {e.strerror or e}") from e
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if not placed:
            remove_empty(created)
    for name in overwritten:
        note(f"overwrote {name}")
    return dest


def _slug_folder(project: Path, stage_in: Path, tpl: Template, force: bool) -> Path:
    dest = stage_in / str(read_answers(project).get("project_slug") or tpl.name)
    if problem := dest_problem(dest, force):
        raise AiEngError(problem)
    return dest


def _stage(stage_in: Path) -> tuple[Path, list[Path]]:
    """A hidden staging folder in `stage_in` (made if missing) and the folders made for it."""
    created: list[Path] = []
    try:
        created = mkdirs(stage_in)
        return Path(tempfile.mkdtemp(prefix=".ai-eng-new-", dir=stage_in)), created
    except OSError as e:
        remove_empty(created)
        raise AiEngError(f"cannot write to {stage_in}: {e.strerror or e}") from e


def _require_answers(
    tpl: Template, part: Template | None, answers: dict[str, Any], data: dict[str, Any]
) -> None:
    """MissingAnswers naming every question (of the project, then of its part) not answered."""
    if missing := missing_answers(tpl.name, answers):
        raise MissingAnswers(missing)
    if part is not None and (
        missing := missing_answers(part.name, part_answers(answers, tpl, part, data))
    ):
        raise MissingAnswers(missing)


def _attach(
    project: Path, tpl: Template, part: Template, data: dict[str, Any], *, src: str, defaults: bool
) -> None:
    """Add `part` to the freshly rendered `project` exactly as `ai-eng add` would (in a
    throwaway git repository: Copier's update needs one)."""
    answers = read_answers(project)
    scratch_commit(project)
    try:
        attach(
            project,
            part,
            part_answers(answers, tpl, part, data),
            src=src,
            ref=str(answers.get("_commit") or "HEAD"),
            defaults=defaults,
        )
    finally:
        shutil.rmtree(project / ".git", ignore_errors=True)


def _place(project: Path, dest: Path, backup: Path, *, git: bool, note) -> list[str]:
    """Move the rendered `project` to `dest` (after its initial commit); the files of `dest`
    it overwrote."""
    overwritten, collisions = plan(project, dest) if dest.is_dir() else ([], [])
    if collisions:
        raise AiEngError(
            f"{dest} has a file where the template has a folder, or the reverse: "
            f"{', '.join(collisions)}; nothing was written (move them away and retry)"
        )
    if git and not (dest / ".git").exists():
        initial_commit(project, note)
    if dest.is_dir():
        lay_over(project, dest, backup)
    else:
        os.rename(project, dest)
    return overwritten
