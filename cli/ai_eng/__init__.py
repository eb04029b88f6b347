"""ai-eng: generate and update starter repos for AI engineers (a thin layer over Copier).

Public API: `generate`, `add`, `update`, `list_templates`, `find_template`.
Imported lazily so that `ai-eng --help` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.6.0"
__all__ = ["__version__", "add", "find_template", "generate", "list_templates", "update"]

if TYPE_CHECKING:
    from ai_eng.catalog import find_template, list_templates
    from ai_eng.project import add, generate, update


def __getattr__(name: str) -> Any:
    if name in ("generate", "add", "update"):
        from ai_eng import project

        return getattr(project, name)
    if name in ("list_templates", "find_template"):
        from ai_eng import catalog

        return getattr(catalog, name)
    raise AttributeError(name)
