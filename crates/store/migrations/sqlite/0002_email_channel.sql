-- The e-mail channel: what an e-mail message carries beyond its text, the outbox that
-- delivers outgoing mail, the quarantine for what could not be read, and the IMAP
-- positions already taken in.
ALTER TABLE messages ADD COLUMN quoted_text TEXT;
ALTER TABLE messages ADD COLUMN email_from TEXT;
ALTER TABLE messages ADD COLUMN email_to TEXT NOT NULL DEFAULT '[]';
ALTER TABLE messages ADD COLUMN email_cc TEXT NOT NULL DEFAULT '[]';
ALTER TABLE messages ADD COLUMN email_subject TEXT;
ALTER TABLE messages ADD COLUMN automatic TEXT CHECK (automatic IN ('auto_reply', 'bounce'));
ALTER TABLE messages ADD COLUMN original_sha256 TEXT;
ALTER TABLE messages ADD COLUMN delivery TEXT CHECK (delivery IN ('queued', 'sent', 'failed'));
ALTER TABLE attachments ADD COLUMN content_id TEXT;

-- A Message-ID identifies one message: the same mail fetched twice is recognised.
DROP INDEX messages_channel_message_id;
CREATE UNIQUE INDEX messages_channel_message_id ON messages (channel_message_id) WHERE channel_message_id IS NOT NULL;

CREATE TABLE outbox (
    id                INTEGER PRIMARY KEY,
    ticket_id         BIGINT REFERENCES tickets(id),
    message_id        BIGINT REFERENCES messages(id),
    kind              TEXT NOT NULL,
    email_message_id  TEXT NOT NULL UNIQUE,
    recipient         TEXT NOT NULL,
    envelope          TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts          BIGINT NOT NULL DEFAULT 0,
    next_attempt_at   BIGINT NOT NULL,
    lease_until       BIGINT,
    last_error        TEXT,
    created_at        BIGINT NOT NULL,
    sent_at           BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_recipient ON outbox (recipient, kind, created_at);

CREATE TABLE quarantine (
    id            INTEGER PRIMARY KEY,
    source        TEXT NOT NULL,
    reason        TEXT NOT NULL,
    raw_sha256    TEXT NOT NULL,
    size          BIGINT NOT NULL,
    received_at   BIGINT NOT NULL
);

CREATE TABLE mailbox_positions (
    mailbox       TEXT NOT NULL,
    uidvalidity   BIGINT NOT NULL,
    uid           BIGINT NOT NULL,
    PRIMARY KEY (mailbox, uidvalidity, uid)
);
