-- Full-text search that ranks like BM25: the page title (weight A) and the section heading
-- (weight B) count more than the text (D); dotted names (os.path.join) are indexed word by
-- word, as snake_case names already are. Per-lexeme document frequencies give the idf.
ALTER TABLE chunks DROP COLUMN tsv;
ALTER TABLE chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english',
        regexp_replace(coalesce(metadata ->> 'title', ''), '(\w)\.(?=\w)', '\1 ', 'g')), 'A')
    || setweight(to_tsvector('english', regexp_replace(heading, '(\w)\.(?=\w)', '\1 ', 'g')), 'B')
    || to_tsvector('english', regexp_replace(text, '(\w)\.(?=\w)', '\1 ', 'g'))
) STORED;
CREATE INDEX chunks_tsv_idx ON chunks USING gin (tsv);

-- In how many chunks each lexeme occurs (refreshed by ingest, see db.refresh_fulltext_stats).
CREATE TABLE lexeme_stats (
    lexeme text PRIMARY KEY,
    ndoc   integer NOT NULL
);
