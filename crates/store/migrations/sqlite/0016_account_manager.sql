-- An account's manager sees all of the account's requests; other contacts see their own.
ALTER TABLE contacts ADD COLUMN account_manager INTEGER NOT NULL DEFAULT 0;
