"""The notebooks live in git as jupytext .py scripts; each .ipynb is made from its script."""

import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).parents[1]
SCRIPTS = sorted((ROOT / "notebooks").glob("*.py"))


def cells(notebook) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def test_there_are_notebooks():
    assert SCRIPTS


def test_outputs_never_reach_git():
    assert "notebooks/*.ipynb" in (ROOT / ".gitignore").read_text().splitlines()


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.stem)
def test_notebook_matches_its_script(script):
    notebook = script.with_suffix(".ipynb")
    if not notebook.is_file():
        pytest.skip(f"{notebook.name} not made yet: `make setup` makes it")
    assert cells(jupytext.read(notebook)) == cells(jupytext.read(script)), (
        f"notebooks/{notebook.name} and {script.name} differ: run `make format`"
    )


def test_make_format_syncs_even_when_lint_complains(tmp_path):
    for name in ("Makefile", "pyproject.toml", "jupytext.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "notebooks").mkdir()
    script = tmp_path / "notebooks" / SCRIPTS[0].name
    shutil.copy(SCRIPTS[0], script)
    venv = Path(sys.executable).parents[1]
    make = ["make", f"VENV={venv}", "-o", f"{venv}/.setup-done"]
    subprocess.run([*make, "setup"], cwd=tmp_path, check=True, capture_output=True)
    # An edit in the script: a new cell, and a lint error ruff cannot fix.
    with script.open("a") as file:
        file.write("\n# %%\nprint(not_defined_anywhere)\n")
    formatted = subprocess.run([*make, "format"], cwd=tmp_path, capture_output=True, text=True)
    assert formatted.returncode != 0 and "F821" in formatted.stdout
    notebook = jupytext.read(script.with_suffix(".ipynb"))
    assert "print(not_defined_anywhere)" in notebook.cells[-1].source
