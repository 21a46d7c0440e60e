-- One-time links an agent receives by e-mail to set a new console password. Only the
-- SHA-256 of the link's secret is kept; a link works once and only until it expires.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    agent_id BIGINT NOT NULL REFERENCES agents (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_resets_agent ON password_resets (agent_id);
