-- The phone channel: calls as the company's phone system reports them (Zammad's generic
-- CTI events), each put together from its events.
--
-- `pbx_call_id` is the phone system's own id of the call. Numbers are kept as read:
-- international form (`+34600111222`), an extension (`201`), empty when withheld, NULL when
-- not reported yet. `customer_number` is the customer's side in international form, to find
-- a caller's calls and to match a call back. `agent_id` is whose call it is (the called
-- agent, or the caller of an outgoing call); `answered_by_agent_id` the agent who picked
-- up last. `ticket_id` and `message_id` name the call's entry once it is recorded on a
-- request.
CREATE TABLE calls (
    id                   BIGSERIAL PRIMARY KEY,
    pbx_call_id          TEXT NOT NULL UNIQUE,
    direction            TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    from_number          TEXT,
    to_number            TEXT,
    customer_number      TEXT,
    users                TEXT NOT NULL DEFAULT '[]',
    queue                TEXT,
    answered_by          TEXT NOT NULL DEFAULT '[]',
    agent_id             BIGINT REFERENCES agents(id),
    answered_by_agent_id BIGINT REFERENCES agents(id),
    contact_id           BIGINT REFERENCES contacts(id),
    started_at           BIGINT NOT NULL,
    answered_at          BIGINT,
    ended_at             BIGINT,
    cause                TEXT,
    rejected             BOOLEAN NOT NULL DEFAULT FALSE,
    progress             TEXT NOT NULL CHECK (progress IN ('ringing', 'talking', 'ended')),
    outcome              TEXT CHECK (outcome IN ('answered', 'missed', 'busy', 'rejected', 'forwarded')),
    ticket_id            BIGINT REFERENCES tickets(id),
    message_id           BIGINT REFERENCES messages(id),
    updated_at           BIGINT NOT NULL
);
CREATE INDEX calls_started ON calls (started_at, id);
CREATE INDEX calls_agent ON calls (agent_id, started_at);
CREATE INDEX calls_customer ON calls (customer_number, started_at);
CREATE INDEX calls_ticket ON calls (ticket_id);

-- Every event taken in, once: the phone system may post the same event again. A second
-- `answer` by someone else (a transfer) is a new event.
CREATE TABLE call_events (
    pbx_call_id   TEXT NOT NULL,
    event         TEXT NOT NULL,
    answering     TEXT NOT NULL DEFAULT '',
    received_at   BIGINT NOT NULL,
    PRIMARY KEY (pbx_call_id, event, answering)
);

-- A call-back task is a ticket with the number to call back; its SLA has its own target.
ALTER TABLE tickets ADD COLUMN call_back_number TEXT;
CREATE INDEX tickets_call_back ON tickets (call_back_number) WHERE call_back_number IS NOT NULL;

-- An agent pressed "Llamar" on a request: the outgoing call the phone system reports next
-- from that agent to that number is recorded on it.
CREATE TABLE call_intents (
    agent_id    BIGINT NOT NULL REFERENCES agents(id),
    number      TEXT NOT NULL,
    ticket_id   BIGINT NOT NULL REFERENCES tickets(id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX call_intents_number ON call_intents (number, created_at);
