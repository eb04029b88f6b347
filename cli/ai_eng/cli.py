"""The `ai-eng` command line: parse, call ai_eng, print. Heavy imports stay inside commands."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from ai_eng import __version__

app = typer.Typer(
    name="ai-eng",
    help="Pick your kind of AI engineer and get a runnable, updatable starter repo.\n\n"
    "Examples:\n\n"
    "\b\n"
    "  ai-eng new my-app            # take the quiz, answer a few questions\n"
    "  ai-eng new my-rag -a data-pipeline --defaults\n"
    "  ai-eng list\n"
    "  ai-eng update my-app         # pull template improvements, keep your edits\n"
    "  ai-eng doctor -a ux",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

# The answer options `new` and `add` share (as in Copier).
Defaults = Annotated[
    bool, typer.Option("--defaults", help="Use default answers for anything not given.")
]
Data = Annotated[
    list[str] | None,
    typer.Option("--data", "-d", help="Answer a question: NAME=VALUE (repeatable)."),
]
DataFile = Annotated[Path | None, typer.Option("--data-file", help="YAML file of answers.")]
NewDest = Annotated[
    Path | None, typer.Argument(help="Folder to create (default: from the project name).")
]
Archetype = Annotated[
    str | None,
    typer.Option(
        "--archetype", "-a", help="Archetype or template name (see `ai-eng list`); skips the quiz."
    ),
]
Force = Annotated[
    bool, typer.Option("--force", help="Write into a non-empty folder (overwrites by name).")
]
VcsRef = Annotated[
    str | None,
    typer.Option("--vcs-ref", help="Template version (e.g. v0.2.0); default: this ai-eng's."),
]
With = Annotated[
    str | None,
    typer.Option("--with", help="Add a second template as a part (as `ai-eng add` does)."),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ai-eng {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    pass


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"error: {message}", fg="red", err=True)
    return typer.Exit(code)


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _parse_data(pairs: list[str], data_file: Path | None) -> dict[str, object]:
    data: dict[str, object] = {}
    if data_file is not None:
        import yaml

        try:
            loaded = yaml.safe_load(data_file.read_text()) or {}
        except (OSError, yaml.YAMLError) as e:
            raise _fail(f"cannot read --data-file {data_file}: {' '.join(str(e).split())}") from e
        if not isinstance(loaded, dict):
            raise _fail(f"--data-file {data_file} must hold a mapping of answers")
        data.update({k: v for k, v in loaded.items() if not str(k).startswith("_")})
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise _fail(f"--data expects KEY=VALUE, got '{pair}'")
        data[key.strip()] = value
    return data


def _pick(prompt: str, names: list[tuple[str, ...]]) -> int:
    """Ask until an option is given by its number or one of its names; return it 0-based."""
    while True:
        answer = typer.prompt(prompt).strip().lower()
        if answer.isdigit() and 1 <= int(answer) <= len(names):
            return int(answer) - 1
        for i, options in enumerate(names):
            if answer in options:
                return i
        words = ", ".join(n[0] for n in names)
        typer.echo(f"  enter a number from 1 to {len(names)}, or one of: {words}")


def _take_quiz() -> str:
    from ai_eng.catalog import list_templates
    from ai_eng.quiz import QUESTIONS, recommend

    templates = list_templates()
    keys = [(t.archetype, t.name, t.label.lower()) for t in templates]
    typer.echo(f"Which kind of AI engineer are you? {len(QUESTIONS)} quick questions.\n")
    picks = []
    for i, question in enumerate(QUESTIONS):
        typer.echo(f"{i + 1}. {question}")
        asked = [t for t in templates if len(t.quiz) > i]
        for j, t in enumerate(asked, 1):
            typer.echo(f"   {j}) {t.quiz[i]}")
        picks.append(asked[_pick("  your answer", [keys[templates.index(t)] for t in asked])])
        typer.echo()
    tpl = next(t for t in picks if t.archetype == recommend([t.archetype for t in picks]))
    typer.secho(f"You look like {tpl.persona}: {tpl.name}.", bold=True)
    if tpl.why:
        typer.echo(f"Why: {tpl.why}")
    if typer.confirm("Use this template?", default=True):
        return tpl.name
    for j, t in enumerate(templates, 1):
        typer.echo(f"   {j}) {t.label}: {t.name} ({t.summary})")
    return templates[_pick("Pick a template", keys)].name


def _default_dest(template: str, data: dict[str, object]) -> Path:
    from ai_eng.catalog import find_template, slugify

    if slug := data.get("project_slug"):
        return Path(str(slug))
    if name := data.get("project_name"):
        return Path(slugify(str(name)) or "my-project")
    return Path(find_template(template).folder)


DIRTY = "uncommitted template changes in the ai-eng checkout are not used; commit them"


def _quiz_or_fail(interactive: bool) -> str:
    """The archetype the quiz recommends (and the user accepts)."""
    if not interactive:
        raise _fail("missing answers (no terminal to ask): archetype. Pass -a/--archetype.")
    try:
        return _take_quiz()
    except (KeyboardInterrupt, typer.Abort):  # Ctrl-C at a prompt
        raise _fail("interrupted; nothing was written", 130) from None


def _named_defaults(dest: Path | None, answers: dict[str, object]) -> dict[str, object]:
    """A folder the user named is the project name's default (asked again on a terminal)."""
    name = dest.expanduser().absolute().name if dest is not None else ""
    if "project_name" not in answers and re.fullmatch(r"[A-Za-z][A-Za-z0-9 _.-]{0,59}", name):
        return {"project_name": name}
    return {}


