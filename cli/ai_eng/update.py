"""`ai-eng update`: every part of a project to this ai-eng's template version, edits kept."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ai_eng.answers import ANSWERS_FILE, project_parts, read_answers
from ai_eng.errors import AiEngError, one_line
from ai_eng.gitops import git, git_prefix, require_clean_git, status
from ai_eng.source import BUNDLE_SRC, SourceError, ensure_bundle
from ai_eng.versions import Release, crossed, display_version, parse_changelog

UNDO = "git reset --hard && git clean -fd"  # works after a conflicted update too


@dataclass
class UpdateResult:
    path: Path
    old: str  # template versions, as `0.2.0` (a tag without its `v`) or a commit
    new: str
    notes: list[Release] = field(default_factory=list)  # the template's releases crossed
    conflicts: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    template: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.conflicts or self.added or self.removed or self.modified)


class History:
    """The template history in the bundle (a bare clone in a temporary folder)."""

    def __init__(self, src: str) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="ai-eng-history-")
        self.repo = Path(self._tmp.name) / "repo"
        bundle = str(Path(src).expanduser())
        self.ok = git(Path(self._tmp.name), "clone", "--bare", "--quiet", bundle, "repo")
        self.ok = self.ok.returncode == 0

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self._tmp.cleanup()

    def knows(self, ref: str) -> bool:
        if not self.ok:
            return True  # let Copier report what is wrong with the source
        check = git(self.repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        return check.returncode == 0

    def describe(self, ref: str) -> str:
        out = git(self.repo, "describe", "--tags", "--always", ref)
        return out.stdout.strip() if out.returncode == 0 else ref

    def has_question(self, ref: str, template: str, name: str) -> bool:
        """Whether `template` asks `name` at version `ref` (its questions.yml, as Copier reads
        it)."""
        from copier._template import load_template_config

        if not self.ok:
            return True
        shown = git(self.repo, "show", f"{ref}:templates/{template}/questions.yml")
        if shown.returncode != 0:
            return False
        questions = self.repo.parent / "questions.yml"
        questions.write_text(shown.stdout)
        return name in load_template_config(questions)

    def release_notes(self, old: str, new: str, template: str) -> list[Release]:
        """The releases of `template`'s CHANGELOG.md (read at version `new`) that an update
        from `old` to `new` crosses, newest first."""
        if not (self.ok and self.knows(old) and self.knows(new)):
            return []
        shown = git(self.repo, "show", f"{new}:templates/{template}/project/CHANGELOG.md")
        if shown.returncode != 0:  # a template version before changelogs
            return []
        return crossed(parse_changelog(shown.stdout), old, new)


def update(
    path: str | Path = ".",
    *,
    vcs_ref: str | None = None,
    pretend: bool = False,
    conflict: str = "inline",
    interactive: bool = False,
) -> list[UpdateResult]:
    """Bring a generated project to the template version of this ai-eng, keeping edits: its
    own part first, then each part added to it (`project_parts`); one result per part.

    With `pretend`, the update runs on a throwaway clone of the project: the results list
    what would change, and the project itself is not touched.
    """
    path = Path(path).expanduser().absolute()
    if not path.is_dir():
        raise AiEngError(f"{path} is not a folder")
    read_answers(path)
    require_clean_git(path, "update")
    if conflict not in ("inline", "rej"):
        raise AiEngError(f"--conflict must be 'inline' or 'rej', not '{conflict}'")

    parts = project_parts(path)
    olds = [read_answers(part) for part in parts]
    if any(a.get("_src_path") == BUNDLE_SRC for a in olds):
        ensure_bundle()
    with History(BUNDLE_SRC) as history:
        for answers in olds:
            old = str(answers.get("_commit", "?"))
            if answers.get("_src_path") == BUNDLE_SRC and old != "?" and not history.knows(old):
                raise AiEngError(
                    f"this project is at template version {display_version(old)}, which this "
                    "ai-eng does not know; upgrade ai-eng (pip install -U ai-eng) and retry"
                )
        if pretend:
            with tempfile.TemporaryDirectory(prefix="ai-eng-pretend-") as tmp:
                clone = Path(tmp) / path.name
                top = Path(git(path, "rev-parse", "--show-toplevel").stdout.strip())
                git(Path(tmp), "clone", "--quiet", "--no-hardlinks", str(top), str(clone))
                clone = clone / path.relative_to(top)
                news, files = _update_parts(clone, parts, path, vcs_ref, conflict, interactive)
        else:
            news, files = _update_parts(path, parts, path, vcs_ref, conflict, interactive)
        results = [_result(history, p, a, n) for p, a, n in zip(parts, olds, news, strict=True)]
    _sort_files(results, files, parts, path)
    return results


def _result(history: History, part: Path, answers: dict[str, Any], new: str) -> UpdateResult:
    old = str(answers.get("_commit", "?"))
    template = str(answers.get("template", ""))
    bundled = answers.get("_src_path") == BUNDLE_SRC
    notes = history.release_notes(old, new, template) if bundled else []
    return UpdateResult(part, display_version(old), display_version(new), notes, template=template)


def _sort_files(
    results: list[UpdateResult],
    files: tuple[list[str], list[str], list[str], list[str]],
    parts: list[Path],
    path: Path,
) -> None:
    """Give each changed file to the deepest part holding it."""
    prefix = git_prefix(path)
    folders = [prefix + (f"{p.relative_to(path).as_posix()}/" if p != path else "") for p in parts]
    for kind, names in zip(("conflicts", "added", "removed", "modified"), files, strict=True):
        for name in names:
            if kind == "modified" and any(name == f + ANSWERS_FILE for f in folders):
                continue
            owner = max(
                (i for i, f in enumerate(folders) if name.startswith(f)),
                key=lambda i: len(folders[i]),
                default=0,
            )
            getattr(results[owner], kind).append(name)


def _update_parts(
    project: Path,
    parts: list[Path],
    real: Path,
    vcs_ref: str | None,
    conflict: str,
    interactive: bool,
) -> tuple[list[str], tuple[list[str], list[str], list[str], list[str]]]:
    """Update each part (given as paths under `real`) of `project`, the project's own part
    first (Copier checks that the whole tree is clean), then the added ones (it checks
    only their folder). Return each part's new version and the status of the tree."""
    new = []
    aside: list[str] = []
    top = Path(git(project, "rev-parse", "--show-toplevel").stdout.strip())
    for part in parts:
        where = project / part.relative_to(real)
        # Copier marks inline conflicts as unmerged in the index; the next part's update
        # needs an index it can write as a tree. Set the marks aside, put them back after.
        aside += _set_aside_conflicts(top)
        run_update(where, vcs_ref, conflict, interactive)
        new.append(str(read_answers(where).get("_commit", "?")))
    aside += _set_aside_conflicts(top)
    if aside:
        paths = [line.split("\t", 1)[1] for line in aside]
        marks = [f"0 {'0' * 40}\t{name}" for name in paths] + aside  # drop stage 0, restore
        subprocess.run(
            ["git", "update-index", "--index-info"],
            cwd=top,
            input="\n".join(dict.fromkeys(marks)) + "\n",
            text=True,
            check=True,
            capture_output=True,
        )
    return new, status(project)


def _set_aside_conflicts(top: Path) -> list[str]:
    """Reset the unmerged index entries of the repository at `top` to HEAD (the files keep
    their conflict markers); return them as `git ls-files -u` lines (`update-index` input)."""
    lines = git(top, "ls-files", "-u").stdout.splitlines()
    if lines:
        git(top, "reset", "--quiet", "--", *sorted({ln.split("\t", 1)[1] for ln in lines}))
    return lines


def run_update(
    path: Path,
    vcs_ref: str | None,
    conflict: str,
    interactive: bool,
    data: dict[str, Any] | None = None,
) -> None:
    from copier import run_update

    try:
        run_update(
            path,
            data=data or {},
            vcs_ref=vcs_ref or "HEAD",
            conflict=conflict,
            overwrite=True,
            unsafe=True,
            skip_answered=True,
            defaults=not interactive,
            quiet=True,
        )
    except SourceError:
        raise
    except Exception as e:
        if isinstance(e, KeyboardInterrupt):
            raise
        raise AiEngError(one_line(e)) from e
