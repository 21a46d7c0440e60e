-- SQLite's search rows were re-keyed by ticket in this version; PostgreSQL's search rows
-- carry their ticket in an indexed column already, so nothing changes here. The version
-- exists so that both databases keep the same migration history.
SELECT 1;
