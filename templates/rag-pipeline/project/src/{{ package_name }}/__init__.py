"""A RAG pipeline on PostgreSQL + pgvector: ingest, search, answer, evaluate, bench."""

__version__ = "0.1.0"
