-- Answers agents give again and again, with variables ({{ name }}, {{ number }} …) filled
-- in for the ticket at hand when inserted into a reply.
CREATE TABLE canned_replies (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
