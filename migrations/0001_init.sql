-- 0001_init: the first schema: counters, parties, users, tickets, events, idempotency.
-- Times are epoch milliseconds (INTEGER); the API formats them as RFC 3339 UTC.

CREATE TABLE sequences (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    tier        TEXT NOT NULL DEFAULT 'standard',
    region      TEXT,
    external_id TEXT UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE contacts (
    id              INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    name            TEXT NOT NULL,
    email           TEXT,
    phone           TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX contacts_organisation ON contacts(organisation_id);
CREATE INDEX contacts_email ON contacts(email);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    email           TEXT,
    password_hash   TEXT NOT NULL,
    roles           TEXT NOT NULL,
    organisation_id INTEGER REFERENCES organisations(id),
    disabled        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE tickets (
    id           INTEGER PRIMARY KEY,
    number       TEXT NOT NULL UNIQUE,
    subject      TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    priority     TEXT NOT NULL,
    customer_ref TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX tickets_status ON tickets(status, id);
CREATE INDEX tickets_priority ON tickets(priority, id);
CREATE INDEX tickets_customer ON tickets(customer_ref, id);

-- Append-only log of every state change, written in the same transaction as the
-- change (audit trail and, later, the notification outbox).
CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    type      TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    actor     TEXT,
    at        INTEGER NOT NULL,
    data      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_entity ON events(entity, entity_id, id);

-- A create retried with the same Idempotency-Key returns the first result.
CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    resource_id  INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
