"""How `ai-eng doctor` prints its results: lines, a paste-able report, or JSON."""

from __future__ import annotations

import json

import typer

from ai_eng.doctor import Result, as_json, report, system_info


def show(results: list[Result], kind: str | None, *, report: bool, as_json: bool) -> bool:
    """Print the results; False when something required is missing."""
    ready = not any(r.required and not r.ok for r in results)
    if as_json:
        typer.echo(json.dumps(as_json_(results, kind), indent=2))
        return ready
    if report:
        typer.echo(report_(results, kind))
        return ready
    width = max((len(r.name) for r in results), default=0)
    for r in results:
        mark = "ok  " if r.ok else ("MISS" if r.required else "--  ")
        line = f"{mark} {r.name.ljust(width)}  {r.detail}"
        if not r.ok:
            line += f"\n     {''.ljust(width)}  fix: {r.fix}"
        typer.secho(line, fg=None if r.ok else ("red" if r.required else "yellow"))
    if not ready:
        typer.secho(
            f"error: required items missing for {kind or 'ai-eng'}; see the fix lines above",
            fg="red",
            err=True,
        )
    else:
        typer.echo(f"Ready{' for ' + kind if kind else ''}.")
    return ready


def report_(results: list[Result], kind: str | None) -> str:
    return report(results, system_info(), kind)


def as_json_(results: list[Result], kind: str | None) -> dict:
    return as_json(results, system_info(), kind)
