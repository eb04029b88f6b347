"""The templates ai-eng offers, read from templates/<name>/template.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ai_eng.source import templates_dir

ARCHETYPES = {
    "data-pipeline": "Data Pipeline",
    "ux": "UX",
    "researcher": "Researcher",
}


@dataclass(frozen=True)
class Template:
    name: str
    archetype: str
    title: str
    description: str
    needs: tuple[str, ...]
    optional: tuple[str, ...]
    commands: tuple[str, ...]

    @property
    def archetype_label(self) -> str:
        return ARCHETYPES.get(self.archetype, self.archetype)


def _load(path: Path) -> Template:
    data = tomllib.loads(path.read_text())
    return Template(
        name=path.parent.name,
        archetype=data["archetype"],
        title=data["title"],
        description=data["description"],
        needs=tuple(data.get("needs", ())),
        optional=tuple(data.get("optional", ())),
        commands=tuple(data.get("commands", ())),
    )


def list_templates() -> list[Template]:
    """All templates, in archetype order (data-pipeline, ux, researcher)."""
    found = [_load(p) for p in sorted(templates_dir().glob("*/template.toml"))]
    order = list(ARCHETYPES)
    return sorted(found, key=lambda t: (order.index(t.archetype), t.name))


def find_template(key: str) -> Template:
    """Look a template up by archetype (`ux`) or template name (`react-chat-ui`)."""
    key = key.strip().lower()
    for t in list_templates():
        if key in (t.name, t.archetype):
            return t
    choices = ", ".join(sorted([*ARCHETYPES, *(t.name for t in list_templates())]))
    raise LookupError(f"unknown archetype or template '{key}' (choose from: {choices})")
