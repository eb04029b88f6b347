"""`ai-eng add`: a second template as a part of a project, in its own folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ai_eng.answers import (
    ANSWERS_FILE,
    check_answers,
    missing_answers,
    project_parts,
    questions,
    read_answers,
)
from ai_eng.catalog import Template, find_template, list_templates
from ai_eng.errors import AiEngError, MissingAnswers
from ai_eng.gitops import git, git_prefix, project_changed, require_clean_git, status
from ai_eng.source import BUNDLE_SRC, ensure_bundle
from ai_eng.staging import render
from ai_eng.update import History, run_update
from ai_eng.versions import display_version

#: Answers an added part takes from the project's own answers (never asked again; see
#: templates/README.md): the root copier.yml's shared questions but `template`,
#: `include_docker_compose` (each part runs its own services) and `package_name` (the part's
#: package is its own, `<project's package_name>_<compose_dir>`: `my_app_rag`).
SHARED_ANSWERS = (
    "project_name",
    "project_slug",
    "description",
    "llm_provider",
    "include_exercises",  # an instructor's project has exercises in every part
)


def link_answer(part: Template) -> str:
    """The hidden answer through which the other part learns where `part` is (`rag_dir`)."""
    return f"{part.compose_dir}_dir"


def composition(primary: str, added: str) -> Template:
    """The template `added` (name or archetype) as a part of a `primary` project."""
    try:
        tpl, part = find_template(primary), find_template(added)
    except LookupError as e:
        raise AiEngError(str(e)) from None
    composable = [t.name for t in list_templates() if t.compose_dir]
    if part.name == tpl.name:
        raise AiEngError(f"this project already holds {part.name}")
    if (
        not (tpl.compose_dir and part.compose_dir)
        or link_answer(part) not in questions(tpl.name)
        or link_answer(tpl) not in questions(part.name)
    ):
        raise AiEngError(
            f"{part.name} cannot be added to a {tpl.name} project "
            f"(ai-eng composes {' and '.join(composable)}; create it on its own with ai-eng new)"
        )
    return part


def part_answers(
    primary: dict[str, Any], tpl: Template, part: Template, given: dict[str, Any]
) -> dict[str, Any]:
    """The answers of the part `part` added to a `tpl` project whose answers are `primary`."""
    own = questions(part.name)
    answers = {k: primary[k] for k in SHARED_ANSWERS if k in primary and k in own}
    if primary.get("package_name"):  # a package of its own, never the project's name again
        answers["package_name"] = f"{primary['package_name']}_{part.compose_dir}"
    answers.update({k: v for k, v in given.items() if k in own})
    return {**answers, "template": part.name, link_answer(tpl): ".."}


@dataclass
class AddResult:
    path: Path  # the new part's folder
    template: str
    version: str
    conflicts: list[str] = field(default_factory=list)  # in the project's own files
    modified: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # every new file, the new part's included


def add(
    template: str,
    project: str | Path = ".",
    *,
    data: dict[str, Any] | None = None,
    defaults: bool = False,
    interactive: bool = False,
) -> AddResult:
    """Add `template` to a generated project as a part in its own folder (`compose_dir`).

    The part is rendered at the project's template version with the answers it shares with
    the project; then the project's own part is updated (a normal Copier update at the same
    version) with the hidden answer that tells it where the new part is. On any failure the
    project is left as it was. Nothing is committed.
    """
    project = Path(project).expanduser().absolute()
    answers = _addable(project, template)
    tpl = find_template(str(answers["template"]))
    part = composition(tpl.name, template)
    require_clean_git(project, "add")
    new_answers = part_answers(answers, tpl, part, check_answers(part.name, data or {}))
    if not interactive and not defaults and (missing := missing_answers(part.name, new_answers)):
        raise MissingAnswers(missing)
    src = ensure_bundle()
    ref = str(answers.get("_commit") or "HEAD")
    _check_version(src, ref, tpl, part)
    try:
        attach(project, part, new_answers, src=src, ref=ref, defaults=defaults)
    except BaseException:
        if project_changed(project):  # the tree was clean: this is exactly what it was
            git(project, "reset", "--hard", "--quiet")
            git(project, "clean", "-fdq")
        raise
    conflicts, added, _, modified = status(project)
    root = git_prefix(project)
    inside = f"{root}{part.compose_dir}/"
    folder = project / part.compose_dir
    return AddResult(
        folder,
        part.name,
        display_version(str(read_answers(folder).get("_commit", ref))),
        conflicts,
        [m for m in modified if m != f"{root}{ANSWERS_FILE}" and not m.startswith(inside)],
        added,
    )


def attach(
    project: Path, part: Template, answers: dict[str, Any], *, src: str, ref: str, defaults: bool
) -> None:
    """Render `part` with `answers` at template version `ref` into its folder of `project`,
    and update the project's own part (a Copier update at the same version) with the hidden
    answer that says where the part is: the one path `ai-eng add` and `ai-eng new --with`
    take. `project` must be a clean git tree; the caller undoes a failure."""
    try:
        stage = Path(tempfile.mkdtemp(prefix=".ai-eng-add-", dir=project.parent))
    except OSError:
        stage = Path(tempfile.mkdtemp(prefix="ai-eng-add-"))
    try:
        render(src, stage / part.compose_dir, answers, vcs_ref=ref, defaults=defaults)
        link = {link_answer(part): part.compose_dir}
        run_update(project, ref, "inline", interactive=False, data=link)
        shutil.move(stage / part.compose_dir, project / part.compose_dir)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _addable(project: Path, template: str) -> dict[str, Any]:
    """The answers of `project`, when `template` can be added to it (else AiEngError)."""
    if not project.is_dir():
        raise AiEngError(f"{project} is not a folder")
    answers = read_answers(project)
    if answers.get("_src_path") != BUNDLE_SRC or not answers.get("template"):
        raise AiEngError(
            f"{project} was not generated by ai-eng (its {ANSWERS_FILE} names another template)"
        )
    part = composition(str(answers["template"]), template)
    for held in project_parts(project)[1:]:
        if read_answers(held).get("template") == part.name:
            raise AiEngError(f"this project already holds {part.name} (in {held.name}/)")
    if where := answers.get(link_answer(part)):  # e.g. the RAG part of a chat project
        raise AiEngError(f"this project already holds {part.name} (in {where}/)")
    folder = project / part.compose_dir
    if os.path.lexists(folder):
        raise AiEngError(f"{folder} already exists; move it away, then add {part.name}")
    return answers


def _check_version(src: str, ref: str, tpl: Template, part: Template) -> None:
    with History(src) as history:
        if not history.knows(ref):
            raise AiEngError(
                f"this project is at template version {display_version(ref)}, which this ai-eng "
                "does not know; upgrade ai-eng (pip install -U ai-eng) and retry"
            )
        if not history.has_question(ref, tpl.name, link_answer(part)):
            raise AiEngError(
                f"this project's template version {display_version(ref)} predates ai-eng add; "
                "run `ai-eng update`, commit, then add"
            )
