"""`ai-eng kit …`: build an offline kit for a workshop room, install from it, check it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

kit_app = typer.Typer(
    help="An offline kit for a workshop room: every wheel and npm package the starters need.\n\n"
    "Examples:\n\n"
    "\b\n"
    "  ai-eng kit build /media/usb/kit -a data-pipeline -a ux\n"
    "  ai-eng kit build kit --platform linux-x86_64 --platform macos-arm64 --python 3.12\n"
    "  ai-eng kit install /media/usb/kit      # on each laptop, network off\n"
    '  eval "$(ai-eng kit env /media/usb/kit)"  # then `make setup` installs from the kit',
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"error: {message}", fg="red", err=True)
    return typer.Exit(code)


def _answers(pairs: list[str], templates: list[str]) -> dict[str, dict[str, object]]:
    from ai_eng.answers import check_answers, questions
    from ai_eng.errors import AiEngError

    given: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise _fail(f"--data expects KEY=VALUE, got '{pair}'")
        given[key.strip()] = value
    out: dict[str, dict[str, object]] = {}
    for name in templates:
        mine = {k: v for k, v in given.items() if k in questions(name)}
        try:
            out[name] = check_answers(name, mine)
        except AiEngError as e:
            raise _fail(str(e)) from e
    unknown = [k for k in given if not any(k in questions(t) for t in templates)]
    if unknown:
        raise _fail(f"'{unknown[0]}' is not a question of {', '.join(templates)}")
    return out


Archetypes = Annotated[
    list[str] | None,
    typer.Option("--archetype", "-a", help="Archetype or template (repeatable; default: all)."),
]
Platforms = Annotated[
    list[str] | None,
    typer.Option(
        "--platform",
        help="linux-x86_64, macos-arm64, windows-x86_64 or all (repeatable; default: this "
        "machine's, which must be linux-x86_64 for the CPU torch).",
    ),
]
Pythons = Annotated[
    list[str] | None,
    typer.Option("--python", help="Python versions of the laptops, e.g. 3.12 (repeatable)."),
]
RoomData = Annotated[
    list[str] | None,
    typer.Option("--data", "-d", help="An answer the room will give `ai-eng new` (NAME=VALUE)."),
]
TorchIndex = Annotated[
    str, typer.Option("--torch-index", help="Where Linux's CPU-only torch comes from.")
]


@kit_app.command("build")
def build(
    kit: Annotated[Path, typer.Argument(help="Folder to fill (a USB stick, a LAN share).")],
    archetype: Archetypes = None,
    platforms: Platforms = None,
    pythons: Pythons = None,
    data: RoomData = None,
    torch_index: TorchIndex = "",
) -> None:
    """Fill KIT with ai-eng, each template's wheels and npm packages, and a manifest.

    Run it again with more templates, platforms or Python versions: it adds to the kit.
    """
    import tempfile

    from ai_eng.catalog import find_template, list_templates
    from ai_eng.kit import TORCH_CPU_INDEX, KitError, merge_manifest, plan_build, write_manifest
    from ai_eng.kit_check import load_manifest
    from ai_eng.kit_platforms import pick_platforms, this_python

    try:
        names = [find_template(a).name for a in archetype or []] or [
            t.name for t in list_templates()
        ]
        plats = pick_platforms(platforms or [])
    except (LookupError, KitError) as e:
        raise _fail(str(e)) from e
    pys = list(dict.fromkeys(pythons or [this_python()]))
    answers = _answers(data or [], names)
    kit = kit.expanduser().absolute()
    previous = None
    if (kit / "manifest.json").is_file():
        try:
            previous = load_manifest(kit)
        except KitError as e:
            raise _fail(str(e)) from e
    elif kit.exists() and any(kit.iterdir()):
        raise _fail(f"{kit} is not empty and holds no kit; pick an empty or new folder")
    with tempfile.TemporaryDirectory(prefix="ai-eng-kit-") as work:
        steps, manifest = plan_build(
            kit, names, plats, pys, answers, Path(work), torch_index or TORCH_CPU_INDEX
        )
        _run_steps(steps)
    if previous:  # keep what earlier builds added (other templates, platforms, Pythons)
        manifest = merge_manifest(previous, manifest)
    _print_kit(kit, write_manifest(kit, manifest))


def _run_steps(steps: list) -> None:
    """Run the kit's steps under one progress bar."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ai_eng.kit import KitError
    from ai_eng.project import AiEngError
    from ai_eng.source import SourceError

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, transient=False) as progress:
            task = progress.add_task("kit", total=len(steps))
            for step in steps:

                def note(what: str, label: str = step.label) -> None:
                    progress.update(task, description=f"{label}: {what[:40]}")

                progress.update(task, description=step.label)
                step.run(note)
                progress.advance(task)
            progress.update(task, description="done")
    except (KitError, AiEngError, SourceError) as e:
        raise _fail(str(e)) from e
    except KeyboardInterrupt:
        raise _fail("interrupted; run the same command again to finish the kit", 130) from None