@app.command("new")
def new(
    dest: NewDest = None,
    archetype: Archetype = None,
    defaults: Defaults = False,
    data: Data = None,
    data_file: DataFile = None,
    force: Force = False,
    git: Annotated[bool, typer.Option(help="git init and make an initial commit.")] = True,
    vcs_ref: VcsRef = None,
    with_: With = None,
) -> None:
    """Create a starter repo.

    Examples:

      ai-eng new my-app

      ai-eng new my-app -a ux --with rag-pipeline --defaults

      ai-eng new my-rag -a data-pipeline --defaults -d project_name="My RAG"

      ai-eng new lab -a researcher --data-file answers.yml
    """
    from ai_eng import project as do
    from ai_eng.catalog import find_template
    from ai_eng.source import SourceError

    answers = _parse_data(data or [], data_file)
    interactive = _interactive()
    key = archetype or (str(answers["template"]) if "template" in answers else None)
    key = key or _quiz_or_fail(interactive)
    try:
        tpl = find_template(key)
        part = do.composition(tpl.name, with_) if with_ else None
        answers = do.check_answers(tpl.name, answers, *([part.name] if part else []))
    except (LookupError, do.AiEngError) as e:
        raise _fail(str(e)) from e
    # Without DEST and with a terminal, the folder is the slug answered below.
    target = dest if dest is not None or interactive else _default_dest(tpl.name, answers)
    if target is not None and (problem := do.dest_problem(target.expanduser().absolute(), force)):
        raise _fail(problem)  # before any question
    if do.dirty_template_checkout():
        typer.secho(f"note: {DIRTY}", fg="yellow", err=True)
    notes: list[str] = []
    try:
        path = do.generate(
            tpl.name, target, data=answers, user_defaults=_named_defaults(dest, answers),
            defaults=defaults, force=force, interactive=interactive, git=git, vcs_ref=vcs_ref,
            note=notes.append, with_=part.name if part else None,
        )  # fmt: skip
    except (do.AiEngError, SourceError) as e:
        raise _fail(str(e)) from e
    except KeyboardInterrupt:
        raise _fail("interrupted; nothing was written", 130) from None
    from ai_eng.project_cli import print_created

    print_created(path, tpl, part, notes, shown=dest if dest is not None else target)


