-- Sections of configuration an administrator changed from the console (product areas, SLA
-- targets, business calendar, mail texts, mailboxes), as JSON. A row replaces the same
-- section of soporte.toml on every instance; deleting it brings the file's values back.
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES agents(id) ON DELETE SET NULL
);
