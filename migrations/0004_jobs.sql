-- 0004_jobs: periodic background jobs, run exactly once per scheduled slot
-- across every node. A node claims a job by locking its row (FOR UPDATE SKIP
-- LOCKED on PostgreSQL; SQLite has one writer), moving next_run on and
-- recording the run, all in the transaction that does the job's work.

CREATE TABLE job_leases (
    name       TEXT PRIMARY KEY,
    next_run   INTEGER NOT NULL,
    owner      TEXT,
    claimed_at INTEGER
);

CREATE TABLE job_runs (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    slot        INTEGER NOT NULL,
    node        TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    outcome     TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    UNIQUE (name, slot)
);

INSERT INTO permissions (role, resource, action) VALUES ('admin', 'jobs', 'read');
