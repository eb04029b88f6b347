-- Documents and their chunks. The embedding column gets its dimension on the
-- first ingest (from the embedding model), see db.fix_embedding_dimension().
CREATE TABLE documents (
    id           bigserial PRIMARY KEY,
    source       text NOT NULL UNIQUE,        -- path of the file, as ingested
    title        text NOT NULL,
    content_hash text NOT NULL,               -- sha256 of the bytes + chunking settings
    n_chunks     integer NOT NULL,
    ingested_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE chunks (
    id           bigserial PRIMARY KEY,
    document_id  bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    position     integer NOT NULL,            -- order of the chunk in its document
    heading      text NOT NULL DEFAULT '',    -- section the chunk comes from
    text         text NOT NULL,
    content_hash text NOT NULL,               -- sha256 of the embedded text
    metadata     jsonb NOT NULL DEFAULT '{}',
    embedding    vector,
    tsv          tsvector GENERATED ALWAYS AS (to_tsvector('english', heading || ' ' || text)) STORED,
    UNIQUE (document_id, position)
);

CREATE INDEX chunks_document_id_idx ON chunks (document_id);
CREATE INDEX chunks_content_hash_idx ON chunks (content_hash);
CREATE INDEX chunks_tsv_idx ON chunks USING gin (tsv);

-- Which embedding model filled the table (model name, dimension).
CREATE TABLE rag_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
