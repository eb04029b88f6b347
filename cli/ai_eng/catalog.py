"""The templates ai-eng offers: one registry, templates/<name>/template.toml.

Adding a template is adding a folder; nothing outside it lists the templates.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ai_eng.source import templates_dir


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@dataclass(frozen=True)
class Template:
    name: str
    archetype: str
    label: str  # the archetype's name: "Data Pipeline"
    persona: str  # the quiz says "You look like <persona>"
    order: int
    summary: str
    why: str
    quiz: tuple[str, ...]  # this archetype's answer to each quiz question
    needs: tuple[str, ...]
    optional: tuple[str, ...]
    commands: tuple[str, ...]
    doctor_required: tuple[str, ...]
    doctor_optional: tuple[str, ...]
    defaults: dict[str, Any] = field(default_factory=dict)
    compose_dir: str = ""  # where `ai-eng add` puts it in another project; "" = stands alone

    @property
    def project_name(self) -> str:
        return str(self.defaults.get("project_name", f"My {self.label}"))

    @property
    def folder(self) -> str:
        """The default project folder: the slug of the default project name."""
        return slugify(self.project_name) or self.name


def _load(path: Path) -> Template:
    data = tomllib.loads(path.read_text())
    doctor = data.get("doctor", {})
    try:
        return Template(
            name=path.parent.name,
            archetype=data["archetype"],
            label=data["label"],
            persona=data.get("persona", f"a {data['label']} engineer"),
            order=int(data.get("order", 100)),
            summary=data["summary"],
            why=data.get("why", ""),
            quiz=tuple(data.get("quiz", ())),
            needs=tuple(data.get("needs", ())),
            optional=tuple(data.get("optional", ())),
            commands=tuple(data.get("commands", ())),
            doctor_required=tuple(doctor.get("required", ())),
            doctor_optional=tuple(doctor.get("optional", ())),
            defaults=dict(data.get("defaults", {})),
            compose_dir=data.get("compose_dir", ""),
        )
    except KeyError as e:
        raise LookupError(f"{path} lacks {e.args[0]}") from None


def list_templates() -> list[Template]:
    """All templates, in their `order` (then by name)."""
    found = [_load(p) for p in sorted(templates_dir().glob("*/template.toml"))]
    return sorted(found, key=lambda t: (t.order, t.name))


def find_template(key: str) -> Template:
    """Look a template up by archetype (`ux`) or template name (`react-chat-ui`)."""
    key = key.strip().lower()
    templates = list_templates()
    for t in templates:
        if key in (t.name, t.archetype):
            return t
    choices = ", ".join(sorted({*(t.archetype for t in templates), *(t.name for t in templates)}))
    raise LookupError(f"unknown archetype or template '{key}' (choose from: {choices})")
