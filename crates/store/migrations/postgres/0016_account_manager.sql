-- An account's manager sees all of the account's requests; other contacts see their own.
ALTER TABLE contacts ADD COLUMN account_manager BOOLEAN NOT NULL DEFAULT FALSE;
