-- Who has a ticket open in the console right now, and whether they are writing a reply:
-- one row per ticket and agent, refreshed while the page is open, so another agent sees a
-- warning before answering the same customer twice.
CREATE TABLE ticket_presence (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    agent_id BIGINT NOT NULL REFERENCES agents (id),
    replying BOOLEAN NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, agent_id)
);
CREATE INDEX ticket_presence_seen ON ticket_presence (seen_at);
