-- Two-step console sign-in for agents (TOTP, RFC 6238). The secret is sealed with the
-- secrets key, which is not in the database; it is confirmed by a first right code.
-- last_step is the last time step a code was accepted for: a code is never taken twice.
CREATE TABLE agent_two_factor (
    agent_id BIGINT PRIMARY KEY REFERENCES agents (id),
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    last_step BIGINT
);

-- Single-use recovery codes, as SHA-256 of their 80 random bits.
CREATE TABLE agent_recovery_codes (
    id INTEGER PRIMARY KEY,
    agent_id BIGINT NOT NULL REFERENCES agents (id),
    code_hash TEXT NOT NULL,
    used_at BIGINT
);
CREATE INDEX agent_recovery_codes_agent ON agent_recovery_codes (agent_id);

-- Logins whose password was right and that wait for the second step: the SHA-256 of a
-- short-lived secret kept in a cookie, which is no session. Used once.
CREATE TABLE login_challenges (
    token_hash TEXT PRIMARY KEY,
    agent_id BIGINT NOT NULL REFERENCES agents (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX login_challenges_expires ON login_challenges (expires_at);
