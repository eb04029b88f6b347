"""Regenerate project/notebooks/*.ipynb.jinja from their jupytext pairs (*.py.jinja).

The `.py.jinja` percent scripts are the source of truth. Block tags on a line of their own
(`{%- if include_dspy %}` ... `{%- endif %}`) wrap whole cells; they are carried into the
notebook JSON so both files render to a matching pair. Run from anywhere:

    python templates/local-model-notebook/sync_notebooks.py     # needs jupytext + nbformat
"""

import re
from pathlib import Path

import jupytext
import nbformat

NOTEBOOKS = Path(__file__).parent / "project" / "notebooks"
TAG = re.compile(r"^\{%-? *(if .+|endif|else) *-?%\}$")
MARKER = "JINJA-BLOCK-TAG "
METADATA = {
    "jupytext": {"cell_metadata_filter": "-all", "notebook_metadata_filter": "-all"},
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def to_ipynb(source: Path) -> str:
    lines = source.read_text(encoding="utf-8").split("\n")
    marker = "# %% [markdown]\n# " + MARKER + "{}\n"
    text = "\n".join(marker.format(line) if TAG.match(line.strip()) else line for line in lines)
    notebook = jupytext.reads(text, fmt="py:percent")
    notebook.metadata = METADATA
    cells = [cell for cell in notebook.cells if not cell.source.startswith(MARKER)]
    for index, cell in enumerate(cells):
        cell.id = str(index)  # what nbstripout writes, so its git filter changes nothing
    for cell in notebook.cells:
        cell.metadata = {}
    nbformat.validate(notebook)
    output = nbformat.writes(notebook)
    # Replace each marker cell (and the comma that joins it to its neighbours) by its block tag.
    for tag in re.findall(rf'"{MARKER}(.*?)"', output):
        cell = rf',\n  \{{\n[^\]]*?"{MARKER}{re.escape(tag)}"\n   \]\n  \}}'
        follows = ",\n  " if TAG.match(tag).group(1).startswith("if") else ""
        output, count = re.subn(cell + re.escape(follows), tag + follows, output, count=1)
        assert count == 1, f"{source.name}: cannot place {tag} (a block tag must follow a cell)"
    assert MARKER not in output, f"{source.name}: a block tag must follow a cell"
    return output + "\n"


def main() -> None:
    for source in sorted(NOTEBOOKS.glob("*.py*.jinja")):
        target = source.with_name(source.name.replace(".py", ".ipynb", 1))
        target.write_text(to_ipynb(source), encoding="utf-8")
        print(f"{source.name} -> {target.name}")


if __name__ == "__main__":
    main()
