"""Benchmark the rag-pipeline template: one run, all ratios from the issue.

    python bench/rag_ingest.py [--project DIR] [--synthetic 100000]

Generates templates/rag-pipeline with plain Copier into a temp dir (or reuses --project, a
generated copy after `make setup`), makes a bench venv that sees the project's venv and adds
langchain-postgres (installed nowhere else), then measures in one process, on one embedded
PostgreSQL, with one SentenceTransformer:

  ingest (model loaded) / bare SentenceTransformer.encode of the same chunks   target <= 1.15
  ingest / langchain-postgres PGVector.add_documents, same chunks + embedder   target <= 0.5
  re-ingest of the unchanged corpus / first ingest                             target <= 0.05
  100k synthetic chunks: HNSW p50 (no query embedding) <= 10 ms, recall@10 >= 0.95
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from render import render  # bench/render.py, beside this script

REPO = Path(__file__).resolve().parent.parent


def run(*args: str | Path, cwd: Path | None = None) -> None:
    subprocess.run([str(a) for a in args], cwd=cwd, check=True)


def purelib(python: Path) -> str:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    return subprocess.run(
        [python, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--project", type=Path, help="a generated copy where `make setup` ran")
    parser.add_argument("--synthetic", type=int, default=100_000, help="0 to skip")
    args = parser.parse_args()

    project = args.project
    if project is None:
        project = Path(tempfile.mkdtemp(prefix="rag-bench-")) / "project"
        render("rag-pipeline", project)
        run("make", "setup", cwd=project)
    project = project.resolve()
    package = next(p.name for p in (project / "src").iterdir() if (p / "bench.py").exists())

    venv = REPO / ".bench" / "rag-venv"  # ignored by git; never inside the generated project
    fresh = not (venv / "bin" / "python").exists()
    if fresh:
        run(sys.executable, "-m", "venv", venv)
    # the bench venv sees the project's venv and source (rewritten each run: --project may change)
    site, own_site = (
        purelib(python) for python in (project / ".venv/bin/python", venv / "bin/python")
    )
    Path(own_site, "_project.pth").write_text(f"{site}\n{project / 'src'}\n")
    if fresh:
        run(venv / "bin" / "pip", "install", "-q", "langchain-postgres")
        # langchain-postgres pins an older pgvector; use the project's, like the project does
        run(venv / "bin" / "pip", "uninstall", "-q", "-y", "pgvector")
    measure = Path(__file__).with_name("rag_measure.py")
    run(venv / "bin" / "python", measure, project, package, str(args.synthetic), cwd=project)


if __name__ == "__main__":
    main()
