"""Generate, compose and update projects: a thin layer over Copier's run_copy/run_update.

The workflows live one per module: `new` (generate), `compose` (add a part), `update`;
`answers` (questions and answers), `gitops` (the git they need), `staging` (atomic
rendering). This module is their public face.
"""

from __future__ import annotations

from ai_eng.answers import (
    ANSWERS_FILE,
    check_answers,
    missing_answers,
    project_parts,
    read_answers,
)
from ai_eng.compose import AddResult, add, composition
from ai_eng.errors import AiEngError, MissingAnswers
from ai_eng.gitops import conflicts_in, dirty_template_checkout
from ai_eng.new import generate
from ai_eng.staging import dest_problem
from ai_eng.update import UNDO, UpdateResult, update
from ai_eng.versions import display_version

__all__ = [
    "ANSWERS_FILE",
    "UNDO",
    "AddResult",
    "AiEngError",
    "MissingAnswers",
    "UpdateResult",
    "add",
    "check_answers",
    "composition",
    "conflicts_in",
    "dest_problem",
    "dirty_template_checkout",
    "display_version",
    "generate",
    "missing_answers",
    "project_parts",
    "read_answers",
    "update",
]
