-- The support policy's record on each ticket: classification, intake checklist, channel
-- redirect, urgency and the SLA clock; agents' type corrections and trained classifier
-- models.
ALTER TABLE tickets ADD COLUMN type_confidence REAL;
ALTER TABLE tickets ADD COLUMN request_kind TEXT CHECK (request_kind IN ('error', 'change', 'question', 'request'));
ALTER TABLE tickets ADD COLUMN checklist TEXT;
ALTER TABLE tickets ADD COLUMN redirect_channel TEXT CHECK (redirect_channel IN ('email', 'whatsapp', 'phone', 'portal', 'api'));
ALTER TABLE tickets ADD COLUMN urgency TEXT;
ALTER TABLE tickets ADD COLUMN sla_first_response_due BIGINT;
ALTER TABLE tickets ADD COLUMN sla_resolution_due BIGINT;
ALTER TABLE tickets ADD COLUMN sla_first_responded_at BIGINT;
ALTER TABLE tickets ADD COLUMN sla_paused_since BIGINT;
ALTER TABLE tickets ADD COLUMN sla_paused_total BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN sla_state TEXT CHECK (sla_state IN ('on_track', 'at_risk', 'breached', 'paused', 'met'));
ALTER TABLE tickets ADD COLUMN sla_next_check_at BIGINT;

-- The SLA worker's queue: tickets whose state may change with time alone.
CREATE INDEX tickets_sla_next_check ON tickets (sla_next_check_at) WHERE sla_next_check_at IS NOT NULL;
CREATE INDEX tickets_sla_state ON tickets (sla_state, updated_at);
CREATE INDEX tickets_assignee_status ON tickets (assignee_id, status);

-- An agent's correction of a ticket's type: a training example for the classifier.
CREATE TABLE classifier_corrections (
    id            INTEGER PRIMARY KEY,
    ticket_id     BIGINT NOT NULL REFERENCES tickets(id),
    support_type  TEXT NOT NULL CHECK (support_type IN ('administrative', 'usage', 'technical')),
    agent_id      BIGINT REFERENCES agents(id),
    created_at    BIGINT NOT NULL
);
CREATE INDEX classifier_corrections_ticket ON classifier_corrections (ticket_id, id);

CREATE TABLE classifier_models (
    id             INTEGER PRIMARY KEY,
    model          TEXT NOT NULL,
    examples       BIGINT NOT NULL,
    corrections    BIGINT NOT NULL,
    type_accuracy  REAL NOT NULL,
    kind_accuracy  REAL NOT NULL,
    created_at     BIGINT NOT NULL
);
