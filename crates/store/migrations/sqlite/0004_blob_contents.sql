-- Blob bytes small enough to live in the database: written in the database's own
-- transactions, so they cost no fsync of their own and are as durable as the rows that
-- refer to them. Larger blobs stay files in the blob directory.
-- A rowid table on purpose: WITHOUT ROWID suits small rows, not multi-page values.
CREATE TABLE blob_contents (
    sha256      TEXT PRIMARY KEY,
    bytes       BLOB NOT NULL,
    created_at  BIGINT NOT NULL
);
