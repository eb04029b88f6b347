"""Jinja extension for the root copier.yml: each template's template.toml, read as TOML.

Loaded by Copier through copier-template-extensions (`_jinja_extensions` in copier.yml), so
plain `copier copy/update` and ai-eng read the registry the same way:
`template_meta('rag-pipeline').defaults.project_name`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


class TemplateMeta(Extension):
    """Adds `template_meta(name)`: templates/<name>/template.toml as a dict (its `defaults`
    table always present), or {} when no such template exists."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        roots = [Path(p) for p in getattr(environment.loader, "searchpath", [])]

        def template_meta(name: Any) -> dict[str, Any]:
            if not isinstance(name, str) or not NAME.fullmatch(name):
                return {}
            for root in roots:
                path = root / "templates" / name / "template.toml"
                if path.is_file():
                    data = tomllib.loads(path.read_text())
                    return {**data, "defaults": data.get("defaults", {})}
            return {}

        environment.globals["template_meta"] = template_meta
