-- The WhatsApp channel (Meta's WhatsApp Business Cloud API). Each agent has a business
-- number of their own: Meta names it by its phone_number_id, which routes what arrives.
ALTER TABLE agents ADD COLUMN whatsapp_phone_number_id TEXT;
CREATE UNIQUE INDEX agents_whatsapp_phone_number_id ON agents (whatsapp_phone_number_id)
    WHERE whatsapp_phone_number_id IS NOT NULL;

-- Webhook bodies as Meta sent them, written before Meta gets its 200 and read by the
-- worker that turns them into messages: an acknowledged body is never lost.
CREATE TABLE whatsapp_webhook_bodies (
    id           INTEGER PRIMARY KEY,
    body         TEXT NOT NULL,
    received_at  BIGINT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'done', 'quarantined')),
    attempts     BIGINT NOT NULL DEFAULT 0,
    lease_until  BIGINT,
    last_error   TEXT,
    processed_at BIGINT
);
CREATE INDEX whatsapp_webhook_bodies_pending ON whatsapp_webhook_bodies (status, id);

-- What a WhatsApp message carries beyond its text. wamid is Meta's id of the message (for
-- an outgoing one, once Meta accepted it); it is unique, so a redelivery is one message.
CREATE TABLE whatsapp_messages (
    message_id           BIGINT PRIMARY KEY REFERENCES messages (id),
    ticket_id            BIGINT NOT NULL REFERENCES tickets (id),
    wamid                TEXT,
    phone_number_id      TEXT NOT NULL,
    wa_id                TEXT NOT NULL,
    content_type         TEXT NOT NULL,
    content              TEXT NOT NULL,
    reply_to_wamid       TEXT,
    forwarded            INTEGER NOT NULL DEFAULT 0,
    frequently_forwarded INTEGER NOT NULL DEFAULT 0,
    reactions            TEXT NOT NULL DEFAULT '[]',
    edits                TEXT NOT NULL DEFAULT '[]',
    revoked_at           BIGINT,
    delivery             TEXT CHECK (delivery IN ('queued', 'sent', 'delivered', 'read', 'failed')),
    delivery_error       TEXT,
    delivery_at          BIGINT,
    sent_at              BIGINT NOT NULL
);
CREATE UNIQUE INDEX whatsapp_messages_wamid ON whatsapp_messages (wamid) WHERE wamid IS NOT NULL;
CREATE INDEX whatsapp_messages_ticket ON whatsapp_messages (ticket_id);

-- Statuses that arrived before the send that they describe was recorded: applied then.
CREATE TABLE whatsapp_early_statuses (
    id          INTEGER PRIMARY KEY,
    wamid       TEXT NOT NULL,
    status      TEXT NOT NULL,
    error       TEXT,
    at          BIGINT NOT NULL
);
CREATE INDEX whatsapp_early_statuses_wamid ON whatsapp_early_statuses (wamid);

-- Media a customer sent, fetched from the Graph API by a worker with retries. A media id
-- lives 7 days; each attempt asks for a fresh download URL.
CREATE TABLE whatsapp_media (
    id               INTEGER PRIMARY KEY,
    message_id       BIGINT NOT NULL REFERENCES messages (id),
    ticket_id        BIGINT NOT NULL REFERENCES tickets (id),
    media_id         TEXT NOT NULL,
    kind             TEXT NOT NULL,
    mime_type        TEXT NOT NULL,
    expected_sha256  TEXT,
    filename         TEXT,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'stored', 'lost')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    lease_until      BIGINT,
    last_error       TEXT,
    attachment_id    BIGINT REFERENCES attachments (id),
    created_at       BIGINT NOT NULL
);
CREATE INDEX whatsapp_media_due ON whatsapp_media (status, next_attempt_at);
CREATE INDEX whatsapp_media_message ON whatsapp_media (message_id);

-- Outgoing WhatsApp messages, queued in the transaction of the change that causes them.
CREATE TABLE whatsapp_outbox (
    id               INTEGER PRIMARY KEY,
    ticket_id        BIGINT REFERENCES tickets (id),
    message_id       BIGINT REFERENCES messages (id),
    phone_number_id  TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    kind             TEXT NOT NULL,
    request          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    lease_until      BIGINT,
    last_error       TEXT,
    wamid            TEXT,
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT
);
CREATE INDEX whatsapp_outbox_due ON whatsapp_outbox (status, next_attempt_at);

-- A WhatsApp conversation's ticket: which number and customer it is between, when the
-- customer last wrote, and when the burst is quiet enough for the policy to settle it.
CREATE TABLE whatsapp_tickets (
    ticket_id        BIGINT PRIMARY KEY REFERENCES tickets (id),
    phone_number_id  TEXT NOT NULL,
    wa_id            TEXT NOT NULL,
    last_inbound_at  BIGINT NOT NULL,
    settle_at        BIGINT,
    settled_at       BIGINT,
    acknowledged_at  BIGINT
);
CREATE INDEX whatsapp_tickets_pair ON whatsapp_tickets (phone_number_id, wa_id, last_inbound_at);
CREATE INDEX whatsapp_tickets_settle ON whatsapp_tickets (settle_at) WHERE settle_at IS NOT NULL;

-- The customer-service window: when a customer last wrote to a number.
CREATE TABLE whatsapp_windows (
    phone_number_id  TEXT NOT NULL,
    wa_id            TEXT NOT NULL,
    last_inbound_at  BIGINT NOT NULL,
    PRIMARY KEY (phone_number_id, wa_id)
);

-- The channel's health for the admin page: the last event received, the last error.
CREATE TABLE whatsapp_health (
    scope          TEXT PRIMARY KEY,
    last_event_at  BIGINT,
    last_error     TEXT,
    last_error_code BIGINT,
    last_error_at  BIGINT
);
