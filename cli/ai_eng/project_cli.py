"""How `ai-eng new`, `add` and `update` print what they did."""

from __future__ import annotations

from pathlib import Path

import typer

from ai_eng.catalog import Template
from ai_eng.compose import AddResult
from ai_eng.update import UNDO, UpdateResult
from ai_eng.versions import SECTIONS, Release

#: What a project holding the chat and the RAG part runs (its root Makefile delegates).
COMPOSED_COMMANDS = ("make setup && make ingest && make dev", "make test")

INLINE_HELP = (
    "Each conflict holds both sides between `<<<<<<< before updating` and "
    "`>>>>>>> after updating`: keep what you want, remove the markers"
)
REVIEW = "Review with `git status` and `git diff`, then `git add -A && git commit`."


def _files(*groups: tuple[str, list[str]], loud: str = "") -> None:
    for title, names in groups:
        if names:
            typer.secho(f"{title} ({len(names)}):", fg="yellow" if title == loud else None)
            for name in names:
                typer.echo(f"  {name}")


def print_created(
    path: Path, tpl: Template, part: Template | None, notes: list[str], shown: Path | None
) -> None:
    overwritten = [n.removeprefix("overwrote ") for n in notes if n.startswith("overwrote ")]
    for line in notes:
        if not line.startswith("overwrote "):
            typer.secho(f"note: {line}", fg="yellow", err=True)
    if overwritten:
        typer.secho(f"--force overwrote {len(overwritten)} of your files:", fg="yellow")
        for name in overwritten:
            typer.echo(f"  {name}")
    made = f"{tpl.name} + {part.name} (in {part.compose_dir}/)" if part else tpl.name
    typer.secho(f"Created {path} from {made}.", fg="green")
    typer.echo("Next:")
    if path != Path.cwd():
        typer.echo(f"  cd {shown or Path(path.name)}")
    for command in COMPOSED_COMMANDS if part else tpl.commands:
        typer.echo(f"  {command}")


def print_added(r: AddResult) -> None:
    """Every file `ai-eng add` wrote or changed, then what to do."""
    typer.secho(f"Added {r.template} {r.version} in {r.path}.", fg="green")
    _files(
        ("Conflicts", r.conflicts),
        ("New files", r.added),
        ("Changed files", r.modified),
        loud="Conflicts",
    )
    if r.conflicts:
        typer.echo(f"{INLINE_HELP}.")
    typer.echo(REVIEW)
    typer.echo(f"Undo: {UNDO}")
    typer.echo("Next:")
    for command in COMPOSED_COMMANDS:
        typer.echo(f"  {command}")


def print_updates(results: list[UpdateResult], *, pretend: bool, conflict: str) -> None:
    several = len(results) > 1
    for r in results:
        print_update(r, pretend, conflict, f" ({r.template})" if several else "")
    if not any(r.changed for r in results):
        return
    if pretend:
        typer.echo("Nothing was written.")
        return
    if any(r.conflicts for r in results) and conflict == "inline":
        typer.echo(f"{INLINE_HELP}, `git add` the file.")
    elif any(r.conflicts for r in results):
        typer.echo(
            "Each file has the template's new version; its .rej holds your change that did not "
            "apply: re-apply what you still want by hand, then delete the .rej."
        )
    typer.echo(REVIEW)
    typer.echo(f"Undo the whole update: {UNDO}")


def print_update(r: UpdateResult, pretend: bool, conflict: str, label: str) -> None:
    """One part's update: versions, the template's changes, the files."""
    versions = f"{r.old} \u2192 {r.new}" if r.old != r.new else f"{r.new} (same version)"
    if not r.changed:
        typer.echo(f"{r.path}{label} is up to date with template {r.new}; nothing to change.")
        return
    if pretend:
        typer.echo(f"Pretend: updating {r.path}{label}, template {versions}, would change:")
    else:
        typer.secho(f"Updated {r.path}{label}: template {versions}.", fg="green")
    print_notes(r.notes, r.template)
    for title, names in (
        ("Conflicts" if conflict == "inline" else "Rejected changes", r.conflicts),
        ("New files", r.added),
        ("Removed files", r.removed),
        ("Changed files", r.modified),
    ):
        if names:
            typer.secho(f"{title} ({len(names)}):", fg="yellow" if names is r.conflicts else None)
            for name in names:
                typer.echo(f"  {name}")


def print_notes(notes: list[Release], template: str) -> None:
    """The release notes of the versions an update crossed: the upgrade notes first, loud."""
    if upgrade := [n for n in notes if n.upgrade_notes]:
        typer.secho("Upgrade notes: do these before you go on", fg="yellow", bold=True)
        for release in upgrade:
            typer.secho(f"  {release.version}:", bold=True)
            for line in release.upgrade_notes:
                typer.secho(f"    {line}", fg="yellow")
    if any(release.sections.get(s) for release in notes for s in SECTIONS):
        typer.echo(f"What changed in {template}:")
    for release in notes:
        if shown := [s for s in SECTIONS if release.sections.get(s)]:
            typer.echo(f"  {release.version}")
        for section in shown:
            typer.echo(f"    {section}:")
            for line in release.sections[section]:
                typer.echo(f"      {line}")
