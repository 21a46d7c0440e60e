-- The customer portal.
--
-- One-time links a customer receives: to sign in (asked for on the portal, or an agent's
-- invitation), to add what a request is missing (in its acknowledgement) and to rate a
-- solved request (in the solved e-mail). Only the SHA-256 of a link's secret is kept; a
-- link works once and only until it expires. `ticket_id` names the request the link opens.
CREATE TABLE portal_links (
    token_hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    ticket_id BIGINT REFERENCES tickets (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX portal_links_contact ON portal_links (contact_id);
CREATE INDEX portal_links_expires ON portal_links (expires_at);

-- A password a contact chose for the portal (argon2id); signing in by link needs none.
CREATE TABLE contact_passwords (
    contact_id BIGINT PRIMARY KEY REFERENCES contacts (id),
    password_hash TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- How the customer rated a solved request: once per request.
CREATE TABLE ticket_satisfaction (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets (id),
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
