-- Full-text search over tickets: one row per ticket subject and per customer or agent
-- message, holding the terms Soporte normalised in Rust (folded words and their stems,
-- see soporte_core::search). The 'simple' configuration only splits them: stemming and
-- accent folding already happened, the same way for both databases.
CREATE TABLE ticket_search (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    terms TEXT NOT NULL,
    document TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED
);
CREATE INDEX ticket_search_document ON ticket_search USING GIN (document);
CREATE INDEX ticket_search_ticket ON ticket_search (ticket_id);
