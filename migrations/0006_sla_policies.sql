-- 0006_sla_policies: SLA policies, the clocks they run on each ticket, the SLA
-- summary kept on the ticket row for queues, and group leads for escalations.
-- Instants are epoch milliseconds; 0 in ticket_sla means "not set".

-- `definition` is the policy's JSON (src/modules/sla/policy.h): conditions,
-- targets, priority_targets, warning_percent, escalations. Evaluated by
-- ascending position: the first active match applies.
CREATE TABLE sla_policies (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    position    INTEGER NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    calendar_id INTEGER NOT NULL REFERENCES calendars(id),
    definition  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- One row per clock (src/modules/sla/clock.h); next responses get a row per
-- cycle. policy_id and calendar_id are what the clock is measured by now; no
-- foreign key, so a deleted policy's history stays.
CREATE TABLE ticket_sla (
    ticket_id     INTEGER NOT NULL REFERENCES tickets(id),
    metric        TEXT NOT NULL,
    cycle         INTEGER NOT NULL DEFAULT 0,
    policy_id     INTEGER NOT NULL,
    calendar_id   INTEGER NOT NULL,
    priority      TEXT NOT NULL,
    phase         TEXT NOT NULL,
    target_ms     INTEGER NOT NULL,
    elapsed_ms    INTEGER NOT NULL,
    since         INTEGER NOT NULL,
    started_at    INTEGER NOT NULL,
    due_at        INTEGER NOT NULL,
    warn_at       INTEGER NOT NULL,
    next_alert_at INTEGER NOT NULL,
    achieved_at   INTEGER NOT NULL,
    breached_at   INTEGER NOT NULL,
    alerts        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (ticket_id, metric, cycle)
);
CREATE INDEX ticket_sla_alerts ON ticket_sla(next_alert_at) WHERE next_alert_at > 0;
CREATE INDEX ticket_sla_running ON ticket_sla(calendar_id) WHERE phase = 'running';
CREATE INDEX ticket_sla_achieved ON ticket_sla(achieved_at) WHERE achieved_at > 0;
CREATE INDEX ticket_sla_due ON ticket_sla(due_at) WHERE due_at > 0;

-- The ticket's SLA at a glance: its policy, the earliest due and warning
-- instants of its running clocks, and flags (1 a clock breached, 2 paused,
-- 4 all achieved, 8 has clocks).
ALTER TABLE tickets ADD COLUMN sla_policy_id INTEGER;
ALTER TABLE tickets ADD COLUMN sla_due_at INTEGER;
ALTER TABLE tickets ADD COLUMN sla_warn_at INTEGER;
ALTER TABLE tickets ADD COLUMN sla_flags INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tickets_sla_due ON tickets(sla_due_at, id);

ALTER TABLE groups ADD COLUMN lead_id INTEGER REFERENCES users(id);