def _print_kit(kit: Path, manifest: dict) -> None:
    from ai_eng.kit import human, size_table

    typer.secho(f"Kit in {kit}: {human(manifest['size'])} in all.", fg="green", bold=True)
    typer.echo(f"{'wheels for':22} {'platform':16} {'python':7} {'files':>6} {'size':>9}  missing")
    for what, plat, py, count, size, missing in size_table(manifest):
        gaps = "; ".join(missing) or "-"
        line = f"{what:22} {plat:16} {py:7} {count:6} {human(size):>9}  {gaps}"
        typer.secho(line, fg="yellow" if missing else None)
    if npm := manifest.get("npm_cache"):
        users = ", ".join(sorted({key.split(":")[0] for key in manifest.get("npm", {})}))
        typer.echo(f"npm cache ({users}; every platform): {human(npm['size'])}")
    typer.echo(f"On each laptop: python3 {kit / 'install.py'}   (inside a venv; see docs)")


@kit_app.command("install")
def install(
    kit: Annotated[Path, typer.Argument(help="The kit folder.")],
    archetype: Annotated[
        list[str] | None,
        typer.Option("--archetype", "-a", help="Check this template's packages (repeatable)."),
    ] = None,
) -> None:
    """Install this kit's ai-eng into this Python (offline), check the kit has everything this
    laptop needs, and print the environment that makes `make setup` install from the kit."""
    from ai_eng.catalog import find_template
    from ai_eng.kit_check import KitError, check_kit
    from ai_eng.kit_install import env_lines
    from ai_eng.kit_install import install as do_install

    kit = kit.expanduser().absolute()
    try:
        names = [find_template(a).name for a in archetype or []] or None
    except LookupError as e:
        raise _fail(str(e)) from e
    if do_install(kit, quiet=True):
        raise typer.Exit(1)
    try:
        results = check_kit(kit, names)
    except KitError as e:
        raise _fail(str(e)) from e
    for name, ok, detail in results:
        if not ok:
            raise _fail(f"{name}: {detail}")
    typer.secho(
        f"Everything this laptop needs is in the kit ({', '.join(r[0] for r in results)}).",
        fg="green",
    )
    typer.echo("For this shell, so that `make setup` installs from the kit:")
    for line in env_lines(kit):
        typer.echo(f"  {line}")
    typer.echo(f'or: eval "$(ai-eng kit env {kit})"')


@kit_app.command("env")
def env(
    kit: Annotated[Path, typer.Argument(help="The kit folder.")],
    powershell: Annotated[
        bool, typer.Option("--powershell", help="PowerShell syntax ($env:NAME = ...).")
    ] = False,
) -> None:
    """Print the environment variables that make pip and npm install from KIT only.

    Example: eval "$(ai-eng kit env /media/usb/kit)" && make setup
    """
    from ai_eng.kit_check import KitError, load_manifest
    from ai_eng.kit_install import env_lines

    kit = kit.expanduser().absolute()
    try:
        load_manifest(kit)
    except KitError as e:
        raise _fail(str(e)) from e
    for line in env_lines(kit, powershell=powershell):
        typer.echo(line)
