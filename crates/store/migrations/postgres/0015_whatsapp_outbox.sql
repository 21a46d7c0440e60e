-- An agent's reply with files goes out as several WhatsApp messages (the text, then each
-- file); the first one's delivery is the reply's, the others only report failures.
ALTER TABLE whatsapp_outbox ADD COLUMN delivers_message BOOLEAN NOT NULL DEFAULT FALSE;
-- Delivery reports name the part they describe by its wamid.
CREATE INDEX whatsapp_outbox_wamid ON whatsapp_outbox (wamid) WHERE wamid IS NOT NULL;
-- The newest customer message marked read on their phone (marking one marks all before it).
ALTER TABLE whatsapp_tickets ADD COLUMN read_marked_wamid TEXT;
-- Settling a conversation: a worker's claim on it, and a count of the customer's
-- messages, so one that arrives while the worker settles is settled again afterwards.
ALTER TABLE whatsapp_tickets ADD COLUMN settle_lease_until BIGINT;
ALTER TABLE whatsapp_tickets ADD COLUMN settle_version BIGINT NOT NULL DEFAULT 0;
-- The conversation's last message either way: support writing keeps a request alive, so the
-- customer's answer to it joins the same ticket however long they took.
ALTER TABLE whatsapp_tickets ADD COLUMN last_activity_at BIGINT;
-- What a customer's message said before their first edit: received, so kept for support.
ALTER TABLE whatsapp_messages ADD COLUMN original_text TEXT;
