"""Generate and update projects: a thin layer over Copier's run_copy/run_update."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ai_eng.catalog import Template, find_template, list_templates
from ai_eng.source import (
    BUNDLE_SRC,
    SourceError,
    ensure_bundle,
    root_config,
    template_repo,
    templates_dir,
)
from ai_eng.versions import Release, crossed, display_version, parse_changelog

ANSWERS_FILE = ".copier-answers.yml"


class AiEngError(Exception):
    """A user-facing failure: printed as one line, exit code 1."""


class MissingAnswers(AiEngError):
    def __init__(self, names: list[str]):
        self.names = names
        super().__init__(
            "missing answers (no terminal to ask): "
            + ", ".join(names)
            + ". Pass them with -d NAME=VALUE, or --defaults."
        )


# --------------------------------------------------------------------------- new


def _questions(template: str) -> dict[str, dict[str, Any]]:
    """The questions Copier asks for `template`, read from the checkout/package."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!include", lambda loader, node: {})
    docs = list(yaml.load_all(root_config().read_text(), Loader=Loader))
    qfile = templates_dir() / template / "questions.yml"
    if qfile.is_file():
        docs.append(yaml.load(qfile.read_text(), Loader=Loader))
    merged: dict[str, dict[str, Any]] = {}
    for doc in docs:
        for key, value in (doc or {}).items():
            if not key.startswith("_"):
                merged[key] = value if isinstance(value, dict) else {"default": value}
    return merged


def missing_answers(template: str, data: dict[str, Any]) -> list[str]:
    """Questions Copier would have to ask, given `data` (names, in order)."""
    import jinja2
    from jinja2_ansible_filters import AnsibleCoreFiltersExtension

    # As Copier renders them: includes relative to the folder holding templates/.
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir().parent),
        extensions=[AnsibleCoreFiltersExtension],
    )
    missing = []
    for name, spec in _questions(template).items():
        if name in data:
            continue
        when = spec.get("when", True)
        if isinstance(when, str):
            when = env.from_string(when).render(**data).strip().lower() not in (
                "",
                "false",
                "no",
                "0",
                "none",
            )
        if when:
            missing.append(name)
    return missing


_TRUE = {"y", "yes", "t", "true", "on", "1"}
_FALSE = {"n", "no", "f", "false", "off", "0"}


