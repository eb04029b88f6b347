"""tests/trees/<template>.txt: the files a template renders with its defaults, then what each
single answer of test_templates.CHOICES adds (+) and removes (-). Written from a render of the
working tree by `make trees`, never by hand; the fast tier fails, naming that command, when a
list and the templates differ. Review `git diff tests/trees` like code: it is what a template
change does to a user's project.

    .venv/bin/python tests/tree_lists.py      # or: make trees
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

TREES = Path(__file__).parent / "trees"
UPDATE = "make trees"
HEADER = (
    "# Written by `make trees` (tests/tree_lists.py) from a render; do not edit. The files\n"
    "# of the defaults, then each single answer of tests/test_templates.py CHOICES:\n"
    "# + adds, - removes.\n"
)


def answers_key(answers: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in answers.items()) or "defaults"


def files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def render(source: Path, dest: Path, template: str, answers: dict) -> Path:
    """`template` with `answers` (else defaults) from the template repo `source`, into `dest`."""
    from copier import run_copy

    data = {"template": template, **answers}
    run_copy(str(source), dest, data=data, defaults=True, unsafe=True, quiet=True)
    return dest


def text(trees: dict[str, set[str]]) -> str:
    """The list file for {answers key: files}, the defaults first."""
    defaults = trees["defaults"]
    out = [HEADER, *(f"{name}\n" for name in sorted(defaults))]
    for key, got in trees.items():
        if key != "defaults":
            out.append(f"\n[{key}]\n")
            out += [f"+ {name}\n" for name in sorted(got - defaults)]
            out += [f"- {name}\n" for name in sorted(defaults - got)]
    return "".join(out)


def read(template: str) -> dict[str, set[str]]:
    """{answers key: the files it renders}, as tests/trees/<template>.txt records them."""
    trees: dict[str, set[str]] = {"defaults": set()}
    key = "defaults"
    for line in (TREES / f"{template}.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            key = line[1:-1]
            trees[key] = set(trees["defaults"])
        elif line[:2] == "+ ":
            trees[key].add(line[2:])
        elif line[:2] == "- ":
            trees[key].discard(line[2:])
        else:
            trees[key].add(line)
    return trees


def main() -> int:
    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import TEMPLATES, make_template_repo
    from test_templates import CHOICES

    with tempfile.TemporaryDirectory(prefix="ai-eng-trees-") as tmp:
        source = make_template_repo(Path(tmp) / "template-repo")
        for template in TEMPLATES:
            trees = {}
            for answers in [{}, *(choice[0] for choice in CHOICES[template])]:
                dest = Path(tmp) / f"{template}-{len(trees)}"
                trees[answers_key(answers)] = files(render(source, dest, template, answers))
            path = TREES / f"{template}.txt"
            new = text(trees)
            changed = not path.is_file() or path.read_text() != new
            path.write_text(new)
            print(f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}:"
                  f" {'rewritten' if changed else 'up to date'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
