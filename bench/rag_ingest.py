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

REPO = Path(__file__).resolve().parent.parent
COPIER = REPO / ".venv" / "bin" / "copier"

MEASURE = r'''
import json, shutil, sys, tempfile, time
from pathlib import Path
from rich.console import Console

from PKG import db
from PKG.bench import bench_synthetic
from PKG.chunking import chunk_sections
from PKG.config import Settings
from PKG.embeddings import LocalEmbedder
from PKG.ingest import _embed_text, discover, ingest
from PKG.loaders import load

project, synthetic = Path(sys.argv[1]), int(sys.argv[2])
quiet = Console(stderr=True, quiet=True)
pgdir = Path(tempfile.mkdtemp(prefix="rag-bench-pg-")); pgdir.chmod(0o755)
url = db.embedded_url(pgdir / "data")
settings = Settings(_env_file=None, database_url=url, db_schema="bench_ours")
docs = project / "docs"
embedder = LocalEmbedder("all-MiniLM-L6-v2")
embedder.embed(["warm up"])  # model load is not part of any timing below

# the exact texts ingest embeds
texts, metas = [], []
for path in discover([docs])[0]:
    document = load(path, path.read_bytes())
    for chunk in chunk_sections(document.sections, settings.chunk_tokens, settings.chunk_overlap):
        texts.append(_embed_text(document.title, chunk))
        metas.append({"source": str(path), "heading": chunk.heading, "position": chunk.position})

def best_of(n, fn):
    times = []
    for _ in range(n):
        t0 = time.perf_counter(); fn(); times.append(time.perf_counter() - t0)
    return min(times)

encode_s = best_of(2, lambda: embedder.model.encode(texts, batch_size=64, normalize_embeddings=True))

def ours():
    conn = db.connect(settings)
    report = ingest(conn, settings, [docs], embedder, reset=True, console=quiet)
    conn.close()
    return report
first = None
def run_ours():
    global first
    first = ours()
ingest_s = best_of(2, run_ours)
conn = db.connect(settings)
reingest = ingest(conn, settings, [docs], embedder, console=quiet)
assert reingest.chunks_embedded == 0
conn.close()

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_postgres import PGVector

class SameModel(Embeddings):
    def embed_documents(self, batch):
        return embedder.model.encode(batch, batch_size=64, normalize_embeddings=True).tolist()
    def embed_query(self, text):
        return self.embed_documents([text])[0]

socket_dir = url.split("host=")[1]
lc_url = f"postgresql+psycopg://postgres@/postgres?host={socket_dir}"
documents = [Document(page_content=t, metadata=m) for t, m in zip(texts, metas)]
def run_langchain():
    store = PGVector(embeddings=SameModel(), collection_name="bench", connection=lc_url,
                     use_jsonb=True, pre_delete_collection=True)
    store.add_documents(documents)
langchain_s = best_of(2, run_langchain)

result = {
    "chunks": len(texts),
    "encode_s": encode_s,
    "ingest_s": ingest_s,
    "ingest_embed_s": first.embed_s,
    "ingest_db_s": first.db_s,
    "langchain_add_documents_s": langchain_s,
    "reingest_s": reingest.total_s,
    "ratio_ingest_vs_encode": ingest_s / encode_s,
    "ratio_ingest_vs_langchain": ingest_s / langchain_s,
    "ratio_reingest_vs_ingest": reingest.total_s / ingest_s,
}
if synthetic:
    result["synthetic"] = bench_synthetic(settings, synthetic, console=quiet)
print(json.dumps(result, indent=2))
shutil.rmtree(pgdir, ignore_errors=True)
'''


def run(*args: str | Path, cwd: Path | None = None) -> None:
    subprocess.run([str(a) for a in args], cwd=cwd, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--project", type=Path, help="a generated copy where `make setup` ran")
    parser.add_argument("--synthetic", type=int, default=100_000, help="0 to skip")
    args = parser.parse_args()

    project = args.project
    if project is None:
        project = Path(tempfile.mkdtemp(prefix="rag-bench-")) / "project"
        run(COPIER, "copy", "--trust", "--defaults", "--vcs-ref", "HEAD", "-q",
            "-d", "template=rag-pipeline", REPO, project)
        run("make", "setup", cwd=project)
    project = project.resolve()
    package = next(p.name for p in (project / "src").iterdir() if (p / "bench.py").exists())

    venv = project / ".bench-venv"
    if not (venv / "bin" / "python").exists():
        run(sys.executable, "-m", "venv", venv)
        project_python = project / ".venv" / "bin" / "python"
        site = subprocess.run(
            [project_python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        own_site = subprocess.run(
            [venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        Path(own_site, "_project.pth").write_text(f"{site}\n{project / 'src'}\n")
        run(venv / "bin" / "pip", "install", "-q", "langchain-postgres")
    script = project / ".bench-measure.py"
    script.write_text(MEASURE.replace("PKG", package))
    run(venv / "bin" / "python", script, project, str(args.synthetic), cwd=project)


if __name__ == "__main__":
    main()
