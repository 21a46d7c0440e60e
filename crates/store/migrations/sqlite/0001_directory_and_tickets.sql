-- Times are microseconds since the Unix epoch (BIGINT), lists are JSON text: both read the
-- same on SQLite and PostgreSQL.
CREATE TABLE agents (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    phone           TEXT,
    whatsapp        TEXT,
    role            TEXT NOT NULL CHECK (role IN ('agent', 'admin')),
    types           TEXT NOT NULL DEFAULT '[]',
    absences        TEXT NOT NULL DEFAULT '[]',
    active          INTEGER NOT NULL DEFAULT 1,
    password_hash   TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE accounts (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL,
    tax_id              TEXT UNIQUE,
    plan                TEXT,
    email_domains       TEXT NOT NULL DEFAULT '[]',
    personal_agent_id   BIGINT REFERENCES agents(id),
    backup_agent_id     BIGINT REFERENCES agents(id),
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);

-- One account per domain, so mail from an unknown colleague still finds its company.
CREATE TABLE account_domains (
    domain      TEXT PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE
);

CREATE TABLE contacts (
    id          INTEGER PRIMARY KEY,
    account_id  BIGINT REFERENCES accounts(id),
    name        TEXT NOT NULL,
    emails      TEXT NOT NULL DEFAULT '[]',
    phones      TEXT NOT NULL DEFAULT '[]',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX contacts_account ON contacts (account_id, id);

CREATE TABLE contact_emails (
    email       TEXT PRIMARY KEY,
    contact_id  BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE
);
CREATE INDEX contact_emails_contact ON contact_emails (contact_id);

CREATE TABLE contact_phones (
    phone       TEXT NOT NULL,
    contact_id  BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (phone, contact_id)
);
CREATE INDEX contact_phones_contact ON contact_phones (contact_id);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    scope         TEXT NOT NULL CHECK (scope IN ('admin', 'agent', 'contact')),
    agent_id      BIGINT REFERENCES agents(id),
    contact_id    BIGINT REFERENCES contacts(id),
    label         TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT,
    CHECK ((agent_id IS NULL) <> (contact_id IS NULL))
);

CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY,
    number          TEXT UNIQUE,
    subject         TEXT NOT NULL,
    support_type    TEXT CHECK (support_type IN ('administrative', 'usage', 'technical')),
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'whatsapp', 'phone', 'portal', 'api')),
    priority        TEXT NOT NULL CHECK (priority IN ('normal', 'urgent')),
    status          TEXT NOT NULL CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
    assignee_id     BIGINT REFERENCES agents(id),
    account_id      BIGINT REFERENCES accounts(id),
    requester_id    BIGINT NOT NULL REFERENCES contacts(id),
    product_area    TEXT,
    tags            TEXT NOT NULL DEFAULT '[]',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    solved_at       BIGINT,
    closed_at       BIGINT
);
CREATE INDEX tickets_updated ON tickets (updated_at, id);
CREATE INDEX tickets_created ON tickets (created_at, id);
CREATE INDEX tickets_status_updated ON tickets (status, updated_at, id);
CREATE INDEX tickets_assignee_updated ON tickets (assignee_id, updated_at, id);
CREATE INDEX tickets_account_updated ON tickets (account_id, updated_at, id);
CREATE INDEX tickets_requester ON tickets (requester_id, updated_at, id);

CREATE TABLE messages (
    id                  INTEGER PRIMARY KEY,
    ticket_id           BIGINT NOT NULL REFERENCES tickets(id),
    kind                TEXT NOT NULL CHECK (kind IN ('inbound', 'outbound', 'note', 'call')),
    author_kind         TEXT NOT NULL CHECK (author_kind IN ('agent', 'contact', 'system')),
    author_id           BIGINT,
    channel             TEXT NOT NULL,
    body_text           TEXT NOT NULL,
    body_html           TEXT,
    channel_message_id  TEXT,
    created_at          BIGINT NOT NULL
);
CREATE INDEX messages_ticket ON messages (ticket_id, id);
CREATE INDEX messages_channel_message_id ON messages (channel_message_id) WHERE channel_message_id IS NOT NULL;

-- Content-addressed file contents; attachments point at them by SHA-256.
CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY,
    size        BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    message_id  BIGINT NOT NULL REFERENCES messages(id),
    ticket_id   BIGINT NOT NULL REFERENCES tickets(id),
    sha256      TEXT NOT NULL REFERENCES blobs(sha256),
    filename    TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        BIGINT NOT NULL,
    inline      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attachments_message ON attachments (message_id);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    ticket_id   BIGINT NOT NULL REFERENCES tickets(id),
    actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('agent', 'contact', 'system')),
    actor_id    BIGINT,
    kind        TEXT NOT NULL,
    data        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX events_ticket ON events (ticket_id, id);
