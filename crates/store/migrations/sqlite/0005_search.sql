-- Full-text search over tickets: one row per ticket subject and per customer or agent
-- message, holding the terms Soporte normalised in Rust (folded words and their stems,
-- see soporte_core::search). The tokenizer only splits them; remove_diacritics keeps a
-- row written by hand searchable too.
CREATE VIRTUAL TABLE ticket_search USING fts5(
    ticket_id UNINDEXED,
    terms,
    tokenize = 'unicode61 remove_diacritics 2'
);
