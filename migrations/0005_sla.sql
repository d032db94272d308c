-- 0005_sla: business calendars (the SLA engine measures targets on them).
-- `definition` is the calendar's normalised JSON (src/modules/sla/calendar.h).

CREATE TABLE calendars (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

INSERT INTO calendars (id, name, definition, created_at, updated_at) VALUES
(1, '24x7', '{"name":"24x7","time_zone":"UTC","week":{"mon":[["00:00","24:00"]],"tue":[["00:00","24:00"]],"wed":[["00:00","24:00"]],"thu":[["00:00","24:00"]],"fri":[["00:00","24:00"]],"sat":[["00:00","24:00"]],"sun":[["00:00","24:00"]]},"holidays":[],"working_days":[]}', 0, 0);

INSERT INTO permissions (role, resource, action) VALUES
    ('admin', 'sla', 'read'), ('manager', 'sla', 'read'), ('dispatcher', 'sla', 'read'),
    ('agent', 'sla', 'read'), ('engineer', 'sla', 'read'),
    ('admin', 'sla', 'manage'), ('manager', 'sla', 'manage');