def check_answers(template: str, data: dict[str, Any], *also: str) -> dict[str, Any]:
    """Answers given on the command line, typed as the questions say; AiEngError naming the
    question when a name is unknown or a value does not fit. `also`: more templates whose
    questions the answers may be for (`new --with`)."""
    import difflib

    questions = {k: v for t in (*also, template) for k, v in _questions(t).items()}
    links = {f"{t.compose_dir}_dir" for t in list_templates() if t.compose_dir}
    typed: dict[str, Any] = {}
    for name, value in data.items():
        if name in links:
            raise AiEngError(
                f"'{name}' is set by `ai-eng add` and `ai-eng new --with`, not by hand"
            )
        if name not in questions:
            close = difflib.get_close_matches(name, questions, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            where = " or ".join((template, *also))
            raise AiEngError(f"'{name}' is not a question of {where}{hint}")
        spec = questions[name]
        kind = spec.get("type", "str" if "choices" in spec else "yaml")
        text = str(value).strip().lower()
        if kind == "bool" and not isinstance(value, bool):
            if text not in _TRUE | _FALSE:
                raise AiEngError(f"question '{name}' expects true or false, got '{value}'")
            value = text in _TRUE
        elif kind in ("int", "float") and isinstance(value, str):
            try:
                value = int(value) if kind == "int" else float(value)
            except ValueError:
                raise AiEngError(f"question '{name}' expects a number, got '{value}'") from None
        if "choices" in spec and not spec.get("multiselect"):
            choices = spec["choices"]
            allowed = list(choices.values()) if isinstance(choices, dict) else list(choices)
            if value not in allowed:
                raise AiEngError(
                    f"question '{name}' expects one of {', '.join(map(str, allowed))}; "
                    f"got '{value}'"
                )
        typed[name] = value
    return typed


def _git_available() -> bool:
    return shutil.which("git") is not None


FALLBACK_IDENTITY = ("ai-eng", "ai-eng@localhost")


def _initial_commit(path: Path, note: Callable[[str], None]) -> None:
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


def _plan(src: Path, dest: Path, rel: Path = Path()) -> tuple[list[str], list[str]]:
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
            more = _plan(entry, target, rel / entry.name)
            overwritten += more[0]
            collisions += more[1]
        elif entry_dir or target_dir:
            collisions.append(f"{name}/" if target_dir else name)
        else:
            overwritten.append(name)
    return overwritten, collisions


def _lay_over(src: Path, dest: Path, backup: Path) -> None:
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


def _mkdirs(path: Path) -> list[Path]:
    """mkdir -p; return the folders created, deepest first (to undo)."""
    created = []
    for folder in [path, *path.parents]:
        if folder.exists():
            break
        created.append(folder)
    for folder in reversed(created):
        folder.mkdir()
    return created


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
    """Render `template` (archetype or template name) into `dest` and return it.

    With `with_` (a template name), that template is added as a part in its folder
    (`compose_dir`), as `ai-eng add` would, before the one initial commit.

    With `dest` None the folder is the `project_slug` answer, under the current folder.
    The project is rendered into a hidden staging folder (inside `dest` when it exists,
    beside it otherwise) and moved into place only when everything succeeded: a failure
    or Ctrl-C leaves `dest` as it was. With `force`, files `dest` already has are
    overwritten (each is reported through `note`); a file where the template has a
    folder, or the reverse, is refused before anything is written.
    """
    note = note or (lambda message: None)
    tpl: Template = find_template(template)
    if dest is not None:
        dest = Path(dest).expanduser().absolute()
        if problem := dest_problem(dest, force):
            raise AiEngError(problem)
    answers = {**(data or {}), "template": tpl.name}
    part: Template | None = None
    if with_ is not None:
        part = composition(tpl.name, with_)
        own = _questions(tpl.name)
        answers = {k: v for k, v in answers.items() if k in own}
        answers[link_answer(part)] = part.compose_dir
    if not interactive:  # nobody to confirm a suggested default: it becomes the answer
        answers, user_defaults = {**(user_defaults or {}), **answers}, None
    if not interactive and not defaults and (missing := missing_answers(tpl.name, answers)):
        raise MissingAnswers(missing)
    if part is not None and not interactive and not defaults:
        missing = missing_answers(part.name, part_answers(answers, tpl, part, data or {}))
        if missing:
            raise MissingAnswers(missing)
    if not _git_available():
        raise AiEngError(
            "git is not installed (ai-eng reads the template history with it); install git"
        )

    src = ensure_bundle()
    if dest is None:
        stage_in = Path.cwd()
    elif dest.is_dir():
        stage_in = dest
    else:
        stage_in = dest.parent
    created: list[Path] = []
    try:
        created = _mkdirs(stage_in)
        tmp = Path(tempfile.mkdtemp(prefix=".ai-eng-new-", dir=stage_in))
    except OSError as e:
        _remove_empty(created)
        raise AiEngError(f"cannot write to {stage_in}: {e.strerror or e}") from e
    project = tmp / "project"
    placed = False
    try:
        _render(
            src,
            project,
            answers,
            user_defaults=user_defaults,
            vcs_ref=vcs_ref or "HEAD",
            defaults=defaults,
        )
        if part is not None:
            _render(
                src,
                project / part.compose_dir,
                part_answers(read_answers(project), tpl, part, data or {}),
                vcs_ref=vcs_ref or "HEAD",
                defaults=defaults,
            )
        if dest is None:
            slug = read_answers(project).get("project_slug") or tpl.name
            dest = stage_in / str(slug)
            if problem := dest_problem(dest, force):
                raise AiEngError(problem)
        overwritten, collisions = _plan(project, dest) if dest.is_dir() else ([], [])
        if collisions:
            raise AiEngError(
                f"{dest} has a file where the template has a folder, or the reverse: "
                f"{', '.join(collisions)}; nothing was written (move them away and retry)"
            )
        if git and not (dest / ".git").exists():
            _initial_commit(project, note)
        if dest.is_dir():
            _lay_over(project, dest, tmp / "backup")
        else:
            os.rename(project, dest)
        placed = True
    except OSError as e:
        raise AiEngError(f"cannot write to {dest or stage_in}: {e.strerror or e}") from e
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if not placed:
            _remove_empty(created)
    for name in overwritten:
        note(f"overwrote {name}")
    return dest


def _render(
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
        raise AiEngError(_one_line(e)) from e


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:  # deepest first
        try:
            folder.rmdir()
        except OSError:
            break


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text


def dirty_template_checkout() -> bool:
    """True when running from a template checkout with uncommitted template changes."""
    repo = template_repo()
    if repo is None or not _git_available():
        return False
    out = subprocess.run(
        ["git", "status", "--porcelain", "--", "copier.yml", "templates"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    return bool(out.stdout.strip())


# --------------------------------------------------------------------------- add

#: Answers an added part takes from the project's own answers (never asked again).
SHARED_ANSWERS = (
    "project_name",
    "project_slug",
    "package_name",
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
        or link_answer(part) not in _questions(tpl.name)
        or link_answer(tpl) not in _questions(part.name)
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
    own = _questions(part.name)
    answers = {k: primary[k] for k in SHARED_ANSWERS if k in primary and k in own}
    answers.update({k: v for k, v in given.items() if k in own})
    return {**answers, "template": part.name, link_answer(tpl): ".."}


def project_parts(project: Path) -> list[Path]:
    """The project's own folder, then each part added to it (a folder holding an answers
    file whose template source is ai-eng's)."""
    import yaml

    found = [project]
    for answers_file in sorted(project.glob(f"*/{ANSWERS_FILE}")):
        try:
            answers = yaml.safe_load(answers_file.read_text()) or {}
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(answers, dict) and answers.get("_src_path") == BUNDLE_SRC:
            found.append(answers_file.parent)
    return found


def _require_clean_git(path: Path, doing: str) -> None:
    if not _git_available():
        raise AiEngError(f"git is not installed; ai-eng {doing} needs it (install git and retry)")
    if _git_out(path, "rev-parse", "--show-toplevel").returncode != 0:
        raise AiEngError(
            f"{path} is not a git repository; run `git init && git add -A && git commit` first"
        )
    if _git_out(path, "status", "--porcelain").stdout.strip():
        raise AiEngError(f"{path} has uncommitted changes; commit or stash them, then {doing}")


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
    if not project.is_dir():
        raise AiEngError(f"{project} is not a folder")
    answers = read_answers(project)
    if answers.get("_src_path") != BUNDLE_SRC or not answers.get("template"):
        raise AiEngError(
            f"{project} was not generated by ai-eng (its {ANSWERS_FILE} names another template)"
        )
    tpl = find_template(str(answers["template"]))
    part = composition(tpl.name, template)
    for held in project_parts(project)[1:]:
        if read_answers(held).get("template") == part.name:
            raise AiEngError(f"this project already holds {part.name} (in {held.name}/)")
    if where := answers.get(link_answer(part)):  # e.g. the RAG part of a chat project
        raise AiEngError(f"this project already holds {part.name} (in {where}/)")
    folder = project / part.compose_dir
    if os.path.lexists(folder):
        raise AiEngError(f"{folder} already exists; move it away, then add {part.name}")
    _require_clean_git(project, "add")
    given = check_answers(part.name, data or {})
    new_answers = part_answers(answers, tpl, part, given)
    if not interactive and not defaults and (missing := missing_answers(part.name, new_answers)):
        raise MissingAnswers(missing)

    src = ensure_bundle()
    ref = str(answers.get("_commit") or "HEAD")
    with _History(src) as history:
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
    try:
        stage = Path(tempfile.mkdtemp(prefix=".ai-eng-add-", dir=project.parent))
    except OSError:
        stage = Path(tempfile.mkdtemp(prefix="ai-eng-add-"))
    updated = False
    try:
        _render(src, stage / part.compose_dir, new_answers, vcs_ref=ref, defaults=defaults)
        updated = True
        _run_update(
            project, ref, "inline", interactive=False, data={link_answer(part): part.compose_dir}
        )
        shutil.move(stage / part.compose_dir, folder)
    except BaseException:
        if updated:  # the tree was clean: this is exactly what it was
            _git_out(project, "reset", "--hard", "--quiet")
            _git_out(project, "clean", "-fdq")
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    conflicts, added, _, modified = _status(project)
    root = _git_prefix(project)
    inside = f"{root}{part.compose_dir}/"
    return AddResult(
        folder,
        part.name,
        display_version(str(read_answers(folder).get("_commit", ref))),
        conflicts,
        [m for m in modified if m != f"{root}{ANSWERS_FILE}" and not m.startswith(inside)],
        added,
    )


def _git_prefix(path: Path) -> str:
    """`path` relative to its repository's top, as git prints paths (`''` or `sub/`)."""
    return _git_out(path, "rev-parse", "--show-prefix").stdout.strip()


# ------------------------------------------------------------------------ update


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


def read_answers(path: Path) -> dict[str, Any]:
    import yaml

    answers_file = path / ANSWERS_FILE
    if not answers_file.is_file():
        raise AiEngError(f"{path} has no {ANSWERS_FILE}: not a project generated by ai-eng/Copier")
    return yaml.safe_load(answers_file.read_text()) or {}


def _git_out(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=path, capture_output=True, text=True)


class _History:
    """The template history in the bundle (a bare clone in a temporary folder)."""

    def __init__(self, src: str) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="ai-eng-history-")
        self.repo = Path(self._tmp.name) / "repo"
        bundle = str(Path(src).expanduser())
        self.ok = _git_out(Path(self._tmp.name), "clone", "--bare", "--quiet", bundle, "repo")
        self.ok = self.ok.returncode == 0

    def __enter__(self) -> _History:
        return self

    def __exit__(self, *exc: object) -> None:
        self._tmp.cleanup()

    def knows(self, ref: str) -> bool:
        if not self.ok:
            return True  # let Copier report what is wrong with the source
        check = _git_out(self.repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        return check.returncode == 0

    def describe(self, ref: str) -> str:
        out = _git_out(self.repo, "describe", "--tags", "--always", ref)
        return out.stdout.strip() if out.returncode == 0 else ref

    def has_question(self, ref: str, template: str, name: str) -> bool:
        """Whether `template` asks `name` at version `ref`."""
        if not self.ok:
            return True
        shown = _git_out(self.repo, "show", f"{ref}:templates/{template}/questions.yml")
        return shown.returncode == 0 and f"\n{name}:" in f"\n{shown.stdout}"

    def release_notes(self, old: str, new: str, template: str) -> list[Release]:
        """The releases of `template`'s CHANGELOG.md (read at version `new`) that an update
        from `old` to `new` crosses, newest first."""
        if not (self.ok and self.knows(old) and self.knows(new)):
            return []
        shown = _git_out(self.repo, "show", f"{new}:templates/{template}/project/CHANGELOG.md")
        if shown.returncode != 0:  # a template version before changelogs
            return []
        return crossed(parse_changelog(shown.stdout), old, new)


def _status(path: Path) -> tuple[list[str], list[str], list[str], list[str]]:
    """(conflicts, added, removed, modified) in a project's work tree, relative paths."""
    unmerged = set(_git_out(path, "diff", "--name-only", "--diff-filter=U").stdout.split("\n"))
    unmerged.discard("")
    out = _git_out(path, "-c", "core.quotePath=false", "status", "--porcelain", "-uall").stdout
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
    return _status(path)[0]


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
    _require_clean_git(path, "update")
    if conflict not in ("inline", "rej"):
        raise AiEngError(f"--conflict must be 'inline' or 'rej', not '{conflict}'")

    parts = project_parts(path)
    olds = [read_answers(part) for part in parts]
    if any(a.get("_src_path") == BUNDLE_SRC for a in olds):
        ensure_bundle()
    with _History(BUNDLE_SRC) as history:
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
                top = Path(_git_out(path, "rev-parse", "--show-toplevel").stdout.strip())
                _git_out(Path(tmp), "clone", "--quiet", "--no-hardlinks", str(top), str(clone))
                clone = clone / path.relative_to(top)
                news, status = _update_parts(clone, parts, path, vcs_ref, conflict, interactive)
        else:
            news, status = _update_parts(path, parts, path, vcs_ref, conflict, interactive)
        results = []
        for part, answers, new in zip(parts, olds, news, strict=True):
            old = str(answers.get("_commit", "?"))
            template = str(answers.get("template", ""))
            bundled = answers.get("_src_path") == BUNDLE_SRC
            notes = history.release_notes(old, new, template) if bundled else []
            results.append(
                UpdateResult(
                    part, display_version(old), display_version(new), notes, template=template
                )
            )
    # Each changed file goes to the deepest part holding it.
    prefix = _git_prefix(path)
    folders = [prefix + (f"{p.relative_to(path).as_posix()}/" if p != path else "") for p in parts]
    for kind, names in zip(("conflicts", "added", "removed", "modified"), status, strict=True):
        for name in names:
            if kind == "modified" and any(name == f + ANSWERS_FILE for f in folders):
                continue
            owner = max(
                (i for i, f in enumerate(folders) if name.startswith(f)),
                key=lambda i: len(folders[i]),
                default=0,
            )
            getattr(results[owner], kind).append(name)
    return results


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
    top = Path(_git_out(project, "rev-parse", "--show-toplevel").stdout.strip())
    for part in parts:
        where = project / part.relative_to(real)
        # Copier marks inline conflicts as unmerged in the index; the next part's update
        # needs an index it can write as a tree. Set the marks aside, put them back after.
        aside += _set_aside_conflicts(top)
        _run_update(where, vcs_ref, conflict, interactive)
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
    return new, _status(project)


def _set_aside_conflicts(top: Path) -> list[str]:
    """Reset the unmerged index entries of the repository at `top` to HEAD (the files keep
    their conflict markers); return them as `git ls-files -u` lines (`update-index` input)."""
    lines = _git_out(top, "ls-files", "-u").stdout.splitlines()
    if lines:
        _git_out(top, "reset", "--quiet", "--", *sorted({ln.split("\t", 1)[1] for ln in lines}))
    return lines


def _run_update(
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
        raise AiEngError(_one_line(e)) from e