@app.command("add")
def add(
    template: Annotated[str, typer.Argument(help="Template (or archetype) to add as a part.")],
    project: Annotated[
        Path, typer.Option("--project", help="The generated project (default: here).")
    ] = Path("."),
    defaults: Defaults = False,
    data: Data = None,
    data_file: DataFile = None,
) -> None:
    """Add a second template to a generated project, in its own folder (rag/, chat/).

    It takes the project's name and providers from the project's answers, and updates the
    project's own part so that both know of each other. Needs a clean git tree; commits nothing.

    Examples:

      cd my-chat && ai-eng add rag-pipeline --defaults

      ai-eng add react-chat-ui --project my-rag
    """
    from ai_eng.project import AiEngError
    from ai_eng.project import add as do_add
    from ai_eng.source import SourceError

    answers = _parse_data(data or [], data_file)
    try:
        r = do_add(template, project, data=answers, defaults=defaults, interactive=_interactive())
    except (AiEngError, SourceError) as e:
        raise _fail(str(e)) from e
    except KeyboardInterrupt:
        raise _fail("interrupted; nothing was written", 130) from None
    from ai_eng.project_cli import print_added

    print_added(r)


@app.command("list")
def list_() -> None:
    """List the templates, what each is for and what it needs.

    Example:

      ai-eng list
    """
    from ai_eng.catalog import list_templates

    for t in list_templates():
        typer.secho(f"{t.name}  [{t.archetype}] {t.label}", bold=True)
        typer.echo(f"  {t.summary}")
        typer.echo(f"  needs: {', '.join(t.needs) or '-'}")
        if t.optional:
            typer.echo(f"  uses when present: {', '.join(t.optional)}")
        typer.echo(f"  new: ai-eng new {t.folder} -a {t.archetype}")


@app.command("update")
def update(
    path: Annotated[Path, typer.Argument(help="The generated project.")] = Path("."),
    vcs_ref: Annotated[
        str | None,
        typer.Option(
            "--vcs-ref", help="Template version (git ref) to update to; default: this ai-eng's."
        ),
    ] = None,
    pretend: Annotated[
        bool, typer.Option("--pretend", help="Show what would change; write nothing.")
    ] = False,
    conflict: Annotated[
        str, typer.Option("--conflict", help="inline (conflict markers) or rej (.rej files).")
    ] = "inline",
) -> None:
    """Pull the template changes of this ai-eng into a project, keeping your edits.

    Needs a clean git tree. Works offline and on any machine with ai-eng installed.

    Examples:

      cd my-app && ai-eng update

      ai-eng update my-app --pretend

      ai-eng update my-app --conflict rej
    """
    from ai_eng.project import UNDO, AiEngError
    from ai_eng.project import update as do_update
    from ai_eng.source import SourceError

    try:
        results = do_update(
            path, vcs_ref=vcs_ref, pretend=pretend, conflict=conflict, interactive=_interactive()
        )
    except (AiEngError, SourceError) as e:
        raise _fail(str(e)) from e
    except KeyboardInterrupt:
        raise _fail(f"interrupted; `{UNDO}` in the project restores it", 130) from None
    from ai_eng.project_cli import print_updates

    print_updates(results, pretend=pretend, conflict=conflict)


@app.command("doctor")
def doctor(
    archetype: Annotated[
        str | None,
        typer.Option("--archetype", "-a", help="Archetype or template name (see `ai-eng list`)."),
    ] = None,
    report: Annotated[
        bool, typer.Option("--report", help="A block to paste into the workshop chat.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Machine-readable, for instructors.")
    ] = False,
    kit: Annotated[
        Path | None, typer.Option("--kit", help="Also check this offline kit has what we need.")
    ] = None,
) -> None:
    """Check this machine for what a template needs; exit 1 if something required is missing.

    Examples:

      ai-eng doctor

      ai-eng doctor -a ux --report --kit /media/usb/kit
    """
    from ai_eng.doctor import run_checks
    from ai_eng.doctor_cli import show

    tpl = None
    if archetype:
        from ai_eng.catalog import find_template

        try:
            tpl = find_template(archetype)
        except LookupError as e:
            raise _fail(str(e)) from e
    try:
        results = run_checks(tpl, kit=kit.expanduser().absolute() if kit else None)
    except KeyboardInterrupt:
        raise _fail("interrupted", 130) from None
    if not show(results, tpl.archetype if tpl else None, report=report, as_json=as_json):
        raise typer.Exit(1)


from ai_eng.kit_cli import kit_app  # noqa: E402  (a sub-app: ai-eng kit build/install/env)

app.add_typer(kit_app, name="kit")


def main() -> None:
    app()
