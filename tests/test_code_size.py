"""The CLI stays a codebase the next engineer can read (issue #22): no module in cli/ over 400
lines, no function over 60 (docstring included)."""

from __future__ import annotations

import ast

from conftest import REPO

MAX_MODULE, MAX_FUNCTION = 400, 60


def test_cli_modules_and_functions_stay_short() -> None:
    too_long = []
    for path in sorted((REPO / "cli" / "ai_eng").glob("*.py")):
        text = path.read_text()
        if (lines := len(text.splitlines())) > MAX_MODULE:
            too_long.append(f"{path.name}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION:
                    too_long.append(f"{path.name}:{node.lineno} {node.name}(): {length} lines")
    assert not too_long, "split these: " + "; ".join(too_long)
