"""Measurements for bench/rag_ingest.py; runs in the bench venv (project venv + langchain-postgres).

python rag_measure.py PROJECT_DIR PACKAGE SYNTHETIC_N
"""

import importlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_postgres import PGVector
from rich.console import Console

project, package, synthetic = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])


def module(name):
    return importlib.import_module(f"{package}.{name}")


db = module("db")
bench_synthetic = module("bench").bench_synthetic
chunk_sections = module("chunking").chunk_sections
Settings = module("config").Settings
LocalEmbedder = module("embeddings").LocalEmbedder
ingest_module = module("ingest")
load = module("loaders").load
quiet = Console(stderr=True, quiet=True)
pgdir = Path(tempfile.mkdtemp(prefix="rag-bench-pg-"))
pgdir.chmod(0o755)
url = db.embedded_url(pgdir / "data")
settings = Settings(_env_file=None, database_url=url, db_schema="bench_ours")
docs = project / "docs"
embedder = LocalEmbedder("all-MiniLM-L6-v2")
embedder.embed(["warm up"])  # model load is not part of any timing below

# the exact texts ingest embeds
texts, metas = [], []
for path in ingest_module.discover([docs])[0]:
    document = load(path, path.read_bytes())
    for chunk in chunk_sections(document.sections, settings.chunk_tokens, settings.chunk_overlap):
        texts.append(ingest_module._embed_text(document.title, chunk))
        metas.append({"source": str(path), "heading": chunk.heading, "position": chunk.position})


class SameModel(Embeddings):
    """langchain's side gets the very same SentenceTransformer and batch size."""

    seconds = 0.0

    def embed_documents(self, batch):
        t0 = time.perf_counter()
        vectors = embedder.model.encode(batch, batch_size=64, normalize_embeddings=True).tolist()
        SameModel.seconds += time.perf_counter() - t0
        return vectors

    def embed_query(self, text):
        return self.embed_documents([text])[0]


socket_dir = url.split("host=")[1]
lc_url = f"postgresql+psycopg://postgres@/postgres?host={socket_dir}"
documents = [Document(page_content=t, metadata=m) for t, m in zip(texts, metas, strict=True)]


def encode():
    embedder.model.encode(texts, batch_size=64, normalize_embeddings=True)


def ours():
    conn = db.connect(settings)
    report = ingest_module.ingest(conn, settings, [docs], embedder, reset=True, console=quiet)
    conn.close()
    return report


def langchain():
    SameModel.seconds = 0.0
    store = PGVector(
        embeddings=SameModel(),
        collection_name="bench",
        connection=lc_url,
        use_jsonb=True,
        pre_delete_collection=True,
    )
    store.add_documents(documents)
    return SameModel.seconds


# interleaved rounds, best of each: the machine's load hits all three alike
rounds = {"encode": [], "ingest": [], "langchain": []}
reports, lc_embed = [], []
for _ in range(3):
    t0 = time.perf_counter()
    encode()
    rounds["encode"].append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    reports.append(ours())
    rounds["ingest"].append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    lc_embed.append(langchain())
    rounds["langchain"].append(time.perf_counter() - t0)
encode_s, ingest_s, langchain_s = (min(rounds[k]) for k in ("encode", "ingest", "langchain"))
best = reports[rounds["ingest"].index(ingest_s)]
lc_best = rounds["langchain"].index(langchain_s)
conn = db.connect(settings)
reingest = ingest_module.ingest(conn, settings, [docs], embedder, console=quiet)
assert reingest.chunks_embedded == 0
conn.close()

result = {
    "chunks": len(texts),
    "encode_s": encode_s,
    "ingest_s": ingest_s,
    "ingest_embed_s": best.embed_s,
    "ingest_db_s": best.db_s,
    "ingest_not_embedding_s": ingest_s - best.embed_s,
    "langchain_add_documents_s": langchain_s,
    "langchain_not_embedding_s": langchain_s - lc_embed[lc_best],
    "reingest_s": reingest.total_s,
    "ratio_ingest_vs_encode": ingest_s / encode_s,
    "ratio_ingest_vs_langchain": ingest_s / langchain_s,
    "ratio_reingest_vs_ingest": reingest.total_s / ingest_s,
    "ratio_not_embedding_ours_vs_langchain": (ingest_s - best.embed_s)
    / (langchain_s - lc_embed[lc_best]),
}
if synthetic:
    result["synthetic"] = bench_synthetic(settings, synthetic, console=quiet)
print(json.dumps(result, indent=2))
shutil.rmtree(pgdir, ignore_errors=True)
