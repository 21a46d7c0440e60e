-- Failed console logins, by account ("email:…") and by address ("ip:…"), so that guessing
-- passwords is slowed down across every instance sharing the database. Old rows are
-- deleted as new ones are written.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);
CREATE INDEX login_failures_at ON login_failures (at);
